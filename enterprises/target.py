"""The "assistance_request" target kind: supervision orders, instructions and findings on an enterprise's request.

Registered in EnterprisesConfig.ready() (enterprises sits above supervision). Who may read a request is the
app's own rule (`selectors.request_scope`); the unit answering for it is its handling unit (else the unit
serving the firm); its responsible leader is the firm's 包联领导.
"""

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from enterprises.figures import request_url
from enterprises.models import AssistanceRequest
from enterprises.selectors import request_scope
from supervision.targets import TargetKind, register_target_kind

KEY = "assistance_request"


def _units(req: AssistanceRequest) -> list:
    if req.unit_id:
        return [req.unit]
    return [req.enterprise.officer_unit] if req.enterprise.officer_unit_id else []


def _leaders(req: AssistanceRequest) -> list[User]:
    post_id = req.enterprise.leader_post_id
    if not post_id:
        return []
    return list(User.objects.filter(is_active=True, leader_posts=post_id, leader_posts__is_active=True))


def register_request_kind() -> TargetKind:
    return register_target_kind(
        TargetKind(
            key=KEY,
            model=AssistanceRequest,
            label=_("Enterprise request"),
            visible_to=request_scope,
            units=_units,
            title=lambda r: f"{r.enterprise.name} · {r.category.name}",
            url=request_url,
            leaders=_leaders,
            select_related=("enterprise", "category"),
        )
    )
