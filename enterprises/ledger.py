"""Ledgers of enterprise assistance: the enterprise list (export, import), the request ledger (诉求台账:
export, import back) and the outcome summary (export). Built with core.xlsx; uploads checked by
core.xlsx_safety before openpyxl reads them; imports are all rows or none (the plans ledger pattern),
each error naming its row and column.

Contact data in exports follows `selectors.contact_rule`: whoever may not read a firm's contact in
clear gets it masked in the file too.

A large import runs in the queue with progress (core/imports.py): the same functions, registered as the
jobs `enterprise_import` and `request_ledger_import`.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts.models import User
from accounts.roles import Perm
from audit.services import audit_record
from core.errors import ServiceError
from core.imports import ImportProgress, counts_summary, reading, register_import, writing
from core.measures import MeasureScope
from core.xlsx import build_table_xlsx
from core.xlsx_safety import xlsx_problem
from enterprises import figures, selectors, services
from enterprises.models import AssistanceRequest, Enterprise, SizeClass
from org.models import Unit

HEADER_ROW, FIRST_DATA_ROW = 2, 3
SIZE_BY_LABEL = {"大": SizeClass.LARGE, "中": SizeClass.MEDIUM, "小": SizeClass.SMALL, "微": SizeClass.MICRO}
LABEL_BY_SIZE: dict[str, str] = {str(v): k for k, v in SIZE_BY_LABEL.items()}

FIRM_COLUMNS = [("name", "企业名称", 30), ("credit_code", "统一社会信用代码", 22), ("industry", "行业", 14),
                ("size", "规模", 6), ("subdistrict", "街道", 12), ("address", "地址", 30),
                ("contact_name", "联系人", 10), ("contact_phone", "联系电话", 14),
                ("officer_unit", "包联单位", 14)]  # fmt: skip
REQUEST_COLUMNS = [("id", "编号", 8), ("credit_code", "统一社会信用代码", 22), ("enterprise", "企业名称", 26),
                   ("category", "类别", 8), ("description", "诉求内容", 40), ("received_on", "受理日期", 12),
                   ("unit", "承办单位", 14), ("due_date", "办理时限", 12), ("state", "状态", 10),
                   ("answer", "办理结果", 30), ("feedback", "企业评价", 10)]  # fmt: skip


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


def _line(row: int, column: str, text: str) -> str:
    if not row:
        return text
    return _("Row %(row)d, column “%(col)s”: %(text)s") % {"row": row, "col": column, "text": text}


# --- exports --------------------------------------------------------------------------------------


def enterprise_export(user) -> bytes:
    rule = selectors.contact_rule(user)
    rows = []
    for e in selectors.enterprise_list(user).iterator(chunk_size=2000):
        name, phone, _clear = rule.contact(e)
        rows.append([e.name, e.credit_code, e.industry, LABEL_BY_SIZE.get(e.size, ""),
                     e.subdistrict.name if e.subdistrict else "", e.address, name, phone,
                     e.officer_unit.name if e.officer_unit else ""])  # fmt: skip
    return build_table_xlsx(
        title=_("Enterprise list"), headers=[h for _k, h, _w in FIRM_COLUMNS], rows=rows,
        widths=[w for _k, _h, w in FIRM_COLUMNS], sheet_name="企业名录",
    )  # fmt: skip


def request_ledger_export(user, *, start: date, end: date) -> bytes:
    qs = (
        selectors.request_scope(user)
        .filter(received_on__range=(start, end))
        .select_related("enterprise", "category", "unit")
        .order_by("received_on", "pk")
    )
    rows = (
        [r.pk, r.enterprise.credit_code, r.enterprise.name, r.category.name, r.description, r.received_on,
         r.unit.name if r.unit else "", r.due_date, r.get_state_display(), r.answer, r.get_feedback_display()
         if r.feedback else ""]
        for r in qs.iterator(chunk_size=2000)
    )  # fmt: skip
    return build_table_xlsx(
        title=_("Request ledger (诉求台账)"), headers=[h for _k, h, _w in REQUEST_COLUMNS], rows=rows,
        widths=[w for _k, _h, w in REQUEST_COLUMNS], sheet_name="诉求台账",
    )  # fmt: skip


def outcome_export(user, scope: MeasureScope) -> bytes:
    """成效汇总: every approved outcome the figures count, in the reader's scope, with a total row."""
    qs = (
        figures.outcome_rows(scope)
        .filter(request__in=selectors.request_scope(user))
        .select_related("request__enterprise", "request__category", "request__unit")
    )
    rows: list[list] = []
    jobs, tax, funds = 0, Decimal(0), Decimal(0)
    for o in qs.order_by("approved_on", "pk").iterator(chunk_size=2000):
        r = o.request
        rows.append([r.enterprise.name, r.enterprise.credit_code, r.category.name, r.unit.name if r.unit else "",
                     o.jobs, o.tax_relieved, o.funds, o.get_funds_channel_display() if o.funds_channel else "",
                     o.approval_days_saved, o.land_mu, o.approved_on])  # fmt: skip
        jobs, tax, funds = jobs + o.jobs, tax + o.tax_relieved, funds + o.funds
    rows.append(["合计", "", "", "", jobs, tax, funds, "", "", "", None])
    headers = ["企业名称", "统一社会信用代码", "类别", "承办单位", "解决用工(人)", "减免税费(元)", "提供资金(元)",
               "资金渠道", "审批提速(工作日)", "用地(亩)", "审核日期"]  # fmt: skip
    return build_table_xlsx(
        title=_("Outcome summary (帮扶成效汇总)"), headers=headers, rows=rows, sheet_name="成效汇总"
    )


