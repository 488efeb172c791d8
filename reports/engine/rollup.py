"""Rollups (汇总): counts and weighted completion of many results per group. Pure: no Django import."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from reports.engine.vocabulary import Light, Status, StatusResult

# === rollups ====================================================================================


@dataclass(slots=True)
class GroupRollup:
    """Counts and weighted completion of one group (a plan node, unit, leader, block, industry …).

    Completion per task is min(actual / target, 1), or 1 when verified done; the
    group's is their weighted mean. Lights are counted as shown (after
    judgements) and as computed, since both stay visible.
    """

    count: int = 0
    by_status: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))
    by_light: dict[Light, int] = field(default_factory=lambda: dict.fromkeys(Light, 0))
    by_computed_light: dict[Light, int] = field(default_factory=lambda: dict.fromkeys(Light, 0))
    total_weight: float = 0.0
    weighted_completion_sum: float = 0.0

    def add(self, result: StatusResult, weight: float = 1.0) -> None:
        if weight < 0:
            raise ValueError(f"weight must not be negative, got {weight}")
        self.count += 1
        self.by_status[result.status] += 1
        self.by_light[result.light] += 1
        self.by_computed_light[result.computed_light] += 1
        self.total_weight += weight
        self.weighted_completion_sum += weight * result.completion

    @property
    def weighted_completion(self) -> float | None:
        """Between 0 and 1; None for an empty group or one whose weights are all zero."""
        return self.weighted_completion_sum / self.total_weight if self.total_weight > 0 else None


def rollup(items: Iterable[tuple[Hashable, StatusResult, float | None]]) -> dict[Hashable, GroupRollup]:
    """Group results by key, e.g. [(unit_id, result, weight), …]; a weight of None counts as 1.

    A task that belongs to several groups (its unit, its leader, its block) is
    passed once per group. Groups come back in order of first appearance.
    """
    groups: dict[Hashable, GroupRollup] = {}
    for key, result, weight in items:
        groups.setdefault(key, GroupRollup()).add(result, 1.0 if weight is None else weight)
    return groups
