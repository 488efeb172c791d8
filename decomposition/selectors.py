"""Reads of the decomposition shared by the review page, the export and the plan-text page."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from decomposition import proposal as rows_mod
from decomposition import suggest as suggest_mod
from decomposition.models import DecompositionDraft
from indicators.models import IndicatorValue
from org.models import LeaderPost, Unit, UnitDuty
from plans.ledger import LedgerRowOut
from plans.models import Plan, PlanNode, Task
from plans.selectors import task_scope


def draft_for_plan(plan: Plan) -> DecompositionDraft | None:
    return DecompositionDraft.objects.filter(plan=plan).select_related("plan", "created_by", "updated_by").first()


@dataclass
class AreaChoice:
    title: str
    exists: bool  # an area node of the plan; otherwise created on accept


def area_choices(plan: Plan, draft: DecompositionDraft) -> list[AreaChoice]:
    """The plan's areas in tree order, then the headings of the proposal that are not areas yet."""
    nodes = plan.nodes.filter(kind=PlanNode.Kind.AREA).order_by("path")
    titles = list(dict.fromkeys(t.strip() for t in nodes.values_list("title", flat=True)))
    choices = [AreaChoice(t, True) for t in titles]
    for row in draft.commitments:
        area = row.get("area")
        if area and area not in titles:
            titles.append(area)
            choices.append(AreaChoice(area, False))
    return choices


@dataclass
class Names:
    posts: dict[int, str]
    units: dict[int, str]
    tasks: dict[int, Task]
    values: dict[int, IndicatorValue] = field(default_factory=dict)


def names_for(draft: DecompositionDraft) -> Names:
    """Titles of posts and units, and the accepted tasks and values, for every row in four queries."""
    task_ids = [r["task"] for r in draft.commitments if r.get("task")]
    value_ids = [r["value_id"] for r in draft.achievements if r.get("value_id")]
    return Names(
        posts=dict(LeaderPost.objects.values_list("pk", "title")),
        units=dict(Unit.objects.values_list("pk", "name")),
        tasks={t.pk: t for t in Task.objects.filter(pk__in=task_ids).select_related("node")},
        values={v.pk: v for v in IndicatorValue.objects.filter(pk__in=value_ids).select_related("indicator")},
    )


def draft_rows(draft: DecompositionDraft) -> tuple[list[dict], list[dict]]:
    """Rows for display: each row's own fields plus names (post, units, task code) and its number."""
    names = names_for(draft)
    commitments = []
    task_ids = [t.pk for t in names.tasks.values()]
    co_units: dict[int, list[str]] = {}
    links = Task.co_units.through.objects.filter(task_id__in=task_ids).order_by("unit__sort_key")
    for task_id, name in links.values_list("task_id", "unit__name"):
        co_units.setdefault(task_id, []).append(name)
    for n, row in enumerate(draft.commitments, start=1):
        task = names.tasks.get(row.get("task") or 0)
        shown = {**row, **_task_fields(task)} if task else row
        commitments.append(
            {
                **shown,
                "n": n,
                "post_title": names.posts.get(shown.get("post") or 0, ""),
                "lead_name": names.units.get(shown.get("lead") or 0, ""),
                "co_names": co_units.get(task.pk, []) if task else _in_unit_order(names, row["co_units"]),
                "task_obj": task,
                "accepted": bool(row.get("task")),
            }
        )
    achievements = []
    for n, row in enumerate(draft.achievements, start=1):
        achievements.append(
            {
                **row,
                "n": n,
                "readable": rows_mod.readable_amount(row.get("value"), row.get("unit") or ""),
                "value_obj": names.values.get(row.get("value_id") or 0),
                "accepted": bool(row.get("value_id")),
            }
        )
    return commitments, achievements


def _in_unit_order(names: Names, pks: list[int]) -> list[str]:
    """Unit names in the units' own (pinyin) order, as the task pages list them."""
    wanted = set(pks)
    return [name for pk, name in names.units.items() if pk in wanted]


def _task_fields(task: Task) -> dict:
    """An accepted row shows its task as it is now (it may have been edited since)."""
    return {
        "title": task.node.title,
        "target_value": rows_mod.number_text(task.target_value),
        "unit": task.target_unit,
        "object": task.object,
        "deadline": task.deadline.isoformat(),
        "modality": task.modality,
        "post": task.responsible_post_id,
        "lead": task.lead_unit_id,
    }


def document_segments(draft: DecompositionDraft) -> list[rows_mod.Segment]:
    """The document cut into plain text and one highlight per proposed item."""
    marks = [(r["start"], r["end"], r["id"], "accepted" if r.get("task") else "commitment") for r in draft.commitments]
    marks += [
        (r["start"], r["end"], r["id"], "accepted" if r.get("value_id") else "achievement") for r in draft.achievements
    ]
    return rows_mod.segments(draft.text, marks)


