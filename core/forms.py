from django import forms

from core.errors import ServiceError


def add_service_error(form: forms.Form, exc: ServiceError) -> None:
    """Show a refused write on the form: on its field when the form has it, else at the top."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
