"""Tiny PDF writer for tests: pages of Chinese text with a real text layer, or pages with none.

Each character is drawn as a two-byte code (Identity-H) equal to its code point, and a ToUnicode
map says so: exactly what a PDF from Word or WPS carries for text extraction. No font program is
embedded (the text only has to be extractable, not rendered). Pure Python, no dependency.
"""

from __future__ import annotations


def _obj(number: int, body: bytes) -> bytes:
    return b"%d 0 obj\n" % number + body + b"\nendobj\n"


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _to_unicode(chars: set[str]) -> bytes:
    entries = sorted({ord(c) for c in chars if ord(c) <= 0xFFFF})
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CMapName /Luoshi-UCS def /CMapType 2 def",
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for i in range(0, len(entries), 100):
        chunk = entries[i : i + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        lines += [b"<%04X> <%04X>" % (c, c) for c in chunk]
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)


def make_pdf(pages: list[list[str]] | None = None, *, image_only_pages: int = 0) -> bytes:
    """A PDF whose pages hold these lines of text; or, with `image_only_pages`, pages with no text layer."""
    pages = pages or []
    chars = {c for page in pages for line in page for c in line}
    objects: list[bytes] = []  # object n is objects[n - 1]
    font_ref = 3
    objects.append(b"")  # 1: catalog, filled below
    objects.append(b"")  # 2: pages, filled below
    objects.append(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>"
    )
    objects.append(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>"
    )
    objects.append(_stream(_to_unicode(chars)))
    page_refs = []
    contents = []
    for page in pages:
        ops = [b"BT /F1 12 Tf 14 TL 50 800 Td"]
        for line in page:
            hexed = "".join(f"{ord(c):04X}" for c in line if ord(c) <= 0xFFFF).encode()
            ops.append(b"<" + hexed + b"> Tj T*")
        ops.append(b"ET")
        contents.append(b"\n".join(ops))
    for _ in range(image_only_pages):
        contents.append(b"0.8 g 50 50 400 600 re f")  # a grey box where a scan would be: no text
    for content in contents:
        objects.append(_stream(content))
        content_ref = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_ref, font_ref)
        )
        page_refs.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = b" ".join(b"%d 0 R" % r for r in page_refs)
    objects[1] = b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_refs)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += _obj(number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
