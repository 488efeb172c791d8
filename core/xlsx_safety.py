"""Checks an uploaded .xlsx before any XML parser sees it. Pure: no Django import.

Every reader of uploaded workbooks calls `xlsx_problem` first (today the ledger import,
plans.ledger.parse_task_ledger). It refuses, from the zip directory and one bounded streaming pass
over the members, without building a tree:

- entity declarations (<!DOCTYPE, <!ENTITY): billion laughs and XXE need them, Excel never writes them;
- more uncompressed bytes than `max_bytes` in total, or a member inflating more than `max_ratio`
  times (a 1 GB sharedStrings.xml compressed to 1 MB); zipfile stops reading a member at its declared
  size, so the directory's sizes bound the real work;
- more rows than `max_rows` in any worksheet (counted as <row> elements while streaming).

defusedxml (pinned in requirements.txt) is a second line: openpyxl uses it when installed.
"""

import io
import re
import zipfile

MAX_BYTES = 64 * 1024 * 1024  # a 20 000-row ledger is about 10 MB of XML
MAX_RATIO = 200  # XML deflates 5-30×; far more is a bomb
MAX_ROWS = 50_000
_CHUNK = 1 << 20
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# UTF-16 XML would hide the declaration from a byte search: Excel writes UTF-8 only.
_UTF16 = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")
_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")


def xlsx_problem(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_ratio: int = MAX_RATIO, max_rows: int = MAX_ROWS
) -> tuple[str, int] | None:
    """None if the workbook may be parsed, else (code, limit): not_xlsx, entities, too_large, too_many_rows."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return ("not_xlsx", 0)
    if sum(m.file_size for m in members) > max_bytes:
        return ("too_large", max_bytes)
    for member in members:
        if member.file_size > _CHUNK and member.file_size > max_ratio * max(member.compress_size, 1):
            return ("too_large", max_bytes)
    for member in members:
        if not member.filename.endswith((".xml", ".rels", ".vml")):
            continue
        problem = _scan(archive, member, max_rows)
        if problem is not None:
            return problem
    return None


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, max_rows: int) -> tuple[str, int] | None:
    is_sheet = member.filename.startswith("xl/worksheets/")
    rows, tail, first = 0, b"", True
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                if first and chunk.startswith(_UTF16):
                    return ("entities", 0)
                first = False
                window = tail + chunk
                if _DECLARATION.search(window):
                    return ("entities", 0)
                if is_sheet:
                    # Count matches that end in the new chunk only, so none is counted twice.
                    rows += sum(1 for m in _ROW.finditer(window) if m.end() > len(tail))
                    if rows > max_rows:
                        return ("too_many_rows", max_rows)
                tail = window[-16:]
    # A damaged member (BadZipFile, EOFError, a failed CRC), an encrypted one (ValueError) or a compression
    # method zipfile does not support (NotImplementedError): not a workbook Excel wrote, so not one we read.
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return ("not_xlsx", 0)
    return None
