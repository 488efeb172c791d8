from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.errors import ServiceError
from core.numbers import plain
from core.validation import INT_MAX, INT_MIN, Problem, integer_problem, number_problem, problem_text, text_problem


def add_service_error(form: forms.BaseForm, exc: ServiceError) -> None:
    """Show a refused write on the form: on its field when the form has it, else at the top."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def error_text(form: forms.BaseForm) -> str:
    """The form's error messages in one line (for a flash message or a plain-text response), each field's
    prefixed with its label, since a flash message stands away from the field it is about."""
    parts = []
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        for message in messages:
            if field is None:  # the form's own (non-field) errors
                parts.append(str(message))
            else:
                parts.append(_("%(field)s: %(message)s") % {"field": field.label or name, "message": message})
    return " ".join(parts)


def choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's own copy of a model choice field, typed, to narrow its queryset per request."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class PlainDecimalField(forms.DecimalField):
    """A decimal input that shows a stored 226.0000 as 226 (what was typed), not the column's four places."""

    def prepare_value(self, value):
        return plain(value) if isinstance(value, Decimal) else value


class _Check:
    """A field validator running one rule of core.validation, worded with the field's label."""

    def __init__(self, field: forms.Field, name: str, rule) -> None:
        self.label, self.name, self.rule = field.label, name, rule

    def __call__(self, value) -> None:
        problem = self.rule(value)
        if problem is not None:
            raise ValidationError(problem_text(problem, str(self.label or self.name)), code=problem.code)


def _overflow_refused(field: forms.Field, name: str):
    """A choice of a row by id looks the id up: an id beyond the database's integer is refused, not a 500."""
    clean = field.clean

    def checked(value, *rest):
        try:
            return clean(value, *rest)
        except OverflowError:
            raise ValidationError(
                problem_text(Problem("out_of_range", INT_MAX + 1), str(field.label or name)), code="out_of_range"
            ) from None

    return checked


def add_input_checks(form: forms.BaseForm) -> None:
    """Text without control characters, numbers inside their column's range: on every field of the form.

    A DecimalField that names no max_digits gets the widest column's range (numeric(20,4)); an
    IntegerField without max_value PostgreSQL's integer range. Django's own CharField already refuses
    NUL; this also refuses the other control characters, with the project's message.
    """
    for name, field in form.fields.items():
        # The form's own copy of the field: wrapping its clean changes no other form.
        field.clean = _overflow_refused(field, name)  # type: ignore[method-assign]
        if isinstance(field, forms.CharField):
            field.validators.append(_Check(field, name, text_problem))
        elif isinstance(field, forms.DecimalField):
            places = field.decimal_places if field.max_digits is not None else None
            field.validators.append(
                _Check(
                    field,
                    name,
                    lambda v, d=field.max_digits, p=places: number_problem(v, max_digits=d, decimal_places=p),
                )
            )
        elif isinstance(field, forms.FloatField):
            field.validators.append(_Check(field, name, number_problem))
        elif isinstance(field, forms.IntegerField):
            low = INT_MIN if field.min_value is None else max(INT_MIN, field.min_value)
            high = INT_MAX if field.max_value is None else min(INT_MAX, field.max_value)
            field.validators.append(
                _Check(field, name, lambda v, lo=low, hi=high: integer_problem(v, minimum=lo, maximum=hi))
            )


class InputChecks:
    """Mixin of every form in the apps (core/tests/test_validation_forms.py checks that none is left out)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self, forms.BaseForm)  # mixed into forms only
        add_input_checks(self)


class CheckedForm(InputChecks, forms.Form):
    pass


class CheckedModelForm(InputChecks, forms.ModelForm):
    pass
