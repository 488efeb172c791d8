"""Publishable kinds (民生实事 portal) and map point sources: two small registries on the floor.

The portal (`portal`) and the map (`maps`) sit above the apps that own records (plans, supervision,
projects, enterprises). So that a new kind of record appears on the portal or the map without a line
of code in those two apps, the owner registers it here in its `AppConfig.ready()`::

    from core.publishing import PublicKind, register_public_kind
    register_public_kind(PublicKind(key="project", label=_("Project"), facts=project_facts,
                                    exists=project_exists, internal_url=project_url))

    from core.publishing import MapSource, register_map_source
    register_map_source(MapSource(key="project", label=_("Projects"), points=project_points))

What a kind hands the portal is `PublicFacts`: only what a citizen may read (area, blocks, progress,
plain state, deadline) and the milestone dates and descriptions; the public title, summary, notes and
photos are written by the office in the portal itself. No names, narratives, problems or evidence
ever pass through here.

Pure: no Django import (labels are whatever the registrant passes, lazy strings included).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Plain states a citizen reads (已完成 / 推进中 / 滞后); the portal holds their words.
DONE, IN_PROGRESS, BEHIND = "done", "in_progress", "behind"
PLAIN_STATES = (DONE, IN_PROGRESS, BEHIND)


@dataclass(frozen=True)
class PublicFacts:
    """The computed, publishable facts of one item as of a day."""

    area: str
    blocks: tuple[str, ...]
    state: str  # one of PLAIN_STATES
    progress: float | None  # 0..1, None when the item has no measurable target
    deadline: date | None
    block_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class CandidatePhoto:
    """A photo the office may publish from the item's own records (its bytes are re-encoded first)."""

    ref: str  # stable within the kind, e.g. "evidence:12"
    label: str
    read: Callable[[], bytes]
    preview_url: str = ""


@dataclass(frozen=True)
class PublicKind:
    key: str
    label: Any
    # Bulk: ids → facts as of a day; ids that no longer exist (deleted) are absent.
    facts: Callable[[list[int], date], dict[int, PublicFacts]]
    exists: Callable[[int], bool]
    internal_url: Callable[[int], str]
    internal_title: Callable[[int], str]
    photos: Callable[[int], list[CandidatePhoto]] = lambda _pk: []
    # The item page's timeline: (date, what) of its planned milestones (the index does not need them).
    milestones: Callable[[int], list[tuple[date, str]]] = lambda _pk: []
    # The office adds items of this kind by their code (e.g. a project's 项目编号): code → (id, title,
    # year) of a new draft, None when no record has that code. Kinds without it are added elsewhere.
    draft_by_code: Callable[[str], tuple[int, str, int] | None] | None = None


_KINDS: dict[str, PublicKind] = {}


def register_public_kind(kind: PublicKind) -> PublicKind:
    existing = _KINDS.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"public kind {kind.key!r} is already registered")
    _KINDS[kind.key] = kind
    return kind


def get_public_kind(key: str) -> PublicKind:
    return _KINDS[key]


def public_kinds() -> list[PublicKind]:
    return list(_KINDS.values())


def plain_state(*, done: bool, behind: bool) -> str:
    """已完成 wins; 滞后 for anything lagging, overdue or red; else 推进中 (not started counts as in progress)."""
    if done:
        return DONE
    return BEHIND if behind else IN_PROGRESS


# --- map point sources -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapQuery:
    """What the map asks a source for: the day, the plans chosen, the viewer (for scope), a block id."""

    as_of: date
    plan_ids: tuple[int, ...]
    user: Any
    block_id: int | None = None


@dataclass(frozen=True)
class MapPoint:
    """One item at a WGS-84 position, coloured by its light ("green" | "yellow" | "red" | "" none)."""

    kind: str
    pk: int
    title: str
    lat: float
    lng: float
    light: str
    url: str
    detail: str = ""
    block_ids: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class MapSource:
    key: str
    label: Any
    points: Callable[[MapQuery], Iterable[MapPoint]]


_SOURCES: dict[str, MapSource] = {}


def register_map_source(source: MapSource) -> MapSource:
    existing = _SOURCES.get(source.key)
    if existing is not None and existing != source:
        raise ValueError(f"map source {source.key!r} is already registered")
    _SOURCES[source.key] = source
    return source


def map_sources() -> list[MapSource]:
    return list(_SOURCES.values())


# --- wall screen panels (大屏) -------------------------------------------------------------------------
#
# The hook for the indicators and investment panels (and any later one): an app registers a panel in
# its AppConfig.ready() and the wall shows it in its "more" column, refreshed with the rest:
#
#     register_wall_panel(WallPanel(key="investment", title=_("项目投资"), rows=investment_rows))
#
# `rows(query)` returns (label, value text, light) triples, at most ~8 (the panel shows what fits).


@dataclass(frozen=True)
class WallPanel:
    key: str
    title: Any
    rows: Callable[[MapQuery], list[tuple[str, str, str]]]


_PANELS: dict[str, WallPanel] = {}


def register_wall_panel(panel: WallPanel) -> WallPanel:
    existing = _PANELS.get(panel.key)
    if existing is not None and existing != panel:
        raise ValueError(f"wall panel {panel.key!r} is already registered")
    _PANELS[panel.key] = panel
    return panel


def wall_panels() -> list[WallPanel]:
    return list(_PANELS.values())
