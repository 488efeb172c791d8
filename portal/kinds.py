"""The task kind of the portal's registry (core.publishing): what of a task a citizen may read.

Registered by `PortalConfig.ready()`; projects and enterprises register their own kinds the same way.
"""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.numbers import plain
from core.publishing import CandidatePhoto, PublicFacts, PublicKind, plain_state, register_public_kind
from plans.models import Task
from reports.engine import Light, Status
from reports.selectors import group_keys
from reports.snapshots import statuses_on


def _live(ids: list[int]):
    return Task.objects.filter(pk__in=ids, is_deleted=False)


def task_facts(ids: list[int], day: date) -> dict[int, PublicFacts]:
    tasks = list(_live(ids).with_plan("node").prefetch_related("milestones"))
    if not tasks:
        return {}
    statuses = statuses_on(day, tasks)
    areas = group_keys(tasks, "area")
    blocks = group_keys(tasks, "block")
    facts = {}
    for t in tasks:
        s = statuses[t.pk]
        measurable = t.target_value is not None and s.target > 0
        facts[t.pk] = PublicFacts(
            area=areas[t.pk][0].key if areas[t.pk] and areas[t.pk][0].ref else "",
            blocks=tuple(g.key for g in blocks[t.pk]),
            block_ids=tuple(g.ref for g in blocks[t.pk] if g.ref),
            state=plain_state(
                done=s.status == Status.DONE,
                behind=s.status in (Status.LAGGING, Status.OVERDUE) or s.light == Light.RED,
            ),
            progress=min(max(s.completion, 0.0), 1.0) if measurable else (1.0 if s.status == Status.DONE else None),
            deadline=t.deadline,
            milestones=tuple(
                (m.date, m.description or f"{plain(m.planned_value)}{t.target_unit}") for m in t.milestones.all()
            ),
        )
    return facts


def task_photos(pk: int) -> list[CandidatePhoto]:
    from reports.models import EvidenceFile

    def reader(ev):
        def read() -> bytes:
            with ev.file.open("rb") as handle:
                return handle.read()

        return read

    return [
        CandidatePhoto(
            ref=f"evidence:{ev.pk}",
            label=f"{ev.report.period_end:%Y-%m-%d} {ev.original_name}",
            read=reader(ev),
            preview_url=reverse("reports:evidence_thumb", args=[ev.pk]),
        )
        for ev in EvidenceFile.objects.filter(report__task_id=pk, kind=EvidenceFile.Kind.IMAGE).select_related("report")
    ]


def register() -> None:
    register_public_kind(
        PublicKind(
            key="task",
            label=_("Task"),
            facts=task_facts,
            exists=lambda pk: Task.objects.filter(pk=pk, is_deleted=False).exists(),
            internal_url=lambda pk: reverse("plans:task_detail", args=[pk]),
            internal_title=lambda pk: str(Task.objects.select_related("node").get(pk=pk)),
            photos=task_photos,
        )
    )
