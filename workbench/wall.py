"""The wall screen (大屏): the cockpit's figures as one JSON payload the page refreshes in place.

Built from the cockpit (`reports.selectors.cockpit`) and the map (`maps.selectors.map_data`) so the
wall shows the same numbers as the pages behind it, plus the panels other apps register
(`core.publishing.register_wall_panel`: indicators and investment plug in there).

A kiosk account (大屏, `Role.KIOSK`) holds no business permission: on the wall it reads through
`LeaderScope`, which answers like a leader (every unit's tasks) for this payload only.
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Perm
from core.publishing import MapQuery, wall_panels
from maps.selectors import map_data
from reports.engine import Light
from reports.labels import REASON_LABELS
from reports.selectors import cockpit

LEAGUE_SIZE = 5
RED_LIST = 30


class LeaderScope:
    """A read-only stand-in for the kiosk user: every unit's tasks, like a leader, and nothing else."""

    is_authenticated = True
    is_active = True
    unit_id = None
    perms = frozenset({Perm.BUSINESS_READ_ALL})

    def __init__(self, user) -> None:
        self.pk = self.id = user.pk
        self.username = user.username

    def has_luoshi_perm(self, perm) -> bool:
        return perm == Perm.BUSINESS_READ_ALL


def reader(user):
    return LeaderScope(user) if getattr(user, "is_kiosk", False) else user


def _pct(value) -> float:
    return round((value or 0) * 100, 1)


def wall_data(user, as_of: date, plan_ids: tuple[int, ...] | None = None) -> dict:
    who = reader(user)
    c = cockpit(who, as_of, plans=plan_ids)
    units = c.units
    done = c.by_status.get("done", 0)

    def unit_row(rank, r):
        return {
            "rank": rank,
            "name": r.key,
            "tasks": r.rollup.count,
            "completion": _pct(r.rollup.weighted_completion),
            "red": r.rollup.by_light[Light.RED],
        }

    top = [unit_row(i + 1, r) for i, r in enumerate(units[:LEAGUE_SIZE])]
    start = max(len(units) - LEAGUE_SIZE, LEAGUE_SIZE)
    bottom = [unit_row(start + i + 1, r) for i, r in enumerate(units[start:])]
    query = MapQuery(as_of=as_of, plan_ids=c.plan_ids, user=who)
    return {
        "as_of": as_of.isoformat(),
        "generated": timezone.localtime().strftime("%H:%M:%S"),
        "kpis": [
            {"key": "total", "label": _("Tasks"), "value": c.total},
            {"key": "green", "label": _("Green"), "value": c.by_light["green"]},
            {"key": "yellow", "label": _("Yellow"), "value": c.by_light["yellow"]},
            {"key": "red", "label": _("Red"), "value": c.by_light["red"]},
            {"key": "overdue", "label": _("Overdue"), "value": c.by_status.get("overdue", 0)},
            {"key": "done", "label": _("Done"), "value": done},
        ],
        "areas": {
            "names": [r.key for r in c.areas],
            "green": [r.rollup.by_light[Light.GREEN] for r in c.areas],
            "yellow": [r.rollup.by_light[Light.YELLOW] for r in c.areas],
            "red": [r.rollup.by_light[Light.RED] for r in c.areas],
        },
        "league_top": top,
        "league_bottom": bottom,
        "red": [
            {
                "code": t.code,
                "title": t.node.title,
                "unit": t.lead_unit.name if t.lead_unit else "",
                "why": "；".join(str(REASON_LABELS[r]) for r in s.reasons[:2] if r in REASON_LABELS),
            }
            for t, s in c.red[:RED_LIST]
        ],
        "map": map_data(who, as_of, c.plan_ids),
        "panels": [{"key": p.key, "title": str(p.title), "rows": p.rows(query)} for p in wall_panels()],
    }
