from decimal import Decimal

from django import forms

from core.errors import ServiceError
from core.numbers import plain


def add_service_error(form: forms.Form, exc: ServiceError) -> None:
    """Show a refused write on the form: on its field when the form has it, else at the top."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


class PlainDecimalField(forms.DecimalField):
    """A decimal input that shows a stored 226.0000 as 226 (what was typed), not the column's four places."""

    def prepare_value(self, value):
        return plain(value) if isinstance(value, Decimal) else value
