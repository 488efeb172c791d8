"""Reads of the portal: the public index and item page (cached), and the office's list.

Cache keys carry what invalidates them: the portal epoch (latest `updated_at` and count of items:
every portal write bumps an item's `updated_at`, a deleted item lowers the count), the status epoch
(`reports.rollup_cache.epoch_current`: a new report moves progress and state) and the day. The cache
is Django's default cache (memory per worker); the epochs live in the database, so every worker sees
a publish at once.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max
from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.publishing import PublicFacts, get_public_kind
from portal.models import PublicItem, PublicPhoto, PublicUpdate
from reports.rollup_cache import epoch_current

TIMEOUT = 600
# The public path of each kind: /public/tasks/<id>/, /public/projects/<id>/ (the same ids as inside).
PLURALS = {"task": "tasks", "project": "projects", "enterprise": "enterprises"}


def plural(kind: str) -> str:
    return PLURALS.get(kind, f"{kind}s")


@dataclass
class PublicRow:
    item: PublicItem
    facts: PublicFacts

    @property
    def path(self) -> str:
        return f"/public/{plural(self.item.kind)}/{self.item.object_id}/"

    @property
    def percent(self) -> int | None:
        return None if self.facts.progress is None else round(self.facts.progress * 100)

    @property
    def bar(self) -> int:
        """The progress bar's width class (w0..w20, 5 % steps: the portal's CSP allows no inline style)."""
        return round((self.facts.progress or 0) * 20)


@dataclass
class PublicIndex:
    year: int | None
    years: list[int]
    rows: list[PublicRow]
    areas: list[str]
    blocks: list[str]
    counts: dict[str, int] = field(default_factory=dict)


def portal_epoch() -> str:
    agg = PublicItem.objects.aggregate(latest=Max("updated_at"), n=Count("id"))
    latest = agg["latest"].timestamp() if agg["latest"] else 0
    return f"{latest}:{agg['n']}:{epoch_current()}"


def cached(key: str, compute):
    full_key = f"luoshi:portal:{connection.settings_dict['NAME']}:{key}"
    hit = cache.get(full_key)
    if hit is not None:
        return hit
    value = compute()
    cache.set(full_key, value, TIMEOUT)
    return value


def _facts(items: list[PublicItem], day: date) -> dict[int, PublicFacts]:
    """Facts per item pk, one bulk call per kind; items whose record is gone are absent."""
    by_kind: dict[str, list[PublicItem]] = defaultdict(list)
    for item in items:
        by_kind[item.kind].append(item)
    result: dict[int, PublicFacts] = {}
    for kind, group in by_kind.items():
        try:
            facts = get_public_kind(kind).facts([i.object_id for i in group], day)
        except KeyError:
            continue  # a kind no longer registered shows nothing
        result.update({i.pk: facts[i.object_id] for i in group if i.object_id in facts})
    return result


def public_index(day: date, *, year: int | None = None, area: str = "", block: str = "") -> PublicIndex:
    """The published items of a year (default: the latest year with any), filtered by area and block."""
    years = sorted(PublicItem.objects.filter(is_published=True).values_list("year", flat=True).distinct(), reverse=True)
    if year not in years:
        year = years[0] if years else None
    items = list(PublicItem.objects.filter(is_published=True, year=year).order_by("title", "pk")) if year else []
    facts = _facts(items, day)
    rows = [PublicRow(i, facts[i.pk]) for i in items if i.pk in facts]
    areas = sorted({r.facts.area for r in rows if r.facts.area})
    blocks = sorted({b for r in rows for b in r.facts.blocks})
    if area:
        rows = [r for r in rows if r.facts.area == area]
    if block:
        rows = [r for r in rows if block in r.facts.blocks]
    counts = {state: sum(1 for r in rows if r.facts.state == state) for state in ("done", "in_progress", "behind")}
    return PublicIndex(year, years, rows, areas, blocks, counts)


@dataclass
class PublicDetail:
    item: PublicItem
    facts: PublicFacts
    updates: list[PublicUpdate]
    photos: list[PublicPhoto]
    milestones: list[tuple[date, str]]


def public_detail(kind: str, object_id: int, day: date) -> PublicDetail:
    """A published item's public page, or 404 for anything not published (no existence leak)."""
    item = PublicItem.objects.filter(kind=kind, object_id=object_id, is_published=True).first()
    if item is None:
        raise Http404
    facts = _facts([item], day).get(item.pk)
    if facts is None:
        raise Http404
    milestones = get_public_kind(kind).milestones(object_id)
    return PublicDetail(item, facts, list(item.updates.all()), list(item.photos.all()), milestones)


def public_photo(pk: int) -> PublicPhoto:
    photo = PublicPhoto.objects.select_related("item").filter(pk=pk, item__is_published=True).first()
    if photo is None:
        raise Http404
    return photo


def item_version(kind: str, object_id: int) -> int | None:
    return (
        PublicItem.objects.filter(kind=kind, object_id=object_id, is_published=True)
        .values_list("version", flat=True)
        .first()
    )


def office_items() -> list[PublicItem]:
    return list(PublicItem.objects.annotate(n_photos=Count("photos", distinct=True)).order_by("-year", "title"))


def index_rows_html(rows: list[PublicRow], *, query: str, words: dict[str, str]) -> str:
    """The index's list items, built in Python: 300 rows through the template engine took ~140 ms of a
    cold page (the target is 200 ms for all of it); every value is escaped here as the template would."""
    out = []
    for r in rows:
        f, pct = r.facts, r.percent
        bar = (
            f'<div class="p-bar" role="img" aria-label="{escape(words["progress"])} {pct}%">'
            f'<span class="w{r.bar}"></span></div><div class="p-pct">{pct}%</div>'
            if pct is not None
            else ""
        )
        deadline = f" · {f.deadline:%Y-%m-%d}" if f.deadline else ""
        out.append(
            f'<li class="p-item"><a href="{escape(r.path + query)}" data-testid="public-item-{r.item.object_id}">'
            f'<div class="p-item-head"><strong>{escape(r.item.title)}</strong>'
            f'<span class="p-state p-{f.state}">{escape(words[f.state])}</span></div>{bar}'
            f'<div class="p-meta">{escape(f.area)}{deadline}</div></a></li>'
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every interpolated value is escaped above