# --- reading a workbook ---------------------------------------------------------------------------


def _read_rows(data: bytes, columns: list[tuple[str, str, int]], errors: list[str], progress: ImportProgress | None):
    """(row number, {key: value}) of the data rows, or nothing when the file or its header is wrong;
    `progress` hears the rows read (of the rows the sheet declares)."""
    on_row = reading(progress)
    if not data or not zipfile.is_zipfile(io.BytesIO(data)) or xlsx_problem(data) is not None:
        errors.append(_("The file is not a readable .xlsx workbook (or it is too large)."))
        return []
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001  openpyxl raises many kinds on a damaged file
        errors.append(_("The file is not a readable .xlsx workbook (or it is too large)."))
        return []
    ws = wb.worksheets[0]
    declared = max(0, ws.max_row - HEADER_ROW) if ws.max_row else None
    rows = ws.iter_rows(values_only=True)
    header: tuple = ()
    for _i in range(HEADER_ROW):
        header = next(rows, ()) or ()
    names = [str(h).strip() if h is not None else "" for h in header]
    index = {}
    for key, label, _w in columns:
        if label not in names:
            errors.append(
                _("Column “%(col)s” is missing from the header (row %(row)d).") % {"col": label, "row": HEADER_ROW}
            )
        else:
            index[key] = names.index(label)
    if errors:
        wb.close()
        return []
    out = []
    for number, values in enumerate(rows, start=FIRST_DATA_ROW):
        if on_row is not None:
            on_row(number - HEADER_ROW, declared)
        cells = {k: (values[i] if i < len(values) else None) for k, i in index.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        out.append((number, cells))
    wb.close()
    if not out:
        errors.append(_("The workbook has no data rows."))
    return out


def _s(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_s(value))
    except ValueError:
        return None


# --- enterprise list import -----------------------------------------------------------------------


def may_import(user: User) -> bool:
    return user.has_luoshi_perm(Perm.PLAN_EDIT)


@transaction.atomic
def enterprise_import(*, actor: User, data: bytes, progress: ImportProgress | None = None) -> ImportOutcome:
    """企业名录 import: all rows or none. A firm already listed (same credit code) is updated (merged), not
    doubled; the same code in two rows of the file is an error naming both rows."""
    if not may_import(actor):
        raise services.forbidden()
    outcome = ImportOutcome()
    parsed = _read_rows(data, FIRM_COLUMNS, outcome.errors, progress)
    if outcome.errors:
        return outcome
    label = {k: h for k, h, _w in FIRM_COLUMNS}
    units = {u.name: u for u in Unit.objects.filter(is_active=True)}
    existing = {e.credit_code: e for e in Enterprise.objects.select_for_update()}
    seen: dict[str, int] = {}
    planned: list[tuple[services.EnterpriseData, Enterprise | None]] = []
    for number, cells in parsed:
        code = "".join(_s(cells["credit_code"]).split()).upper()
        if code in seen:
            outcome.errors.append(
                _line(
                    number,
                    label["credit_code"],
                    _("the code %(code)s is also in row %(other)d.") % {"code": code, "other": seen[code]},
                )  # fmt: skip
            )
            continue
        seen[code] = number
        unit_errors = False
        refs = {}
        for key in ("subdistrict", "officer_unit"):
            name = _s(cells[key])
            if name and name not in units:
                outcome.errors.append(_line(number, label[key], _("unknown unit “%(name)s”.") % {"name": name}))
                unit_errors = True
            refs[key] = units.get(name) if name else None
        size_text = _s(cells["size"]) or "小"
        if size_text not in SIZE_BY_LABEL:
            outcome.errors.append(_line(number, label["size"], _("size class must be 大, 中, 小 or 微.")))
            continue
        if unit_errors:
            continue
        row = services.EnterpriseData(
            name=_s(cells["name"]), credit_code=code, industry=_s(cells["industry"]), size=SIZE_BY_LABEL[size_text],
            subdistrict=refs["subdistrict"], address=_s(cells["address"]), contact_name=_s(cells["contact_name"]),
            contact_phone=_s(cells["contact_phone"]), officer_unit=refs["officer_unit"],
        )  # fmt: skip
        try:
            services.check_enterprise_data(row)
        except ServiceError as exc:
            outcome.errors.append(_line(number, label.get(exc.field or "name", label["name"]), exc.message))
            continue
        planned.append((row, existing.get(row.credit_code)))
    if outcome.errors:
        return outcome
    creates, updates = [], []
    for row, firm in writing(planned, progress):
        values = {f: getattr(row, f) for f in ("name", "credit_code", "industry", "size", "subdistrict", "address",
                                               "contact_name", "contact_phone", "officer_unit")}  # fmt: skip
        if firm is None:
            creates.append(Enterprise(**values))
            continue
        if row.contact_name == "" and row.contact_phone == "":
            values.pop("contact_name"), values.pop("contact_phone")  # an export without contacts keeps them
        changed = [k for k, v in values.items() if getattr(firm, k) != v]
        if not changed:
            outcome.unchanged += 1
            continue
        for k in changed:
            setattr(firm, k, values[k])
        firm.save(update_fields=[*changed, "updated_at"])
        updates.append(firm)
    Enterprise.objects.bulk_create(creates, batch_size=2000)
    outcome.created, outcome.updated = len(creates), len(updates)
    audit_record(actor=actor, verb="enterprise.import", after={"created": outcome.created, "updated": outcome.updated})
    return outcome


# --- request ledger import ------------------------------------------------------------------------


@transaction.atomic
def request_ledger_import(*, actor: User, data: bytes, progress: ImportProgress | None = None) -> ImportOutcome:
    """诉求台账 import: all rows or none. A row with a 编号 is a request already recorded: it must match it (the
    same firm) and is left as it is (its handling goes through the workflow); a row without one is a new request
    (firm by credit code, category from the list, received date; a 承办单位 assigns it)."""
    if not may_import(actor):
        raise services.forbidden()
    outcome = ImportOutcome()
    parsed = _read_rows(data, REQUEST_COLUMNS, outcome.errors, progress)
    if outcome.errors:
        return outcome
    label = {k: h for k, h, _w in REQUEST_COLUMNS}
    units = {u.name: u for u in Unit.objects.filter(is_active=True)}
    firms = {e.credit_code: e for e in Enterprise.objects.all()}
    categories = {c.name: c for c in services.RequestCategory.objects.filter(is_active=True)}
    known = dict(AssistanceRequest.objects.values_list("pk", "enterprise__credit_code"))
    new_rows = []
    for number, cells in parsed:
        code = "".join(_s(cells["credit_code"]).split()).upper()
        ident = _s(cells["id"])
        if ident:
            if not ident.isdigit() or int(ident) not in known:
                outcome.errors.append(_line(number, label["id"], _("no request has the number %(n)s.") % {"n": ident}))
            elif known[int(ident)] != code:
                outcome.errors.append(
                    _line(number, label["credit_code"], _("the request belongs to another enterprise."))
                )
            else:
                outcome.unchanged += 1
            continue
        if code not in firms:
            outcome.errors.append(
                _line(number, label["credit_code"], _("no enterprise has the code %(c)s.") % {"c": code})
            )
            continue
        category = categories.get(_s(cells["category"]))
        if category is None:
            outcome.errors.append(
                _line(
                    number,
                    label["category"],
                    _("unknown category “%(c)s”: use one of %(all)s.")
                    % {"c": _s(cells["category"]), "all": "、".join(categories)},
                )  # fmt: skip
            )
            continue
        received = _day(cells["received_on"])
        if received is None:
            outcome.errors.append(_line(number, label["received_on"], _("a date is required (YYYY-MM-DD).")))
            continue
        unit_name = _s(cells["unit"])
        if unit_name and unit_name not in units:
            outcome.errors.append(_line(number, label["unit"], _("unknown unit “%(name)s”.") % {"name": unit_name}))
            continue
        new_rows.append((number, firms[code], category, _s(cells["description"]), received, units.get(unit_name)))
    if outcome.errors:
        return outcome
    for number, firm, category, description, received, unit in writing(new_rows, progress):
        try:
            services.request_create(
                actor=actor, enterprise=firm, category=category, description=description,
                received_on=received, channel=AssistanceRequest.Channel.OTHER, unit=unit,
            )  # fmt: skip
        except ServiceError as exc:
            column = label.get(
                {"received_on": "received_on", "description": "description"}.get(exc.field or "", "description")
            )
            outcome.errors.append(_line(number, column or "", exc.message))
    if outcome.errors:
        transaction.set_rollback(True)
        outcome.unchanged = 0
        return outcome
    outcome.created = len(new_rows)
    return outcome


ENTERPRISE_JOB, REQUEST_JOB = "enterprise_import", "request_ledger_import"


def register() -> None:
    """Both imports in the queue when large (core/imports.py)."""
    register_import(ENTERPRISE_JOB, run=enterprise_import, allowed=may_import, summary=counts_summary,
                    link="enterprises:list")  # fmt: skip
    register_import(REQUEST_JOB, run=request_ledger_import, allowed=may_import, summary=counts_summary,
                    link="enterprises:overview")  # fmt: skip
