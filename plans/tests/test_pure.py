"""Milestone text, ledger dates and numbers, and the ledger builder/reader, as plain data."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from plans.ledger import COLUMNS, LedgerRowOut, Vocabulary, build_task_ledger_xlsx, parse_task_ledger
from plans.milestones import MilestoneLine, format_milestones, parse_milestones
from plans.textdates import BadDate, BadNumber, parse_date, parse_number

VOCAB = Vocabulary(
    units=frozenset({"区住建局", "区发改委", "淮河路街道", "区城管局"}),
    posts=frozenset({"区长", "分管城建副区长"}),
    areas=frozenset({"在城市品质提升上争先出彩", "在主导产业升级上争先出彩"}),
)


def row(**over) -> LedgerRowOut:
    values = dict(
        code="T001",
        title="2021年底前高质量完成248个老旧小区改造提升任务",
        target_value=Decimal("248"),
        target_unit="个",
        responsible_post="分管城建副区长",
        lead_unit="区住建局",
        co_units=["淮河路街道", "区城管局"],
        deadline=date(2021, 12, 31),
        milestones=[
            MilestoneLine(date(2021, 3, 31), Decimal(40), "一季度"),
            MilestoneLine(date(2021, 6, 30), Decimal(100), ""),
        ],
        area="在城市品质提升上争先出彩",
        modality="must",
    )
    values.update(over)
    return LedgerRowOut(**values)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-12-31", date(2021, 12, 31)),
        ("2021/2/3", date(2021, 2, 3)),
        ("2021年6月30日", date(2021, 6, 30)),
        ("２０２１年６月３０日", date(2021, 6, 30)),
        ("20210131", date(2021, 1, 31)),
        ("2021.3.1", date(2021, 3, 1)),
    ],
)
def test_dates_as_people_type_them(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2021-02-30", "2021-13-01", "明年", "31/12/2021", ""])
def test_bad_dates(text):
    with pytest.raises(BadDate):
        parse_date(text)


def test_numbers():
    assert parse_number("1,248") == Decimal("1248")
    assert parse_number("２４８") == Decimal("248")
    assert parse_number(3.5) == Decimal("3.5")
    for bad in ["十", "abc", "nan", True]:
        with pytest.raises(BadNumber):
            parse_number(bad)


def test_milestones_round_trip_through_text():
    lines = [
        MilestoneLine(date(2021, 3, 31), Decimal(40), "一季度完成40个"),
        MilestoneLine(date(2021, 6, 30), None, "完成招标"),
    ]
    text = format_milestones(lines)
    assert text == "2021年3月31日 40 一季度完成40个\n2021年6月30日 完成招标"
    parsed, errors = parse_milestones(text)
    assert errors == [] and parsed == lines


def test_milestone_errors():
    _lines, errors = parse_milestones("2021年2月30日 10\n下月 20\n2021-09-30 -5", deadline=date(2021, 12, 31))
    assert [e.code for e in errors] == ["bad_date", "bad_line", "negative"]
    _lines, errors = parse_milestones("2021-03-31 40\n2021-06-30 20")
    assert [e.code for e in errors] == ["not_increasing"]
    _lines, errors = parse_milestones("2022-03-31 40", deadline=date(2021, 12, 31))
    assert [e.code for e in errors] == ["after_deadline"]


def test_ledger_layout():
    ws = load_workbook(io.BytesIO(build_task_ledger_xlsx([row()]))).active
    assert [c.value for c in ws[2]][:11] == [
        "序号",
        "任务编号",
        "任务名称/工作任务",
        "目标值",
        "单位",
        "责任领导",
        "牵头单位",
        "配合单位",
        "完成时限",
        "推进措施/节点",
        "所属领域",
    ]
    assert ws["D3"].value == 248 and ws["H3"].value == "淮河路街道、区城管局"
    assert ws["J3"].value == "2021年3月31日 40 一季度\n2021年6月30日 100"
    assert ws.freeze_panes == "A3" and ws.page_setup.orientation == "landscape"


def test_ledger_shows_the_original_commitment_only_when_rebaselined():
    ws = load_workbook(
        io.BytesIO(
            build_task_ledger_xlsx(
                [row(), row(code="T002", target_value=Decimal(250), baseline_target_value=Decimal(248))]
            )
        )
    ).active
    assert ws["M3"].value is None
    assert ws["D4"].value == 250 and ws["M4"].value == 248


def test_ledger_round_trip():
    parsed = parse_task_ledger(build_task_ledger_xlsx([row(), row(code="T002", target_value=None)]), VOCAB)
    assert parsed.errors == []
    first = parsed.rows[0]
    assert (first.code, first.target_value, first.deadline, first.co_units) == (
        "T001",
        Decimal(248),
        date(2021, 12, 31),
        ["淮河路街道", "区城管局"],
    )
    assert first.milestones == row().milestones


def sheet(rows, header=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["任务分解表"])
    ws.append(header or [c[1] for c in COLUMNS])
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


GOOD = [
    "1",
    "",
    "新任务",
    10,
    "个",
    "区长",
    "区住建局",
    "区城管局",
    "2021-12-31",
    "",
    "在城市品质提升上争先出彩",
    "确保",
]


def codes(data: bytes) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.code) for e in parse_task_ledger(data, VOCAB).errors]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({3: -5}, (3, "目标值", "negative")),
        ({3: "二百"}, (3, "目标值", "not_a_number")),
        ({6: "区住房局"}, (3, "牵头单位", "unknown_unit")),
        ({7: "区城管局、不存在局"}, (3, "配合单位", "unknown_unit")),
        ({5: "副市长"}, (3, "责任领导", "unknown_post")),
        ({8: "2021-02-30"}, (3, "完成时限", "bad_date")),
        ({8: None}, (3, "完成时限", "required")),
        ({10: "在别处争先出彩"}, (3, "所属领域", "unknown_area")),
        ({11: "尽量"}, (3, "确保/力争", "bad_modality")),
        ({9: "2021年2月30日 5"}, (3, "推进措施/节点", "milestone_bad_date")),
        ({7: "区住建局"}, (3, "配合单位", "lead_in_co_units")),
        ({2: ""}, (3, "任务名称/工作任务", "required")),
    ],
)
def test_each_bad_cell_is_reported_with_row_and_column(cells, expected):
    bad = list(GOOD)
    for index, value in cells.items():
        bad[index] = value
    assert codes(sheet([GOOD])) == []
    assert expected in codes(sheet([bad]))


def test_duplicate_codes_and_missing_columns_and_non_xlsx():
    one = list(GOOD)
    one[1] = "T009"
    assert (4, "任务编号", "duplicate_code") in codes(sheet([one, one]))
    header = [c[1] for c in COLUMNS if c[1] != "牵头单位"]
    assert codes(sheet([GOOD], header=header)) == [(2, "牵头单位", "missing_column")]
    assert codes(b"") == [(0, "", "empty_file")]
    assert codes(b"PK\x03\x04 not really a zip") == [(0, "", "not_xlsx")]
    assert codes("序号,任务名称\n1,x".encode("gb18030")) == [(0, "", "not_xlsx")]
    assert codes(sheet([])) == [(0, "", "no_rows")]


def test_header_aliases_are_accepted():
    header = ["序号", "编号", "工作任务", "目标", "单位", "责任领导", "责任单位", "配合单位", "时限", "节点", "领域"]
    parsed = parse_task_ledger(sheet([GOOD[:11]], header=header), VOCAB)
    assert parsed.errors == [] and parsed.rows[0].title == "新任务"


def test_tree_paths_name_ancestors_root_first():
    from plans import treepath

    assert treepath.ancestor_paths("0001") == []
    assert treepath.ancestor_paths("000100030002") == ["0001", "00010003"]
    assert treepath.lineage("00010003") == ["0001", "00010003"]
    assert treepath.parent_path("00010003") == "0001" and treepath.parent_path("0001") == ""
    assert treepath.nearest("000100030002", {"0001", "00010003"}) == "00010003"
    assert treepath.nearest("000100030002", {"000100030002"}) is None
