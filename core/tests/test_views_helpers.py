"""The two shapes of a page write: the form and the button (core/views_helpers.py)."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from core.errors import ServiceError
from core.views_helpers import button_post, form_post


class NameForm(forms.Form):
    name = forms.CharField()


def _post(data=None):
    request = RequestFactory().post("/", data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _texts(request) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def _refuse(d):
    raise ServiceError("名称已存在", field="name")


def _page(form) -> HttpResponse:
    return HttpResponse(str(form.errors.get("name", "")), status=400)


def test_a_done_form_write_says_so_and_redirects_to_the_url_worked_out_from_its_result():
    request = _post({"name": "甲"})
    response = form_post(
        request,
        NameForm(request.POST),
        lambda d: {"pk": 7, "name": d["name"]},
        success=lambda row: f"{row['name']} saved",
        redirect_to=lambda row: f"/rows/{row['pk']}/",
        invalid=_page,
    )
    assert response.status_code == 302 and response["Location"] == "/rows/7/"
    assert _texts(request) == [("success", "甲 saved")]


def test_a_refused_form_write_shows_on_its_field_and_the_page_comes_back_without_a_message():
    request = _post({"name": "甲"})
    response = form_post(request, NameForm(request.POST), _refuse, success="saved", redirect_to="/", invalid=_page)
    assert response.status_code == 400 and "名称已存在" in response.content.decode()
    assert _texts(request) == []


def test_an_invalid_form_never_calls_the_service():
    calls = []
    request = _post({})
    response = form_post(request, NameForm(request.POST), calls.append, success="saved", redirect_to="/", invalid=_page)
    assert response.status_code == 400 and calls == []


def test_a_refused_button_write_is_an_error_message_on_the_page_it_goes_back_to():
    request = _post()
    response = button_post(request, lambda: _refuse({}), success="done", redirect_to="/back/")
    assert response.status_code == 302 and response["Location"] == "/back/"
    assert _texts(request) == [("error", "名称已存在")]


def test_a_done_button_write_is_a_success_message():
    request = _post()
    response = button_post(request, lambda: None, success="done", redirect_to="/back/")
    assert response["Location"] == "/back/" and _texts(request) == [("success", "done")]
