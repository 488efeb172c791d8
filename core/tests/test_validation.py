"""core.validation and core.xlsx_safety with plain data, the NUL backstop, and the branded 500 page."""

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from core.validation import Problem, decimal_limit, integer_problem, number_problem, text_problem
from core.xlsx_safety import xlsx_problem


@pytest.mark.parametrize("text", ["a\x00b", "a\x07b", "\x1b[31m", "a\x7fb", "a\ud800b"])
def test_control_characters_and_lone_surrogates_are_refused(text):
    assert text_problem(text) == Problem("control_chars")


def test_tab_newline_and_chinese_text_pass():
    assert text_problem("第一行\n第二行\t完成\r\n") is None


def test_text_longer_than_the_column_is_refused_with_the_limit():
    assert text_problem("x" * 301, max_length=300) == Problem("too_long", 300)
    assert text_problem("x" * 300, max_length=300) is None


def test_a_numeric_20_4_column_refuses_1e16_and_accepts_just_below():
    assert decimal_limit(20, 4) == Decimal(10) ** 16
    assert number_problem(Decimal("1e16"), max_digits=20, decimal_places=4).code == "out_of_range"
    assert number_problem(Decimal("-1e16")).code == "out_of_range"
    assert number_problem(Decimal("9999999999999999.9999"), max_digits=20, decimal_places=4) is None


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity"), "Infinity"])
def test_non_finite_numbers_are_refused(value):
    assert number_problem(value).code == "not_finite"


def test_a_narrow_column_has_its_own_range():
    assert number_problem(Decimal("10000"), max_digits=6, decimal_places=2).code == "out_of_range"
    assert number_problem(Decimal("9999.99"), max_digits=6, decimal_places=2) is None


def test_integers_outside_int4_are_refused():
    assert integer_problem(2**31).code == "out_of_range"
    assert integer_problem(-(2**31)) is None


# --- spreadsheets -------------------------------------------------------------------------------------


def _xlsx(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>'
)
XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><workbook>&e;</workbook>'


def test_a_workbook_with_billion_laughs_is_refused_before_parsing():
    assert xlsx_problem(_xlsx({"xl/sharedStrings.xml": BILLION_LAUGHS})) == ("entities", 0)


def test_a_workbook_with_an_external_entity_is_refused():
    assert xlsx_problem(_xlsx({"xl/workbook.xml": XXE})) == ("entities", 0)


def test_a_utf16_member_cannot_hide_a_declaration():
    assert xlsx_problem(_xlsx({"xl/workbook.xml": XXE.decode().encode("utf-16")})) == ("entities", 0)


def test_a_zip_bomb_is_refused_from_the_directory_without_inflating_it():
    bomb = _xlsx({"xl/sharedStrings.xml": b"<sst>" + b"A" * (80 * 1024 * 1024) + b"</sst>"})
    assert len(bomb) < 1024 * 1024
    assert xlsx_problem(bomb)[0] == "too_large"
    assert xlsx_problem(bomb, max_bytes=10**9)[0] == "too_large"  # the ratio alone also refuses it


def test_rows_are_counted_before_parsing():
    sheet = b"<worksheet><sheetData>" + b'<row r="1"><c r="A1"/></row>' * 101 + b"</sheetData></worksheet>"
    assert xlsx_problem(_xlsx({"xl/worksheets/sheet1.xml": sheet}), max_rows=100) == ("too_many_rows", 100)
    assert xlsx_problem(_xlsx({"xl/worksheets/sheet1.xml": sheet}), max_rows=101) is None


def test_an_ordinary_workbook_passes():
    from core.xlsx import build_table_xlsx

    data = build_table_xlsx(title="t", headers=["a", "b"], rows=[["x", 1]] * 500)
    assert xlsx_problem(data) is None


# --- the NUL backstop -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_nul_in_a_query_string_is_400_with_a_message_on_api_and_pages(client_as):
    office = client_as("office")
    response = office.get("/api/v1/tasks?q=a%00b")
    assert response.status_code == 400
    assert "控制字符" in response.json()["detail"]
    response = office.get("/tasks/?q=a%00b")
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_username_for_a_token_is_4xx_with_a_message(client):
    body = json.dumps({"username": "a\u0000b", "password": "x"})
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 422
    assert "username" in response.json()["detail"] and "控制字符" in response.json()["detail"]


@pytest.mark.django_db
def test_a_nul_username_on_the_login_page_rerenders_the_form(client):
    response = client.post("/accounts/login/", {"username": "a\x00b", "password": "x"})
    assert response.status_code in (200, 400)


# --- the branded 500 page -------------------------------------------------------------------------------


def _boom(request):
    raise RuntimeError("boom")


def _ok(request):
    return HttpResponse("ok")


urlpatterns = [path("boom/", _boom), path("ok/", _ok)]
handler500 = "core.views.error_500"


def _broken_context_processor(request):
    raise RuntimeError("database down")


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_view_that_raises_gets_the_branded_chinese_500_page():
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "系统错误" in response.content.decode() and "落实" in response.content.decode()


def test_the_500_page_renders_even_when_context_processors_fail(settings):
    settings.ROOT_URLCONF, settings.DEBUG = __name__, False
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "OPTIONS": {**settings.TEMPLATES[0]["OPTIONS"], "context_processors": [
            "core.tests.test_validation._broken_context_processor"]}},
    ]  # fmt: skip
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "系统错误" in response.content.decode()


@pytest.mark.django_db
def test_an_api_error_in_production_is_a_json_500_in_chinese(settings, client_as, monkeypatch):
    import plans.api

    settings.DEBUG = False
    monkeypatch.setattr(plans.api, "plan_list", lambda user: 1 / 0)
    response = client_as("office").get("/api/v1/plans")
    assert response.status_code == 500
    assert "已记录" in response.json()["detail"]


@pytest.mark.django_db
def test_a_multipart_body_without_boundary_is_400_not_500(client):
    response = client.post(
        "/api/v1/auth/token", '{"username": "0", "password": "x"}', content_type="multipart/form-data"
    )
    assert response.status_code == 400


def test_a_flash_message_names_the_field_it_is_about():
    """A form's errors shown away from the form (a flash message) say which field each is about."""
    from django import forms
    from django.utils import translation

    from core.forms import error_text

    class MonthForm(forms.Form):
        month = forms.CharField(label="月份（YYYY-MM）")

        def clean(self):
            raise forms.ValidationError("整体有误")

    form = MonthForm({})
    with translation.override("zh-hans"):
        assert not form.is_valid()
        assert error_text(form) == "月份（YYYY-MM）：此项必填。 整体有误"
