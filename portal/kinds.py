"""The task kind of the portal's registry (core.publishing): what of a task a citizen may read.

Registered by `PortalConfig.ready()`; projects and enterprises register their own kinds the same way.
"""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.numbers import plain
from core.publishing import CandidatePhoto, PublicFacts, PublicKind, plain_state, register_public_kind
from plans import treepath
from plans.models import DimensionTag, Milestone, PlanNode, Task
from reports.engine import Light, Status
from reports.snapshots import statuses_on


def _live(ids: list[int]):
    return Task.objects.filter(pk__in=ids, is_deleted=False)


def _areas_and_blocks(tasks: list[Task]) -> tuple[dict[int, str], dict[int, list[tuple[int, str]]]]:
    """Each task's area (nearest action-area ancestor) and core blocks (tags on its lineage), from the
    tasks' own ancestors only: the same answer as reports' group_keys, without reading every tagged
    node of every plan (a city has thousands)."""
    lineages = {t.pk: treepath.lineage(t.node.path) for t in tasks}
    paths = {p for lineage in lineages.values() for p in lineage}
    nodes = PlanNode.objects.filter(path__in=paths)
    area_title = dict(nodes.filter(kind=PlanNode.Kind.AREA).values_list("path", "title"))
    tagged: dict[str, list[tuple[int, str]]] = {}
    for path, pk, name in nodes.filter(tags__kind=DimensionTag.Kind.BLOCK).values_list(
        "path", "tags__pk", "tags__name"
    ):
        tagged.setdefault(path, []).append((pk, name))
    areas, blocks = {}, {}
    for pk, lineage in lineages.items():
        area = treepath.nearest(lineage[-1], area_title)
        areas[pk] = area_title[area] if area else ""
        blocks[pk] = sorted({b for p in lineage for b in tagged.get(p, ())}, key=lambda b: b[1])
    return areas, blocks


def task_facts(ids: list[int], day: date) -> dict[int, PublicFacts]:
    tasks = list(_live(ids).with_plan("node"))
    if not tasks:
        return {}
    statuses = statuses_on(day, tasks)
    areas, blocks = _areas_and_blocks(tasks)
    facts = {}
    for t in tasks:
        s = statuses[t.pk]
        measurable = t.target_value is not None and s.target > 0
        facts[t.pk] = PublicFacts(
            area=areas.get(t.pk, ""),
            blocks=tuple(name for _pk, name in blocks.get(t.pk, ())),
            block_ids=tuple(pk for pk, _name in blocks.get(t.pk, ())),
            state=plain_state(
                done=s.status == Status.DONE,
                behind=s.status in (Status.LAGGING, Status.OVERDUE) or s.light == Light.RED,
            ),
            progress=min(max(s.completion, 0.0), 1.0) if measurable else (1.0 if s.status == Status.DONE else None),
            deadline=t.deadline,
        )
    return facts


def task_milestones(pk: int) -> list[tuple[date, str]]:
    task = Task.objects.only("target_unit").get(pk=pk)
    return [
        (m.date, m.description or f"{plain(m.planned_value)}{task.target_unit}")
        for m in Milestone.objects.filter(task_id=pk).order_by("date", "pk")
    ]


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
            milestones=task_milestones,
        )
    )
