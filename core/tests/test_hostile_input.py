"""Every write endpoint, enumerated (new routes join automatically), fed the inputs that gave 500s.

API: each operation of the OpenAPI document with a JSON body gets, in each property of its schema,
a NUL, another control character, ±1e16, NaN/Infinity, 1e400 (a JSON infinity), a huge string, null
and a wrong type. Pages: each route of the access matrix is POSTed (multipart, as the browser
does) with every form field of the apps set to each hostile value, by the roles that may write.
The bar: never a 5xx, 4xx with a message for the API's refused values, and no row holding a
control character, a number outside its column or a text longer than its column.
"""

import json
import re

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Length
from django.urls import reverse

from accounts.services import token_issue
from core.forms import InputChecks
from core.validation import decimal_limit
from workbench.api import api

pytestmark = pytest.mark.django_db

REFUSED_TEXT = ["a\u0000b", "a\u0007b", "a\ud800b"]
REFUSED_NUMBER = [1e16, -1e16, "NaN", "Infinity", "1e16"]
OTHER = [None, "x" * 100_000, {"wrong": "type"}, [1, 2], 2**70]


def _operations():
    schema = api.get_openapi_schema()
    for route, methods in schema["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if method in ("post", "put", "patch", "delete") and body:
                yield method, route, _resolve(schema, body["schema"])


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _kind(prop: dict) -> str:
    types = {prop.get("type")} | {a.get("type") for a in prop.get("anyOf", [])}
    if "string" in types and prop.get("format") not in ("date", "date-time"):
        return "text"
    if types & {"number", "integer"} or prop.get("format") == "decimal":
        return "number"
    return "other"


def _fill(route: str) -> str:
    from plans.models import Task
    from reports.models import ProgressReport

    task = Task.objects.filter(object="老旧小区改造提升").first()
    report = ProgressReport.objects.first()
    return re.sub(
        r"\{(\w+)\}",
        lambda m: str({"task_id": task.pk, "report_id": report.pk if report else 1}.get(m[1], 1)),
        route,
    )


API_CASES = [pytest.param(method, route, body, id=f"{method} {route}") for method, route, body in _operations()]


def _base_body(method, route) -> dict:
    return {"version": 1} if method == "patch" else {}


def _no_bad_value_stored():
    """No column holds a control character, a text longer than its column, or a number outside its column."""
    for model in apps.get_models():
        if not model._meta.managed or model._meta.app_label not in _OUR_APPS:
            continue
        for field in model._meta.concrete_fields:
            if not field.editable:
                continue  # computed by the code (e.g. pinyin sort keys use control characters on purpose)
            qs = model._default_manager.all()
            if isinstance(field, models.CharField | models.TextField):
                bad = qs.filter(**{f"{field.name}__regex": r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]"})
                assert not bad.exists(), f"{model.__name__}.{field.name} holds a control character"
                if getattr(field, "max_length", None) and isinstance(field, models.CharField):
                    too_long = qs.annotate(_n=Length(field.name)).filter(_n__gt=field.max_length)
                    assert not too_long.exists(), f"{model.__name__}.{field.name} longer than {field.max_length}"
            if isinstance(field, models.DecimalField):
                limit = decimal_limit(field.max_digits, field.decimal_places)
                out = qs.filter(**{f"{field.name}__gte": limit}) | qs.filter(**{f"{field.name}__lte": -limit})
                assert not out.exists(), f"{model.__name__}.{field.name} outside its column"


_OUR_APPS = {"accounts", "audit", "core", "decomposition", "notifications", "org", "plans", "reports", "supervision"}


@pytest.mark.parametrize(("method", "route", "body"), API_CASES)
def test_every_api_write_refuses_hostile_values(client, users, method, route, body):
    from audit.models import AuditEvent

    token = token_issue(user=users["office"])
    url = _fill(route)
    for prop, spec in body.get("properties", {}).items():
        for value in {"text": REFUSED_TEXT, "number": REFUSED_NUMBER, "other": []}[_kind(spec)] + OTHER:
            events = AuditEvent.objects.count()
            text = json.dumps({**_base_body(method, route), prop: value})
            response = getattr(client, method)(
                url,
                text.replace('"NaN"', "NaN") if value == "NaN" else text,
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code < 500, (prop, value, response.content[:500])
            if value in REFUSED_TEXT or value in REFUSED_NUMBER:
                assert 400 <= response.status_code < 500, (prop, value)
                assert response.json()["detail"]
                assert AuditEvent.objects.count() == events, (prop, value)
    _no_bad_value_stored()


def test_a_json_infinity_is_refused(client, users):
    token = token_issue(user=users["office"])
    response = client.post(
        "/api/v1/tasks",
        '{"plan_id": 1, "parent_id": 1, "title": "t", "deadline": "2021-12-31", "target_value": 1e400,'
        ' "responsible_post_id": 1, "lead_unit_id": 1}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422


# --- pages ----------------------------------------------------------------------------------------------


def _form_classes():
    import importlib

    for config in apps.get_app_configs():
        if config.name in _OUR_APPS:
            try:
                module = importlib.import_module(f"{config.name}.forms")
            except ModuleNotFoundError:
                continue
            for obj in vars(module).values():
                if isinstance(obj, type) and issubclass(obj, __import__("django").forms.BaseForm):
                    if obj.__module__ == module.__name__:
                        yield obj


def test_every_form_in_the_apps_runs_the_input_checks():
    missing = [f.__qualname__ for f in _form_classes() if not issubclass(f, InputChecks)]
    assert missing == []


def _field_names() -> set[str]:
    return {name for form in _form_classes() for name in form.base_fields}


def _page_cases():
    from core.tests.test_access_matrix import PAGES, POST_WRITERS

    for name, (readers, kwargs, query, _overrides) in PAGES.items():
        writers = POST_WRITERS.get(name, readers)
        for role in sorted(writers & {"office", "zjj_reporter", "zjj_head", "sysadmin", "secadmin"})[:2]:
            yield pytest.param(name, kwargs, query, role, id=f"{name} as {role}")


FORM_VALUES = ["a\u0007b", "1e16", "-1e16", "NaN", "Infinity", "9" * 400, "x" * 5000]


@pytest.mark.parametrize(("name", "kwargs", "query", "role"), list(_page_cases()))
def test_every_form_post_refuses_hostile_values(client_as, name, kwargs, query, role):
    from plans.models import Plan

    client = client_as(role)
    url = reverse(name, kwargs=kwargs() if kwargs else None)
    if query:
        url += "?" + query.replace("PLAN", str(Plan.objects.get().pk))
    fields = _field_names()
    for value in FORM_VALUES:
        response = client.post(url, {field: value for field in fields})
        assert response.status_code < 500, (url, value)
    _no_bad_value_stored()
