"""Login throttling on top of django-axes: per account and address, per address, per account.

AXES_LOCKOUT_PARAMETERS lists three keys, in this order, each with its own limit (axes has one limit,
so this handler turns the three sums into the one number axes compares with AXES_FAILURE_LIMIT):

1. (username, address): AXES_FAILURE_LIMIT (5) wrong passwords lock that account *from that address*.
   Someone elsewhere cannot lock a leader out of their own office with five requests.
2. address: LOCKOUT_ADDRESS_LIMIT wrong passwords from one address on any accounts throttle the
   address (password spraying). High enough for a sub-district office behind one NAT address.
3. username: LOCKOUT_ACCOUNT_LIMIT wrong passwords on one account from any addresses lock it
   everywhere (a distributed guess at one account): the office sees it on the locked-accounts page.

All windows are AXES_COOLOFF_TIME (15 minutes); lockouts are audited (accounts.signals).
"""

from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone

PAIR, ADDRESS, ACCOUNT = 0, 1, 2


class LuoshiAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        sums = [
            qs.aggregate(n=Sum("failures_since_start"))["n"] or 0 for qs in self.get_user_attempts(request, credentials)
        ]
        if (
            sums[ADDRESS] >= settings.LUOSHI_LOCKOUT_ADDRESS_LIMIT
            or sums[ACCOUNT] >= settings.LUOSHI_LOCKOUT_ACCOUNT_LIMIT
        ):
            return max(sums[PAIR], settings.AXES_FAILURE_LIMIT)
        return sums[PAIR]

    def reset_user_attempts(self, request, credentials=None) -> int:
        # A good password clears that account's failures from that address only: an attacker spraying
        # from one address must not wipe the address's count by logging in to an account of their own.
        count, _unused = self.filter_user_attempts(request, credentials)[PAIR].delete()
        return count


@dataclass
class Lockout:
    kind: str  # "pair" | "address" | "account"
    username: str
    ip_address: str
    failures: int
    last_attempt: datetime
    until: datetime


def _window_start() -> datetime:
    return timezone.now() - settings.AXES_COOLOFF_TIME


def address_throttled(ip: str) -> bool:
    total = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=_window_start()).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return (total or 0) >= settings.LUOSHI_LOCKOUT_ADDRESS_LIMIT


def active_lockouts() -> list[Lockout]:
    """Every lockout in force now, newest first: accounts from an address, addresses, accounts."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=_window_start())
    cool = settings.AXES_COOLOFF_TIME
    found: list[Lockout] = []
    groups = [
        ("pair", ("username", "ip_address"), settings.AXES_FAILURE_LIMIT),
        ("address", ("ip_address",), settings.LUOSHI_LOCKOUT_ADDRESS_LIMIT),
        ("account", ("username",), settings.LUOSHI_LOCKOUT_ACCOUNT_LIMIT),
    ]
    for kind, keys, limit in groups:
        rows = (
            recent.values(*keys).annotate(n=Sum("failures_since_start"), last=Max("attempt_time")).filter(n__gte=limit)
        )
        for row in rows:
            found.append(
                Lockout(
                    kind=kind,
                    username=row.get("username") or "",
                    ip_address=row.get("ip_address") or "",
                    failures=row["n"],
                    last_attempt=row["last"],
                    until=row["last"] + cool,
                )
            )
    return sorted(found, key=lambda lock: lock.last_attempt, reverse=True)
