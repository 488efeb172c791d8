"""Shared by the projects services: the refusal, notifications."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders
from core.errors import ServiceError


def _forbidden() -> ServiceError:
    return ServiceError(_("You do not have permission to do this."), code="forbidden")


# === notifications ==============================================================================


def _project_url(obj) -> str:
    from django.urls import reverse

    project_id = obj.project_id if hasattr(obj, "project_id") else obj.pk
    return reverse("projects:detail", args=[project_id])


def _notify_people(people: Iterable[User], *, kind: str, title: str, obj) -> None:
    from notifications.services import notify

    notify(recipients=list(people), kind=kind, title=title, url=_project_url(obj), obj=obj)


def _notify_unit(unit_id: int, role: Role, *, kind: str, title: str, obj) -> None:
    _notify_people(role_holders(role, unit_ids=[unit_id]), kind=kind, title=title, obj=obj)
