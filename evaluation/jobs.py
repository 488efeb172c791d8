"""The 督查通报 in the queue (core/jobs.py): issuing one and drafting one read the whole city's month
(2.5–4.8 s for a city, docs/evaluation.md), so the bulletins page starts a job and sends the office to its
page instead of holding a worker. Issuing keeps its flow: `bulletin_issue` numbers, stores the .docx as the
bulletin's issued document and audits; the job links to the bulletins. A draft's .docx is the job's file."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core.jobs import JobContext, JobResult
from evaluation import selectors
from evaluation.bulletin_service import bulletin_build, bulletin_issue, bulletin_month_check
from evaluation.models import Bulletin

ISSUE = "bulletin_issue"
DRAFT = "bulletin_draft"
STEPS = 2  # reading the month's figures, building the document


def may_issue(user) -> bool:
    return selectors.is_office(user)


def bulletin_job_params(cleaned: dict) -> dict:
    """The form's fields as the job's parameters; the month is checked now (a form error, not a failed job)."""
    bulletin_month_check(cleaned["month"])
    return {k: cleaned.get(k) or "" for k in ("month", "title", "opening", "remarks")}


def _stages(ctx: JobContext):
    steps = iter(range(STEPS))
    return lambda words: ctx.progress(next(steps, STEPS - 1), STEPS, stage=words)


def bulletin_issue_job(ctx: JobContext) -> JobResult:
    p = ctx.params
    bulletin = bulletin_issue(actor=ctx.actor, month=p["month"], title=p["title"], opening=p["opening"],
                              remarks=p["remarks"], stage=_stages(ctx))  # fmt: skip
    return JobResult(message=_("Bulletin %(n)s issued.") % {"n": str(bulletin)}, link=reverse("evaluation:bulletins"))


def bulletin_draft_job(ctx: JobContext) -> JobResult:
    p = ctx.params
    month = bulletin_month_check(p["month"])
    content, _data = bulletin_build(actor=ctx.actor, month=month, title=p["title"], opening=p["opening"],
                                    remarks=p["remarks"], stage=_stages(ctx))  # fmt: skip
    return JobResult(f"督查通报（草稿）{month:%Y-%m}.docx", content, Bulletin.content_type)
