"""Reading a plan document into text: .txt (UTF-8, GB18030, UTF-16), .docx, .pdf text layer. Pure: no Django.

The kind of a file is decided by its content (its first bytes), never by its name. The name only
sharpens the message: a file called .docx that is not a zip is reported as a broken Word document
rather than as unreadable text. Every refusal is a `DocumentRejected` with a code; callers turn the
code into a message (`decomposition.messages` for pages, the command prints its own Chinese).

Line endings are normalised to ``\\n`` (a browser submits a textarea with ``\\r\\n``), so offsets
into the text are the same for pasted text, uploads and what is stored.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # the default; the form passes settings.UPLOAD_MAX_BYTES
# A plan document is a few thousand to a few tens of thousands of characters; the bound keeps the
# review page (the whole text, highlighted) and the stored draft reasonable.
MAX_TEXT_CHARS = 500_000

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Word .doc / Excel .xls
# Other binary formats people pick by mistake, by their first bytes.
_OTHER_BINARY = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"MZ", b"\x7fELF")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_LINE_ENDS = re.compile(r"\r\n?")
_LEADING_BLANK_LINES = re.compile(r"^(?:[ \t\u3000]*\n)+")


class DocumentRejected(ValueError):
    """The file cannot be read as a plan document; `code` says why."""

    CODES = (
        "empty",  # no bytes at all
        "too_large",  # over MAX_DOCUMENT_BYTES
        "text_too_long",  # over MAX_TEXT_CHARS once read
        "no_text",  # read fine, but holds no text (blank document)
        "not_docx",  # named .docx, or a zip, but not a Word document
        "bad_docx",  # a Word zip whose content cannot be read
        "old_doc",  # Word 97-2003 .doc (OLE): not supported, save as .docx
        "not_pdf",  # named .pdf but not a PDF
        "bad_pdf",  # a PDF that cannot be parsed
        "pdf_encrypted",  # password-protected PDF
        "pdf_no_text",  # a PDF without a text layer (a scan)
        "not_text",  # binary, or text in no supported encoding
    )

    def __init__(self, code: str) -> None:
        assert code in self.CODES, code
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Document:
    text: str
    kind: str  # "txt" | "docx" | "pdf"
    encoding: str = ""  # for txt: "utf-8", "gb18030", "utf-16"
    pages: int = 0  # for pdf


def clean_text(text: str) -> str:
    """Line endings as ``\\n``, no byte-order mark, no NUL or other control characters (tabs and form feeds
    stay), no blank lines before the first line of text nor whitespace after the last."""
    text = text.removeprefix("\ufeff")
    text = _LINE_ENDS.sub("\n", text)
    text = _CONTROL.sub("", text)
    return _LEADING_BLANK_LINES.sub("", text).rstrip()


def sniff(data: bytes) -> str:
    """The kind of file by its first bytes: "pdf", "zip", "ole", "binary" or "text"."""
    head = data[:1024]
    if PDF_MAGIC in head:  # a PDF may start with a few junk bytes before %PDF-
        return "pdf"
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data.startswith(_OTHER_BINARY):
        return "binary"
    return "text"


def read_document(data: bytes, filename: str = "", *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Document:
    """The document's text, or `DocumentRejected`. Checks the size first, then the content."""
    if not data:
        raise DocumentRejected("empty")
    if len(data) > max_bytes:
        raise DocumentRejected("too_large")
    kind = sniff(data)
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    # The name cannot choose the reader, but when it disagrees with the content the user gets the
    # message about the file they think they have (a broken .docx, a PDF that is not one).
    if suffix == "docx" and kind not in ("zip", "ole"):
        raise DocumentRejected("not_docx")
    if suffix == "pdf" and kind != "pdf":
        raise DocumentRejected("not_pdf")
    if kind == "pdf":
        document = _read_pdf(data)
    elif kind == "zip":
        document = _read_docx(data)
    elif kind == "ole":
        raise DocumentRejected("old_doc")
    elif kind == "binary":
        raise DocumentRejected("not_text")
    else:
        document = read_text_bytes(data)
    if not document.text.strip():
        raise DocumentRejected("pdf_no_text" if document.kind == "pdf" else "no_text")
    if len(document.text) > MAX_TEXT_CHARS:
        raise DocumentRejected("text_too_long")
    return document


def check_pasted_text(text: str) -> str:
    """Pasted text, cleaned, or `DocumentRejected` when it is blank or too long."""
    text = clean_text(text)
    if not text.strip():
        raise DocumentRejected("empty")
    if len(text) > MAX_TEXT_CHARS:
        raise DocumentRejected("text_too_long")
    return text


# --- plain text ------------------------------------------------------------------------------------


def read_text_bytes(data: bytes) -> Document:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030 (which includes GBK and GB2312)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = [("utf-16", "utf-16")]
    else:
        candidates = [("utf-8-sig", "utf-8"), ("gb18030", "gb18030")]
    for codec, name in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return Document(text=clean_text(text), kind="txt", encoding=name)
    raise DocumentRejected("not_text")


def _looks_binary(text: str) -> bool:
    # GB18030 decodes almost any byte string, so decoding alone does not prove text: real text has
    # no NUL and hardly any other control characters.
    if "\x00" in text:
        return True
    controls = len(_CONTROL.findall(text))
    return controls > max(2, len(text) // 200)


# --- Word (.docx) ----------------------------------------------------------------------------------


def _read_docx(data: bytes) -> Document:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise DocumentRejected("bad_docx")
    if "word/document.xml" not in names:
        raise DocumentRejected("not_docx")
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        # Body paragraphs and tables in document order; a table row becomes one line, cells
        # separated by a tab (the normaliser removes it between Chinese characters).
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    lines.append("\t".join(_unique_cells(row.cells)))
            else:
                lines.append(block.text)
    except Exception:  # noqa: BLE001  untrusted file: the XML and zip layers raise many kinds of error
        raise DocumentRejected("bad_docx")
    return Document(text=clean_text("\n".join(lines)), kind="docx")


def _unique_cells(cells) -> list[str]:
    # A merged cell is returned once per grid column it spans: keep it once.
    texts: list[str] = []
    seen: set[int] = set()
    for cell in cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        texts.append(cell.text.replace("\n", " "))
    return texts


# --- PDF -------------------------------------------------------------------------------------------


def _read_pdf(data: bytes) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty user password only to restrict printing.
            try:
                reader.decrypt("")
            except Exception:  # noqa: BLE001  missing crypto backend or wrong password: either way unreadable
                raise DocumentRejected("pdf_encrypted")
        pages = [(page.extract_text() or "").rstrip() for page in reader.pages]
    except DocumentRejected:
        raise
    except FileNotDecryptedError:
        raise DocumentRejected("pdf_encrypted")
    except Exception:  # noqa: BLE001  untrusted file: pypdf raises many kinds of error on broken PDFs
        raise DocumentRejected("bad_pdf")
    # One line break between pages, no blank line: a sentence running over a page break stays one
    # paragraph, and the normaliser drops the page furniture (numbers, running headers) around it.
    return Document(text=clean_text("\n".join(pages)), kind="pdf", pages=len(pages))
