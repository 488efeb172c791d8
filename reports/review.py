"""The head's review (审核) of a reviewed report, one rule for progress reports and project monthly reports."""

from typing import TypeVar

from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from core.errors import ServiceError
from reports.models import ReviewedReport

R = TypeVar("R", bound=ReviewedReport)


def review_lock(actor: User, report: R, *, related: tuple[str, ...] = ()) -> R:
    """The report locked for the head's decision: only its unit's head decides, only a submitted report.

    Locked (SELECT … FOR UPDATE) so that two heads, or a head and a reporter withdrawing, cannot both win.
    """
    if not actor.has_luoshi_perm(Perm.REPORT_APPROVE) or actor.unit_id != report.unit_id:
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")
    locked = type(report)._default_manager.select_for_update().select_related(*related).get(pk=report.pk)
    if locked.state != ReviewedReport.State.SUBMITTED:
        raise ServiceError(
            _("Only a submitted report can be approved or returned; this one is %(state)s.")
            % {"state": locked.get_state_display()},
            code="not_submitted",
        )
    return locked
