"""Issuing a 督查通报: numbered 第N期 gap-free per year, the .docx and its data stored, audited.

The month's figures read the whole city (2.5–4.8 s for a city, docs/evaluation.md): they are read before the
issuing transaction, on a read replica when one is configured (core/replica.py; the bulletin reports on a
month already begun, and a browser that just wrote reads the primary), and the pages run issuing and
drafts in the queue (evaluation/jobs.py). Only numbering and storing take the transaction's locks."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from core import uploads
from core.errors import ServiceError
from core.replica import replica_reads
from evaluation.bulletin_data import bulletin_data
from evaluation.bulletindoc import build_bulletin_docx
from evaluation.models import Bulletin, BulletinSequence


def parse_month(text: str) -> date:
    """'2021-06' → 2021-06-01; ServiceError naming the field otherwise."""
    try:
        year, month = (int(p) for p in text.strip().split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        raise ServiceError(_("Enter the month as YYYY-MM, e.g. 2021-06."), field="month") from None


def _next_issue(year: int) -> int:
    """The next 期号 of the year, gap-free under concurrent issues: the same lock as order numbers
    (`supervision.services.orders._next_sequence`): the year's counter row is locked and incremented
    inside the issuing transaction, so a failed issue rolls the number back."""
    BulletinSequence.objects.bulk_create([BulletinSequence(year=year, last=0)], ignore_conflicts=True)
    counter = BulletinSequence.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


Stage = Callable[[str], None]  # a background job's progress: the stage's words


def _month_data(
    *, actor: User, month: date, plan_id: int | None, title: str, opening: str, remarks: str, seq: int,
    issued_on: date,
):  # fmt: skip
    with replica_reads():  # the replica when configured and outside a transaction (core/replica.py)
        return bulletin_data(user=actor, month=month, plan_ids=(plan_id,) if plan_id else None,
                             issuer=settings.BULLETIN_ISSUER_NAME, title=title, opening=opening, remarks=remarks,
                             seq=seq, issued_on=issued_on)  # fmt: skip


def bulletin_build(
    *, actor: User, month: date, plan_id: int | None = None, title: str = "", opening: str = "", remarks: str = "",
    seq: int = 0, issued_on: date | None = None, stage: Stage | None = None,
) -> tuple[bytes, dict]:  # fmt: skip
    """The .docx and its data for a month (a draft when seq is 0: nothing stored, nothing numbered)."""
    if stage:
        stage(_("Reading the month's figures"))
    data = _month_data(actor=actor, month=month, plan_id=plan_id, title=title, opening=opening, remarks=remarks,
                       seq=seq, issued_on=issued_on or timezone.localdate())  # fmt: skip
    if stage:
        stage(_("Building the document"))
    return build_bulletin_docx(data), data.to_json()


def bulletin_month_check(month: str | date, issued_on: date | None = None) -> date:
    """The month a bulletin may report on now (ServiceError naming the field otherwise)."""
    day = parse_month(month) if isinstance(month, str) else month
    if day > (issued_on or timezone.localdate()).replace(day=1):
        raise ServiceError(_("A bulletin reports on a month that has begun."), field="month")
    return day


def bulletin_issue(
    *, actor: User, month: str | date, plan_id: int | None = None, title: str = "", opening: str = "",
    remarks: str = "", issued_on: date | None = None, stage: Stage | None = None,
) -> Bulletin:  # fmt: skip
    """Number, build and store the month's bulletin; the units it names and the leaders may download it.
    The figures are read first (outside the transaction: the replica may serve them), then numbered and
    stored in one transaction, so a failure leaves no number used."""
    issued_on = issued_on or timezone.localdate()
    day = bulletin_month_check(month, issued_on)
    if stage:
        stage(_("Reading the month's figures"))
    data = _month_data(actor=actor, month=day, plan_id=plan_id, title=title, opening=opening, remarks=remarks,
                       seq=0, issued_on=issued_on)  # fmt: skip
    if stage:
        stage(_("Building the document"))
    return _bulletin_store(actor=actor, day=day, plan_id=plan_id, opening=opening, remarks=remarks,
                           issued_on=issued_on, data=data)  # fmt: skip


@uploads.atomic
def _bulletin_store(
    *, actor: User, day: date, plan_id: int | None, opening: str, remarks: str, issued_on: date, data
) -> Bulletin:
    seq = _next_issue(issued_on.year)
    numbered = dataclasses.replace(data, seq=seq)
    content, data = build_bulletin_docx(numbered), numbered.to_json()
    sha = hashlib.sha256(content).hexdigest()
    checked = uploads.validate_upload(uploads.Upload(content, f"bulletin-{issued_on.year}-{seq}.docx"))
    stored = uploads.store_upload(checked, folder="bulletins")
    bulletin = Bulletin.objects.create(
        year=issued_on.year, seq=seq, month=day, plan_id=plan_id, issuer=data["issuer"], title=data["title"],
        opening=opening, remarks=remarks, issued_on=issued_on, data=data, file=stored.name, sha256=sha,
        issued_by=actor, period_id=None,
    )  # fmt: skip
    bulletin.units.set(data["named_unit_ids"])
    audit_record(actor=actor, verb="bulletin.issue", obj=bulletin,
                 after={"number": str(bulletin), "month": day.isoformat(), "sha256": sha})  # fmt: skip
    return bulletin


def demo_bulletin(actor: User) -> Bulletin | None:
    """The June 2021 bulletin of the demo (once)."""
    if Bulletin.objects.filter(month=date(2021, 6, 1)).exists():
        return None
    return bulletin_issue(
        actor=actor, month=date(2021, 6, 1), issued_on=date(2021, 7, 5),
        opening="为推动2021年度重点工作任务落实，区委区政府督查室对6月份各项任务推进情况进行了督查，"
                "现将有关情况通报如下（演示数据）。",
        remarks="各单位要对照通报问题逐项整改，滞后任务的牵头单位于7月15日前报送赶工措施；"
                "被通报的督办事项由责任领导牵头研究解决。",
    )  # fmt: skip
