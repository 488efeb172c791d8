"""The indicator ledger: export indicators × periods, import back all-or-nothing with row/column errors."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators.ledger import parse_indicator_ledger
from indicators.ledger_import import ledger_import
from indicators.models import IndicatorValue
from indicators.services import IndicatorData, indicator_create, value_enter

pytestmark = pytest.mark.django_db


@pytest.fixture
def fai(users):
    ind = indicator_create(
        actor=users["office"],
        data=IndicatorData(name="测试投资", unit="元", display_unit="亿元", frequency="month",
                           accumulation="cumulative", source_unit=users["zjj_reporter"].unit),
    )  # fmt: skip
    for month, (estimate, final) in enumerate([(30, 31.2), (62, 60.5)], start=1):
        value_enter(actor=users["office"], indicator=ind, period=f"2021-{month:02d}", value=estimate, unit="亿元",
                    kind="estimate")  # fmt: skip
        value_enter(actor=users["office"], indicator=ind, period=f"2021-{month:02d}", value=final, unit="亿元",
                    kind="final")  # fmt: skip
    return ind


def workbook(rows, header=("指标名称", "计量单位", "类型", "责任单位", "2021-01", "2021-02", "2021-03")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["指标台账"])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_export_keeps_kinds_and_display_units(client_as, fai):
    response = client_as("office").get(reverse("indicators:ledger_export") + "?year=2021&q=测试投资")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:6] == ("指标名称", "计量单位", "类型", "责任单位", "2021-01", "2021-02")
    assert rows[2][:6] == ("测试投资", "亿元", "预计", "区住建局", 30, 62)
    assert rows[3][:6] == ("测试投资", "亿元", "年报", "区住建局", 31.2, 60.5)
    # round trip: the exported file imports back with nothing to change
    outcome = ledger_import(actor=None, data=response.content)
    assert outcome.ok and outcome.created == 0 and outcome.unchanged == 4


def test_import_writes_all_values_and_converts_units(users, fai):
    data = workbook(
        [("测试投资", "万元", "预计", "", None, None, 950000), ("测试投资", "亿元", "快报", "", 31, None, None)]
    )
    outcome = ledger_import(actor=users["zjj_reporter"], data=data)
    assert outcome.ok and outcome.created == 2
    march = IndicatorValue.objects.get(indicator=fai, period="2021-03")
    assert march.value == 9_500_000_000 and march.state == "pending" and march.entered_unit == "万元"


@pytest.mark.parametrize(
    ("rows", "header", "message"),
    [
        ([("测试投资", "亿元", "预计", "", "约30", None, None)], None, "第 4 行“2021-01”列"),
        ([("测试投资", "万人", "预计", "", 1, None, None)], None, "第 4 行“计量单位”列"),
        ([("没有这个指标", "亿元", "预计", "", 1, None, None)], None, "第 4 行“指标名称”列"),
        ([("测试投资", "亿元", "年报", "", 99, None, None)], None, "年报数只能录入一次"),
        ([("测试投资", "亿元", "估计", "", 1, None, None)], None, "第 4 行“类型”列"),
        ([("测试投资", "亿元", "预计", "", 1, None, None)], ("指标名称", "计量单位", "类型", "2021-13"), "2021-13"),
        (
            [("测试投资", "亿元", "预计", "", None, None, None), ("测试投资", "亿元", "预计", "", 5, None, 1)],
            None,
            "第 5 行",
        ),
    ],
)
def test_bad_cells_reject_the_whole_file(users, fai, rows, header, message):
    from django.utils import translation

    good = ("测试投资", "亿元", "快报", "", 1, 2, 3)  # would be written if the file were accepted
    data = workbook([good, *rows], header) if header else workbook([good, *rows])
    before = IndicatorValue.objects.count()
    with translation.override("zh-hans"):
        outcome = ledger_import(actor=users["office"], data=data)
    assert not outcome.ok and any(message in e for e in outcome.errors), outcome.errors
    assert IndicatorValue.objects.count() == before


def test_another_units_reporter_cannot_import_and_files_are_checked(users, fai):
    data = workbook([("测试投资", "亿元", "预计", "", None, None, 1)])
    assert not ledger_import(actor=users["fgw_reporter"], data=data).ok
    assert parse_indicator_ledger(b"not a workbook").errors[0].code == "xlsx_not_xlsx"
    assert parse_indicator_ledger(b"").errors[0].code == "empty_file"


def test_import_page(client_as, fai):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = workbook([("测试投资", "亿元", "预计", "", "abc", None, None)])
    response = client_as("office").post(
        reverse("indicators:ledger_import"), {"file": SimpleUploadedFile("a.xlsx", bad)}
    )
    assert response.status_code == 400 and 'data-testid="import-errors"' in response.content.decode()
    good = workbook([("测试投资", "亿元", "预计", "", None, None, 95)])
    response = client_as("office").post(
        reverse("indicators:ledger_import"), {"file": SimpleUploadedFile("a.xlsx", good)}
    )
    assert response.status_code == 302 and IndicatorValue.objects.filter(indicator=fai, period="2021-03").exists()
