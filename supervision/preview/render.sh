#!/bin/sh
# Render a .docx to PDF and a PNG of its first page, with the 公文 font substitutes (docs/supervision.md).
# usage: supervision/preview/render.sh FILE.docx OUTDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$2
mkdir -p "$out"
FONTCONFIG_FILE="$here/fonts.conf" soffice -env:UserInstallation=file:///tmp/lo-$$ --headless \
  --convert-to pdf --outdir "$out" "$1" >/dev/null 2>&1
pdf="$out/$(basename "${1%.docx}").pdf"
# soffice exits 0 even when it failed: the PDF must exist.
test -s "$pdf" || { echo "no PDF produced for $1" >&2; exit 1; }
pdfinfo "$pdf" | grep '^Pages:'
pdftoppm -png -r 80 -f 1 -l 1 "$pdf" "$out/$(basename "${1%.docx}")"
