"""Reading documents and editing proposal rows: pure modules, plain data, no database."""

import io
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest

from decomposition import proposal as rows
from decomposition.documents import (
    MAX_DOCUMENT_BYTES,
    DocumentRejected,
    check_pasted_text,
    clean_text,
    read_document,
    sniff,
)
from decomposition.extractor import extract
from decomposition.tests.pdfs import make_pdf

SEED = (Path(__file__).resolve().parent / "data" / "erqi-2021-plan.txt").read_text(encoding="utf-8")
PARAGRAPH = (
    "在城市品质提升上争先出彩\n全面推进“三项工程、一项管理”，1月底前完成“一环十横十纵”二期3条道路，"
    "确保今年打通14条“断头路”。"
)


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, cells in enumerate(table):
            for c, text in enumerate(cells):
                grid.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rejected(data: bytes, name: str = "") -> str:
    with pytest.raises(DocumentRejected) as info:
        read_document(data, name)
    return info.value.code


# --- text files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SEED.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + SEED.encode("utf-8"), "utf-8"),
        (SEED.encode("gb18030"), "gb18030"),
        (SEED.encode("utf-16"), "utf-16"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gb18030", "utf-16"],
)
def test_text_files_in_every_encoding_read_the_same(data, encoding):
    document = read_document(data, "plan.txt")
    assert (document.kind, document.encoding) == ("txt", encoding)
    assert document.text == SEED.lstrip("\n")  # blank lines before the text go


def test_line_endings_become_newlines_so_offsets_match_the_stored_text():
    assert clean_text("一\r\n二\r三\n四") == "一\n二\n三\n四"
    assert read_document(PARAGRAPH.replace("\n", "\r\n").encode("gb18030")).text == PARAGRAPH
    assert check_pasted_text(PARAGRAPH.replace("\n", "\r\n")) == PARAGRAPH


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "plan.txt", "empty"),
        (b" \n\t\n", "plan.txt", "no_text"),
        (b"\x00\x01\x02binary\x00" * 50, "plan.txt", "not_text"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "scan.txt", "not_text"),
        (b"MZ\x90\x00" + b"\x00" * 100, "setup.txt", "not_text"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "plan.doc", "old_doc"),
    ],
    ids=["empty", "blank", "binary", "png named .txt", "exe named .txt", "old .doc"],
)
def test_files_that_are_not_text_are_refused(data, name, code):
    assert rejected(data, name) == code


def test_the_size_limit_is_checked_before_the_content():
    assert rejected(b"a" * (MAX_DOCUMENT_BYTES + 1), "plan.txt") == "too_large"


def test_text_longer_than_the_limit_is_refused():
    assert rejected(("一" * 500_001).encode("utf-8")) == "text_too_long"
    with pytest.raises(DocumentRejected):
        check_pasted_text("   \n ")


# --- Word ------------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_document_order():
    data = docx_bytes(
        ["在城市品质提升上争先出彩", "确保今年打通14条“断头路”。"], table=[["任务", "目标"], ["新建口袋公园", "12个"]]
    )
    document = read_document(data, "plan.docx")
    assert document.kind == "docx"
    assert document.text == "在城市品质提升上争先出彩\n确保今年打通14条“断头路”。\n任务\t目标\n新建口袋公园\t12个"
    proposal = extract(document.text, 2021)
    assert [c.quote for c in proposal.commitments] == ["确保今年打通14条“断头路”", "新建口袋公园12个"]


def test_a_docx_is_recognised_by_content_whatever_its_name():
    data = docx_bytes(["确保今年打通14条“断头路”。"])
    assert read_document(data, "plan.txt").kind == "docx"
    assert read_document(data, "").kind == "docx"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        ("这不是Word文档".encode(), "plan.docx", "not_docx"),
        (b"PK\x03\x04broken zip", "plan.docx", "bad_docx"),
        (b"%PDF-1.4 not really", "plan.docx", "not_docx"),
    ],
    ids=["text named .docx", "broken zip", "pdf named .docx"],
)
def test_a_docx_that_is_not_a_zip_is_refused(data, name, code):
    assert rejected(data, name) == code


