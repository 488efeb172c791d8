"""Date rules shared by reports, orders and follow-ups."""

from datetime import date, datetime

from django.utils import timezone


def done_after(moment: datetime | None, due: date) -> bool:
    """Whether something done at `moment` (None: not done yet) came after its due day, in Asia/Shanghai."""
    return moment is not None and timezone.localtime(moment).date() > due
