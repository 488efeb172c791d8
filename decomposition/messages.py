"""User-facing texts for the codes the pure document reader and row module return."""

from django.utils.translation import gettext as _

from core.uploads import refusal_message
from plans.ledger import LedgerError
from plans.messages import ledger_error_line

DOCUMENT_ERRORS = {
    "empty": lambda: _("The file is empty."),
    "too_large": lambda: refusal_message("too_large"),  # the one upload message table (core.uploads)
    "text_too_long": lambda: _("The text is longer than 500,000 characters: decompose the document in parts."),
    "no_text": lambda: _("The document contains no text."),
    "not_docx": lambda: _("The file is not a valid .docx Word document (it is not a zip package)."),
    "bad_docx": lambda: _("The Word document is damaged. Open it in Word or WPS and save it again as .docx."),
    "old_doc": lambda: _("Old Word documents (.doc) cannot be read. Save it as .docx and try again."),
    "not_pdf": lambda: _("The file is not a valid PDF."),
    "bad_pdf": lambda: _("The PDF is damaged and cannot be read."),
    "pdf_encrypted": lambda: _("The PDF is password-protected. Remove the password and try again."),
    "pdf_no_text": lambda: _(
        "The PDF has no text layer (it is probably a scan). Run text recognition (OCR) on it first, or paste the text."
    ),
    "not_text": lambda: _("The file is not a text, Word (.docx) or PDF document."),
}

PASTE_ERRORS = {
    "empty": lambda: _("Paste the plan text or choose a file."),
}

ROW_ERRORS = {
    "required": lambda: _("This field is required."),
    "not_a_number": lambda: _("Enter a number."),
    "negative": lambda: _("The value cannot be negative."),
    "too_precise": lambda: _(
        "The number is too large or has too many decimals (at most 4 for a target, 6 for a value)."
    ),
    "bad_date": lambda: _("Enter a valid date."),
    "deadline_before_plan_year": lambda: _("The deadline is before the plan year."),
    "bad_modality": lambda: _("Choose 确保 or 力争."),
    "too_long": lambda: _("The text is too long."),
    "bad_period": lambda: _("Write the period as a year (2020) or a span (2016-2020)."),
    "unknown_field": lambda: _("This field cannot be edited."),
    "accepted": lambda: _("This item was already accepted: edit the task or indicator instead."),
    "bad_kind": lambda: _("Choose commitment or achievement."),
    "bad_selection": lambda: _("Select some text of the document first."),
    "target_required": lambda: _("Give the target value."),
    "unit_required": lambda: _("Give the unit of measure."),
    "area_required": lambda: _("Choose the area."),
    "post_required": lambda: _("Assign the responsible leader."),
    "lead_required": lambda: _("Assign the lead unit."),
    "lead_in_co_units": lambda: _("The lead unit cannot also be a co-operating unit."),
    "value_required": lambda: _("Give the value."),
    "value_conflict": lambda: _("This indicator already has a different value for this period."),
    "unknown_unit": lambda: _("Unknown or inactive unit."),
    "unknown_post": lambda: _("Unknown or inactive leader post."),
}


def document_error(code: str) -> str:
    return DOCUMENT_ERRORS[code]()


def row_error(code: str) -> str:
    return ROW_ERRORS.get(code, lambda: code)()


def duty_error_line(row: int, column: str, code: str, value: str) -> str:
    """A problem of the unit-responsibilities workbook, with its row and column (shared wording first)."""
    own = {
        "keyword_too_long": _("The keyword “%(v)s” is longer than 40 characters."),
        "duplicate_unit": _("The unit “%(v)s” is listed twice: put all its keywords in one row."),
        "no_rows": _("The sheet has no unit rows."),
    }
    if code in own:
        text = own[code] % {"v": value} if "%(v)s" in own[code] else own[code]
        if row == 0:
            return text
        return _("Row %(row)d, column “%(col)s”: %(text)s") % {"row": row, "col": column, "text": text}
    return ledger_error_line(LedgerError(row, column, code, value))
