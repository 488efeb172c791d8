"""User-facing texts for the indicator ledger's error codes (the common ones are the task ledger's)."""

from django.utils.translation import gettext as _

from plans.ledger import LedgerError
from plans.messages import ledger_error_text


def _text(code: str, value: str) -> str:
    texts = {
        "unknown_period": _("“%(v)s” is not a period: write 2021, 2021Q1, 2021-03 or 2016-2020."),
        "duplicate_period": _("The period “%(v)s” appears twice in the header."),
        "no_periods": _("The header has no period columns."),
        "bad_kind": _("“%(v)s” must be 预计, 快报 or 年报."),
        "duplicate_row": _("The same indicator, unit and kind are already on row %(v)s."),
        "unknown_indicator": _("Unknown indicator “%(v)s”: create it in the catalogue first."),
        "unit_mismatch": _("The unit “%(v)s” cannot be converted into the indicator's unit."),
        "not_yours": _("You may enter values only for your unit's indicators (“%(v)s”)."),
        "computed": _("“%(v)s” is a computed indicator: its values come from records."),
        "period_frequency": _("The period %(v)s does not fit the indicator's frequency."),
        "duplicate_final": _("A final value for %(v)s is already recorded; a final value is entered once."),
    }
    if code in texts:
        return texts[code] % {"v": value}
    return ledger_error_text(code, value)


def ledger_error_line(error: LedgerError) -> str:
    text = _text(error.code, error.value)
    if error.row == 0:
        return text
    if not error.column:
        return _("Row %(row)d: %(text)s") % {"row": error.row, "text": text}
    return _("Row %(row)d, column “%(col)s”: %(text)s") % {"row": error.row, "col": error.column, "text": text}
