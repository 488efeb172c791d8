"""督查对象: the kinds of object an order, an instruction or an inspection finding can be about.

Supervision targets any object through one generic link (content type + id), never a copy
per kind. Each kind is registered once, by the app that owns the model, in its
`AppConfig.ready()` (supervision registers "task"; projects and enterprises sit above
supervision in the layers and register theirs). A kind says who may read its objects,
which units answer for one, and how to name and link it. See docs/supervision.md, "Targets".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.access import out_of_scope
from core.errors import ServiceError

if TYPE_CHECKING:
    from accounts.models import User
    from org.models import Unit


def _no_leaders(obj: Any) -> list[User]:
    return []


@dataclass(frozen=True)
class TargetKind:
    """One kind of supervised object. Every callable takes the object (or the user) and nothing else."""

    key: str  # "task", "project", "project_problem", "assistance_request"
    model: type[models.Model]
    label: Any  # lazy UI label, e.g. _("Task") -> 任务
    visible_to: Callable[[User], QuerySet]  # the objects of this kind the user may read (the kind's own rule)
    units: Callable[[Any], list[Unit]]  # the responsible units of one object, lead unit first
    title: Callable[[Any], str]  # short human title (with its code)
    url: Callable[[Any], str]  # its detail page
    # The responsible leaders (责任领导) of one object: the escalation ladder's LEADER rung. Optional.
    leaders: Callable[[Any], list[User]] = _no_leaders
    # Relations `title` reads, joined when lists prefetch their targets (no query per row). Optional.
    select_related: tuple[str, ...] = ()


_BY_KEY: dict[str, TargetKind] = {}
_BY_MODEL: dict[type[models.Model], TargetKind] = {}


def register_target_kind(kind: TargetKind) -> TargetKind:
    """Register a kind (idempotent for the same key and model; a key or model taken by another kind is refused)."""
    taken = _BY_KEY.get(kind.key)
    if taken is not None and taken.model is not kind.model:
        raise ValueError(f"target kind {kind.key!r} is already registered for {taken.model._meta.label}")
    other = _BY_MODEL.get(kind.model)
    if other is not None and other.key != kind.key:
        raise ValueError(f"{kind.model._meta.label} is already registered as target kind {other.key!r}")
    _BY_KEY[kind.key] = kind
    _BY_MODEL[kind.model] = kind
    return kind


def unregister_target_kind(key: str) -> None:
    """Remove a kind (tests that register a kind of their own clean up with this)."""
    kind = _BY_KEY.pop(key, None)
    if kind is not None:
        _BY_MODEL.pop(kind.model, None)


def target_kinds() -> list[TargetKind]:
    return list(_BY_KEY.values())


def target_kind(key: str) -> TargetKind:
    """The kind registered under `key`; LookupError naming the known kinds otherwise."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise LookupError(f"unknown target kind {key!r}; known: {', '.join(sorted(_BY_KEY)) or 'none'}") from None


def target_kind_of(obj: Any) -> TargetKind:
    """The kind of an object, by its model (a proxy or subclass finds its concrete model's kind)."""
    model = type(obj)
    kind = _BY_MODEL.get(model) or _BY_MODEL.get(model._meta.concrete_model)
    if kind is None:
        raise LookupError(f"{model._meta.label} is not a registered target kind")
    return kind


def target_get_for_user(user, key: str, pk: int) -> Any:
    """The object of kind `key`, or 404 outside the user's scope (core.access.out_of_scope)."""
    kind = target_kind(key)
    obj = kind.visible_to(user).filter(pk=pk).first()
    if obj is None:
        raise out_of_scope(kind.model, pk)
    return obj


def target_ref(obj: Any) -> tuple[str, int]:
    """(kind key, pk): how a target travels in URLs (`?target=task:12`) and the API."""
    return target_kind_of(obj).key, obj.pk


# --- helpers the supervision services, pages and API share ----------------------------------------


def target_visible(user, obj: Any) -> bool:
    return target_kind_of(obj).visible_to(user).filter(pk=obj.pk).exists()


def msg_unknown_kind(key: str) -> str:
    return _("Unknown kind of object “%(key)s”; use one of: %(known)s.") % {
        "key": key,
        "known": "、".join(sorted(_BY_KEY)),
    }


def parse_target(raw: str, *, field: str = "target") -> tuple[str, int]:
    """'<kind>:<id>' → (kind, id); a clear ServiceError naming the field for anything else."""
    key, sep, pk = (raw or "").strip().partition(":")
    if not sep or not pk.isdigit():
        raise ServiceError(
            _("Write the object as <kind>:<id>, e.g. task:12 (got “%(raw)s”).") % {"raw": raw}, field=field
        )
    if key not in _BY_KEY:
        raise ServiceError(msg_unknown_kind(key), field=field)
    return key, int(pk)


def target_resolve(user, raw: str, *, field: str = "target") -> Any:
    """'<kind>:<id>' → the object, checked: bad text or an unknown kind is a ServiceError, outside scope 404."""
    key, pk = parse_target(raw, field=field)
    return target_get_for_user(user, key, pk)


def target_querysets() -> list[QuerySet]:
    """One queryset per kind, with the relations its title reads: for GenericPrefetch on target links."""
    return [kind.model._base_manager.select_related(*kind.select_related) for kind in _BY_KEY.values()]


def target_content_type(obj_or_model: Any) -> ContentType:
    # for_concrete_model: a proxy's links are stored under its concrete model, as the registry looks them up.
    return ContentType.objects.get_for_model(obj_or_model)


@dataclass(frozen=True)
class TargetView:
    """A target as pages and the API show it: kind, id, kind label, title and link."""

    kind: str
    id: int
    label: str
    title: str
    url: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "title": self.title, "url": self.url}


def target_view(obj: Any) -> TargetView:
    kind = target_kind_of(obj)
    return TargetView(kind=kind.key, id=obj.pk, label=str(kind.label), title=kind.title(obj), url=kind.url(obj))


def lead_unit(obj: Any) -> Unit | None:
    """The unit that answers for an object by default (the first of its kind's `units`)."""
    units = target_kind_of(obj).units(obj)
    return units[0] if units else None
