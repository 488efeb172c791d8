"""The two shapes of a page that writes through a service, written once.

A form posted to a service (`form_post`): valid input calls the service; a refused write
(ServiceError) shows on the form like a field error and the page comes back with it; a done
write says so in a message and redirects. A button posted to a service (`button_post`): there
is no form to show the refusal on, so success and refusal alike are a message on the page the
button goes back to.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from core.errors import ServiceError
from core.forms import add_service_error

T = TypeVar("T")


def form_post(
    request: HttpRequest,
    form: forms.BaseForm,
    write: Callable[[dict[str, Any]], T],
    *,
    success: str | Callable[[T], str],
    redirect_to: str | Callable[[T], str],
    invalid: Callable[[forms.BaseForm], HttpResponse],
) -> HttpResponse:
    """`write(cleaned_data)` for a valid form, then the `success` message and `redirect_to` (a URL or URL name;
    either may be worked out from what `write` returned). Otherwise `invalid(form)`: the page again, with the
    form's errors (the caller picks the status)."""
    if form.is_valid():
        try:
            result = write(form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
    return invalid(form)


def button_post(request: HttpRequest, write: Callable[[], object], *, success: str, redirect_to: str) -> HttpResponse:
    """`write()`, then back to `redirect_to` (a URL or URL name) with the success message or the refusal."""
    try:
        write()
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(redirect_to)