def test_a_zip_that_is_not_a_word_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert rejected(out.getvalue(), "plan.docx") == "not_docx"


def test_a_word_zip_with_damaged_xml_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("word/document.xml", "<w:document")
    assert rejected(out.getvalue(), "plan.docx") == "bad_docx"


def test_an_empty_word_document_is_refused():
    assert rejected(docx_bytes([]), "plan.docx") == "no_text"


# --- PDF -------------------------------------------------------------------------------------------


def test_pdf_text_layer_with_broken_lines_and_page_numbers():
    pages = [
        [
            "在城市品质提升上争先出彩",
            "全面推进“三项工程、一项管理”，1月底前完成“一环十横",
            "十纵”二期3条道路。",
            "— 1 —",
        ],
        ["完善基础设施体系，确保今年打通14条“断头路”。", "— 2 —"],
    ]
    document = read_document(make_pdf(pages), "plan.pdf")
    assert (document.kind, document.pages) == ("pdf", 2)
    proposal = extract(document.text, 2021)
    assert [(c.quote, c.deadline, c.area) for c in proposal.commitments] == [
        ("1月底前完成“一环十横十纵”二期3条道路", date(2021, 1, 31), "在城市品质提升上争先出彩"),
        ("确保今年打通14条“断头路”", date(2021, 12, 31), "在城市品质提升上争先出彩"),
    ]
    # Offsets index the text as read, so the page can highlight the quote in place.
    first = proposal.commitments[0]
    assert document.text[first.original_start : first.original_end].replace("\n", "") == first.quote


def test_a_pdf_is_recognised_by_content_whatever_its_name():
    assert read_document(make_pdf([["确保今年打通14条“断头路”。"]]), "plan.txt").kind == "pdf"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (make_pdf(image_only_pages=2), "scan.pdf", "pdf_no_text"),
        (b"%PDF-1.7\n garbage without objects", "plan.pdf", "bad_pdf"),
        ("不是PDF".encode(), "plan.pdf", "not_pdf"),
    ],
    ids=["scan without text layer", "broken pdf", "text named .pdf"],
)
def test_pdfs_that_cannot_be_read(data, name, code):
    assert rejected(data, name) == code


def test_sniff_reads_the_first_bytes():
    assert sniff(b"%PDF-1.7") == "pdf"
    assert sniff(b"PK\x03\x04") == "zip"
    assert sniff("二七区".encode()) == "text"


# --- proposal rows ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_rows():
    commitments, achievements, next_row = rows.rows_from_proposal(extract(SEED, 2021))
    return commitments, achievements, next_row


def test_rows_carry_the_extracted_fields_and_offsets_into_the_text(seed_rows):
    commitments, achievements, next_row = seed_rows
    assert (len(commitments), len(achievements), next_row) == (10, 19, 30)
    first = commitments[0]
    assert first["id"] == "c1" and first["title"] == first["quote"]
    assert (first["target_value"], first["unit"], first["deadline"], first["modality"]) == (
        "10",
        "个",
        "2023-12-31",
        "strive",
    )
    assert rows.verbatim(SEED, first["start"], first["end"]) == first["quote"]
    gdp = achievements[0]
    assert (gdp["value"], gdp["unit"], gdp["period"], gdp["estimate"]) == ("77300000000", "元", "2020", True)
    assert rows.readable_amount(gdp["value"], gdp["unit"]) == "773亿元"