def draft_ledger_rows(draft: DecompositionDraft) -> list[LedgerRowOut]:
    """The proposal's commitments as rows of the usual 任务分解表 (task code once accepted)."""
    names = names_for(draft)
    year = draft.plan.year
    rows = []
    for row in draft.commitments:
        task = names.tasks.get(row.get("task") or 0)
        try:
            deadline = date.fromisoformat(row["deadline"])
        except (KeyError, TypeError, ValueError):
            deadline = date(year, 12, 31)
        rows.append(
            LedgerRowOut(
                code=task.code if task else "",
                title=row["title"],
                target_value=Decimal(row["target_value"]) if row.get("target_value") is not None else None,
                target_unit=row.get("unit") or "",
                responsible_post=names.posts.get(row.get("post") or 0, ""),
                lead_unit=names.units.get(row.get("lead") or 0, ""),
                co_units=_in_unit_order(names, row.get("co_units") or []),
                deadline=deadline,
                milestones=[],
                area=row.get("area") or "",
                modality=row.get("modality") or "must",
            )
        )
    return rows


@dataclass
class TextMark:
    start: int
    text: str
    task: Task | None = None


def plan_text_segments(plan: Plan, user) -> list[TextMark]:
    """The plan's text with the sentence of each task the user may see highlighted (from source_offset)."""
    text = plan.source_text
    tasks = (
        task_scope(user)
        .filter(plan=plan, source_offset__isnull=False)
        .exclude(source_quote="")
        .select_related("node")
        .order_by("source_offset", "node__path")
    )
    marks: list[tuple[int, int, Task]] = []
    for task in tasks:
        start = task.source_offset
        if (
            start is None
            or start >= len(text)
            or text[start] != next((c for c in task.source_quote if not c.isspace()), "")
        ):
            continue  # the text was edited after the task was made: the offset no longer points at the quote
        marks.append((start, rows_mod.quote_end(text, start, task.source_quote), task))
    pieces: list[TextMark] = []
    position = 0
    for start, end, task in marks:
        if start < position:
            continue  # a sub-task quoting its parent's sentence: the parent's highlight stands
        if start > position:
            pieces.append(TextMark(position, text[position:start]))
        pieces.append(TextMark(start, text[start:end], task))
        position = end
    if position < len(text):
        pieces.append(TextMark(position, text[position:]))
    return pieces


# --- 三定 suggestions ------------------------------------------------------------------------------

SUGGESTION_POOL = 3000  # the most recent decided tasks compared with each row


def decided_tasks() -> list[suggest_mod.Decided]:
    """Tasks whose 三定 the office decided (lead unit set), most recent plans first."""
    tasks = Task.objects.filter(lead_unit__isnull=False, is_deleted=False).select_related("node", "plan")
    tasks = tasks.prefetch_related("co_units").order_by("-plan__year", "-pk")[:SUGGESTION_POOL]
    return [
        suggest_mod.Decided(
            text=f"{task.object} {task.node.title}",
            label=f"{task.plan.title}：{task.node.title}",
            post=task.responsible_post_id,
            lead=task.lead_unit_id,
            co_units=tuple(u.pk for u in task.co_units.all()),
        )
        for task in tasks
    ]


def unit_duties() -> list[suggest_mod.Duty]:
    return [suggest_mod.Duty(unit=d.unit_id, keyword=d.keyword) for d in UnitDuty.objects.filter(unit__is_active=True)]


def row_suggestions(draft: DecompositionDraft, rows: list[dict]) -> dict[str, dict]:
    """row id → the suggested 三定 with names and its reason, for the open commitment rows."""
    decided = decided_tasks()
    duties = unit_duties()
    posts = {p.pk: p.title for p in LeaderPost.objects.all()}
    units = {u.pk: u.name for u in Unit.objects.filter(is_active=True)}
    result: dict[str, dict] = {}
    pool = suggest_mod.Pool.of(decided, duties, units)
    for row in rows:
        if row.get("task") or row.get("accepted"):
            continue
        found = suggest_mod.suggest_from(f"{row.get('object', '')} {row.get('title', '')}", pool, decided)
        if found is None or found.lead is None:
            continue
        result[row["id"]] = {
            "post": found.post,
            "lead": found.lead,
            "co_units": list(found.co_units),
            "post_name": posts.get(found.post, "") if found.post else "",
            "lead_name": units.get(found.lead, ""),
            "co_names": [units[c] for c in found.co_units if c in units],
            "source": found.source,
            "reason": found.reason,
            "score": round(found.score * 100),
            "same": (row.get("post"), row.get("lead"), sorted(row.get("co_units") or []))
            == (found.post, found.lead, sorted(found.co_units)),
        }
    return result


def duty_rows() -> list[tuple[str, list[str]]]:
    """The unit-responsibilities table as (unit name, keywords), in the imported order."""
    rows: dict[str, list[str]] = {}
    for unit, keyword in UnitDuty.objects.select_related("unit").values_list("unit__name", "keyword"):
        rows.setdefault(unit, []).append(keyword)
    return list(rows.items())
