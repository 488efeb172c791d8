from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Perm

# Left navigation by job (SPEC §10). Each entry shows only to users holding one of its permissions;
# None means every logged-in user.
NAV = [
    ("workbench:home", _("Home"), None, "home"),
    ("plans:plan_list", _("Plans"), (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT), "plans"),
    ("plans:task_list", _("Task list"), (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT), "plans"),
    ("plans:change_request_list", _("Change requests"), (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT), "plans"),
    ("reports:inbox", _("My reporting"), (Perm.REPORT_DRAFT, Perm.REPORT_APPROVE), "reports"),
    ("reports:approvals", _("Approvals"), (Perm.REPORT_APPROVE,), "reports"),
    ("reports:cockpit", _("Cockpit"), (Perm.BUSINESS_READ_ALL,), "reports"),
    ("indicators:catalogue", _("Indicators"), (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT), "indicators"),
    ("maps:map", _("Map"), (Perm.BUSINESS_READ_ALL,), "maps"),
    ("projects:list", _("Major projects"), (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT), "projects"),
    (
        "supervision:order_list",
        _("Supervision orders"),
        (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT),
        "supervision",
    ),
    (
        "supervision:instruction_list",
        _("Instructions"),
        (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT),
        "supervision",
    ),
    ("supervision:inspection_list", _("Site inspections"), (Perm.BUSINESS_READ_ALL,), "supervision"),
    (
        "supervision:rectification_list",
        _("Rectifications"),
        (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT),
        "supervision",
    ),
    ("portal:office_list", _("Public portal"), (Perm.PLAN_EDIT,), "portal"),
    ("evaluation:periods", _("Evaluation"), (Perm.BUSINESS_READ_ALL, Perm.REPORT_APPROVE), "evaluation"),
    ("evaluation:bulletins", _("Bulletins"), (Perm.BUSINESS_READ_ALL, Perm.REPORT_APPROVE), "evaluation"),
    (
        "enterprises:overview",
        _("Enterprise assistance"),
        (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT),
        "enterprises",
    ),
    ("enterprises:queue", _("Pending requests"), (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT), "enterprises"),
    ("reports:calendar", _("Work calendar"), (Perm.PLAN_EDIT, Perm.ORG_MANAGE), "admin"),
    ("org:unit_list", _("Organisation"), (Perm.ORG_READ,), "org"),
    ("org:post_list", _("Leader posts"), (Perm.ORG_READ,), "org"),
    ("accounts:user_list", _("Users"), (Perm.USER_READ,), "admin"),
    ("accounts:admin_request_list", _("Admin account requests"), (Perm.USER_MANAGE, Perm.ADMIN_APPROVE), "admin"),
    ("accounts:lockout_list", _("Locked logins"), (Perm.LOCKOUT_MANAGE,), "admin"),
    ("notifications:webhook_list", _("Notification channels"), (Perm.ORG_MANAGE,), "admin"),
    ("audit:event_list", _("Audit log"), (Perm.AUDIT_READ,), "audit"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    current = request.resolver_match.view_name if request.resolver_match else ""
    for url_name, label, perms, _group in NAV:
        if perms is None or any(user.has_luoshi_perm(p) for p in perms):
            items.append({"url": reverse(url_name), "label": label, "active": current == url_name})
    return {"nav_items": items}
