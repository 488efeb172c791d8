"""The personal cards of 工作台 (SPEC §10): what waits for me, by the jobs I hold.

The office sees what waits for its verification; a leader the tasks under his posts and his
instructions; a unit head or reporter the unit's open orders and instructions. Each card reads
one app's selectors; the workbench only arranges them.
"""

from dataclasses import dataclass
from datetime import date

from accounts.roles import Perm


@dataclass(frozen=True)
class PostCard:
    """One leader post on the leader's home: its tasks' lights, linked to the task list."""

    post: object
    rollup: object | None


def suggested_as_of(request, today: date) -> date | None:
    """The last day of the newest tracked plan's year, when every such plan is of a past year and no
    as-of date is chosen: the demo plan is 2021, and "today" in it shows only overdue periods."""
    from django.db.models import Max

    from plans.models import Plan

    if getattr(request, "as_of", None) is not None:
        return None
    newest = Plan.objects.filter(status__in=Plan.TRACKED_STATES).aggregate(year=Max("year"))["year"]
    return date(newest, 12, 31) if newest is not None and newest < today.year else None


def personal_cards(user, today: date) -> dict:
    from plans.selectors import change_requests_pending, posts_held
    from reports.selectors import rollups
    from supervision.selectors import awaiting_office, home_list, leader_instructions, unit_open_items

    cards: dict = {}
    if user.has_luoshi_perm(Perm.PLAN_EDIT):
        cards["office"] = {**awaiting_office(user), "change_requests": home_list(change_requests_pending(user))}
    if user.has_luoshi_perm(Perm.INSTRUCTION_WRITE):
        posts = posts_held(user)
        by_post = {r.key: r.rollup for r in rollups(user, "leader", today)} if posts else {}
        cards["leader_posts"] = [PostCard(p, by_post.get(p.title)) for p in posts]
        cards["leader"] = leader_instructions(user)
    if user.unit_id and (user.has_luoshi_perm(Perm.REPORT_DRAFT) or user.has_luoshi_perm(Perm.REPORT_APPROVE)):
        cards["unit"] = unit_open_items(user)
    return cards
