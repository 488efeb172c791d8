"""User-facing texts for the codes the pure ledger and milestone modules return."""

from django.utils.translation import gettext as _

from plans.ledger import LedgerError


def ledger_error_text(code: str, value: str = "") -> str:
    texts = {
        "empty_file": _("The file is empty."),
        "not_xlsx": _("The file is not an .xlsx workbook (Excel 2007 or later). Save it as .xlsx and try again."),
        "too_large": _("The file is larger than the limit."),
        "no_rows": _("The sheet has no task rows."),
        "missing_column": _("This required column is missing from the header row."),
        "required": _("This cell is required."),
        "not_a_number": _("“%(v)s” is not a number."),
        "negative": _("The target cannot be negative (“%(v)s”)."),
        "unknown_post": _("Unknown leader post “%(v)s”."),
        "unknown_unit": _("Unknown unit “%(v)s”."),
        "lead_in_co_units": _("The lead unit “%(v)s” cannot also be a co-operating unit."),
        "bad_date": _("“%(v)s” is not a valid date (e.g. 2021-12-31 or 2021年12月31日)."),
        "milestone_bad_line": _("Milestone line “%(v)s” does not start with a date."),
        "milestone_bad_date": _("Milestone date “%(v)s” is not a valid date."),
        "milestone_negative": _("Milestone value cannot be negative (“%(v)s”)."),
        "milestone_not_increasing": _("Planned milestone values must not decrease over time."),
        "milestone_after_deadline": _("Milestone “%(v)s” is after the deadline."),
        "deadline_before_start": _("The deadline %(v)s is before the task's start date."),
        "milestone_before_start": _("A milestone is before the task's start date."),
        "target_or_milestones": _("Give a target value or at least one milestone."),
        "unknown_area": _("Unknown area “%(v)s”: it must be an area of this plan."),
        "bad_modality": _("“%(v)s” must be 确保 or 力争."),
        "duplicate_code": _("Task code “%(v)s” appears more than once."),
        "unknown_code": _("Task code “%(v)s” is not in this plan (leave it empty for a new task)."),
        "control_chars": _("The cell contains control characters (such as NUL): remove them."),
        "too_long": _("The cell is too long: at most %(v)s characters."),
        "out_of_range": _("The number is out of range: it must be below %(v)s."),
        "not_finite": _("The number must be finite."),
        "milestone_too_long": _("A milestone description is at most %(v)s characters."),
        "milestone_out_of_range": _("Milestone value “%(v)s” is out of range."),
        "xlsx_entities": _(
            "The workbook contains XML entity declarations, which Excel never writes: it was refused. "
            "Open it in Excel or WPS and save it again as .xlsx."
        ),
        "xlsx_too_large": _("The workbook unpacks to more than %(v)s MB: split it into smaller files."),
        "xlsx_too_many_rows": _("The sheet has more than %(v)s rows: split it into smaller files."),
        "xlsx_not_xlsx": _("The file is not an .xlsx workbook (Excel 2007 or later). Save it as .xlsx and try again."),
        "frozen_target": _("The plan is active: the target changes only through an approved change request."),
        "frozen_deadline": _("The plan is active: the deadline changes only through an approved change request."),
        "refused": "%(v)s",  # a service's own message for the row, already translated
    }
    return texts.get(code, code) % {"v": value} if "%(v)s" in texts.get(code, "") else texts.get(code, code)


def task_dates_text(code: str) -> str:
    """The message for a `milestones.date_order_problem` code on a task form or API write."""
    return {
        "deadline_before_start": _("The deadline is before the start date."),
        "milestone_before_start": _("A milestone is before the start date."),
        "milestone_after_deadline": _("A milestone is after the deadline."),
    }[code]


def ledger_error_line(error: LedgerError) -> str:
    text = ledger_error_text(error.code, error.value)
    if error.row == 0:
        return text
    if not error.column:
        return _("Row %(row)d: %(text)s") % {"row": error.row, "text": text}
    return _("Row %(row)d, column “%(col)s”: %(text)s") % {"row": error.row, "col": error.column, "text": text}


def milestone_error_text(code: str, text: str, line: int) -> str:
    message = ledger_error_text(f"milestone_{code}", text)
    return message if line == 0 else _("Line %(n)d: %(text)s") % {"n": line, "text": message}
