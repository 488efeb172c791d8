"""Reads on the organisation, shared by pages and API."""

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from org.models import LeaderPost, Unit


def unit_list(*, active_only: bool = False) -> QuerySet[Unit]:
    qs = Unit.objects.select_related("parent").annotate(user_count=Count("users"))
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("sort_key")


@dataclass
class UnitNode:
    unit: Unit
    depth: int
    children: list["UnitNode"] = field(default_factory=list)


def unit_tree() -> list[UnitNode]:
    """The unit tree in one query, each level in pinyin order."""
    units = list(unit_list())
    by_parent: dict[int | None, list[Unit]] = {}
    for unit in units:
        by_parent.setdefault(unit.parent_id, []).append(unit)

    def build(parent_id: int | None, depth: int) -> list[UnitNode]:
        return [UnitNode(u, depth, build(u.pk, depth + 1)) for u in by_parent.get(parent_id, [])]

    return build(None, 0)


def unit_tree_rows() -> list[UnitNode]:
    """The tree flattened depth-first, for a table with indentation."""
    rows: list[UnitNode] = []

    def walk(nodes: list[UnitNode]) -> None:
        for node in nodes:
            rows.append(node)
            walk(node.children)

    walk(unit_tree())
    return rows


def post_list() -> QuerySet[LeaderPost]:
    return LeaderPost.objects.select_related("holder", "holder__unit").order_by("rank", "title")
