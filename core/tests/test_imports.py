"""The one rule for which ledger imports go to the queue (core/imports.py), and the progress helpers every
importer uses. The imports themselves, page to job, are tested in each ledger's app (test_import_queue.py,
plans/tests/test_ledger_import.py)."""

import io
import secrets
import zipfile

from core import imports
from core.imports import IMPORT_SYNC_MAX_BYTES, IMPORT_SYNC_MAX_ROWS, declared_rows, import_in_queue, reading, writing
from core.xlsx import build_table_xlsx


def _sheet(rows: int, *, text=lambda: "x") -> bytes:
    return build_table_xlsx(title="台账", headers=["甲", "乙"], rows=([text(), i] for i in range(rows)))


def test_the_declared_data_rows_decide_below_the_title_and_header():
    assert declared_rows(_sheet(7)) == 7
    assert not import_in_queue(_sheet(IMPORT_SYNC_MAX_ROWS))
    assert import_in_queue(_sheet(IMPORT_SYNC_MAX_ROWS + 1))


def test_a_few_rows_of_many_bytes_go_to_the_queue_too():
    """A sheet may under-declare its size: the bytes decide as well (random text barely compresses)."""
    big = _sheet(12, text=lambda: secrets.token_hex(16_000))
    assert len(big) > IMPORT_SYNC_MAX_BYTES and declared_rows(big) == 12
    assert import_in_queue(big)


def test_what_is_not_a_workbook_stays_in_the_request_where_the_parser_names_the_problem():
    assert declared_rows(b"hello") is None and not import_in_queue(b"hello")
    assert not import_in_queue(b"")
    assert not import_in_queue(b"x" * (IMPORT_SYNC_MAX_BYTES + 1))  # large, but not even a zip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # a large zip that is no workbook: the parser takes time
        archive.writestr("a.bin", secrets.token_bytes(IMPORT_SYNC_MAX_BYTES + 1))
    assert declared_rows(buffer.getvalue()) is None and import_in_queue(buffer.getvalue())


def test_the_threshold_is_read_when_deciding(monkeypatch):
    monkeypatch.setattr(imports, "IMPORT_SYNC_MAX_ROWS", 5)
    assert import_in_queue(_sheet(6)) and not import_in_queue(_sheet(5))


def test_progress_hears_the_rows_read_then_written_so_far():
    seen: list[tuple] = []

    def progress(stage, done, total):
        seen.append((stage, done, total))

    on_row = reading(progress)
    assert on_row is not None and reading(None) is None
    on_row(3, 10)
    assert list(writing(["a", "b"], progress)) == ["a", "b"]
    assert list(writing(["c"], None)) == ["c"]
    assert seen == [
        ("读取并检查各行", 3, 10),
        ("写入各行", 0, 2),
        ("写入各行", 1, 2),
        ("写入各行", 2, 2),
    ]