def test_cell_edits_are_checked(seed_rows):
    row = seed_rows[0][1]
    changes = {"deadline": "2021-06-30", "target_value": "７", "unit": " 个 "}
    edited = rows.apply_edit(row, "commitment", changes, plan_year=2021)
    assert (edited["deadline"], edited["target_value"], edited["unit"]) == ("2021-06-30", "7", "个")
    assert row["deadline"] == "2021-12-31"  # the stored row is not changed in place
    for changes, field, code in [
        ({"target_value": "十个"}, "target_value", "not_a_number"),
        ({"target_value": "-3"}, "target_value", "negative"),
        ({"deadline": "2021-02-30"}, "deadline", "bad_date"),
        ({"deadline": "2020-12-31"}, "deadline", "deadline_before_plan_year"),
        ({"modality": "maybe"}, "modality", "bad_modality"),
        ({"title": "  "}, "title", "required"),
        ({"quote": "x"}, "quote", "unknown_field"),
        ({"target_value": "3.14159"}, "target_value", "too_precise"),
        ({"target_value": "1e17"}, "target_value", "too_precise"),
    ]:
        with pytest.raises(rows.RowError) as info:
            rows.apply_edit(row, "commitment", changes, plan_year=2021)
        assert (info.value.field, info.value.code) == (field, code)
    with pytest.raises(rows.RowError) as info:
        rows.apply_edit(seed_rows[1][0], "achievement", {"period": "去年"}, plan_year=2021)
    assert info.value.code == "bad_period"
    with pytest.raises(rows.RowError) as info:
        rows.apply_edit({**row, "task": 7}, "commitment", {"unit": "条"}, plan_year=2021)
    assert info.value.code == "accepted"


def test_keys_survive_other_line_breaks_and_tell_repeated_quotes_apart(seed_rows):
    spaced = "\n".join("\u3000\u3000" + line for line in SEED.replace("\n", "\n\n").splitlines())
    again, _a, _n = rows.rows_from_proposal(extract(spaced, 2021))
    assert [r["start"] for r in again] != [r["start"] for r in seed_rows[0]]
    assert list(rows.item_keys(again, "commitment").values()) == list(
        rows.item_keys(seed_rows[0], "commitment").values()
    )
    text = "今年确保新建口袋公园12个。\n\n今年确保新建口袋公园12个。"
    twice, _a, _n = rows.rows_from_proposal(extract(text, 2021))
    assert len(set(rows.item_keys(twice, "commitment").values())) == 2


def test_a_selection_becomes_a_row_with_what_the_extractor_reads_in_it(seed_rows):
    args = {"kind": "commitment", "plan_year": 2021, "commitments": seed_rows[0]}
    start = SEED.index("加快推进学前教育公办园新增项目建设")
    row = rows.row_from_selection(SEED, start, start + 17, **args, row_id="c30")
    assert row["quote"] == "加快推进学前教育公办园新增项目建设"
    assert row["target_value"] is None and row["deadline"] == "2021-12-31"
    assert row["area"] == "在美丽田园打造上争先出彩"  # the nearest commitment above it
    start = SEED.index("打造智慧化政务大厅")
    text = SEED[:start] + "年内建成3个智慧社区试点," + SEED[start:]
    row = rows.row_from_selection(text, start, start + 13, **args, row_id="c31")
    assert (row["target_value"], row["unit"]) == ("3", "个")
    with pytest.raises(rows.RowError):
        rows.row_from_selection(SEED, 5, 5, kind="commitment", plan_year=2021, row_id="x", commitments=[])


def test_accept_checks_name_what_is_missing(seed_rows):
    row = seed_rows[0][0]
    codes = {p.code for p in rows.commitment_problems(row, plan_year=2021)}
    assert codes == {"post_required", "lead_required"}
    assigned = {**row, "post": 1, "lead": 2, "co_units": [2, 3]}
    assert {p.code for p in rows.commitment_problems(assigned, plan_year=2021)} == {"lead_in_co_units"}
    assert rows.commitment_problems({**assigned, "co_units": [3]}, plan_year=2021) == []


def test_find_quote_ignores_layout_whitespace_and_prefers_the_nearest():
    text = "确保打通14条断头路。\n……\n确保打通14\n条断头路。"
    assert rows.find_quote(text, "确保打通14条断头路", near=0) == 0
    assert rows.find_quote(text, "确保打通14条断头路", near=len(text)) == text.rindex("确保")
    assert rows.find_quote(text, "不存在") is None
    start = text.rindex("确保")
    assert text[start : rows.quote_end(text, start, "确保打通14条断头路")] == "确保打通14\n条断头路"


def test_highlights_never_overlap():
    pieces = rows.segments("0123456789", [(2, 5, "c1", "commitment"), (4, 7, "c2", "commitment")])
    assert [(p.start, p.text, p.row_id) for p in pieces] == [
        (0, "01", None),
        (2, "234", "c1"),
        (5, "56", "c2"),
        (7, "789", None),
    ]
