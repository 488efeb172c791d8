"""Who may write plans: the one permission check every plan service starts with."""

from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from core.errors import ServiceError


def _require(actor: User | None, perm: Perm) -> None:
    # None is the system itself (the demo loader, the import_tasks command): it is trusted.
    if actor is not None and not actor.has_luoshi_perm(perm):
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")
