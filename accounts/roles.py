"""Roles and what each may do. Pure: no Django import, tested with plain data.

SPEC §1. The three admin duties are separated as MLPS 2.0 (等保2.0 三员分立)
requires: the system admin runs users and configuration, the security admin
grants roles, the audit admin only reads the audit log.
"""

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    OFFICE = "office"  # 督查室
    LEADER = "leader"  # 区领导 / 分管领导
    UNIT_HEAD = "unit_head"  # 单位负责人
    UNIT_REPORTER = "unit_reporter"  # 单位填报员
    SYSTEM_ADMIN = "system_admin"  # 系统管理员
    SECURITY_ADMIN = "security_admin"  # 安全管理员
    AUDIT_ADMIN = "audit_admin"  # 审计管理员
    # 大屏: the command hall's wall PC. Reads the wall screen (over every unit's tasks, like a leader)
    # and nothing else: no page, no API, no write; its session is held to the wall URL
    # (workbench.middleware.KioskMiddleware).
    KIOSK = "kiosk"


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
BUSINESS_ROLES = frozenset({Role.OFFICE, Role.LEADER, Role.UNIT_HEAD, Role.UNIT_REPORTER})


class Perm(StrEnum):
    """Capabilities checked by views, API and exports (never role names directly)."""

    BUSINESS_READ_ALL = "business.read_all"  # every unit's tasks, reports, orders
    BUSINESS_READ_UNIT = "business.read_unit"  # only where the own unit leads or co-operates
    PLAN_EDIT = "plan.edit"
    REPORT_DRAFT = "report.draft"
    REPORT_APPROVE = "report.approve"
    INSTRUCTION_WRITE = "instruction.write"
    ORG_READ = "org.read"
    ORG_MANAGE = "org.manage"
    USER_READ = "user.read"
    USER_MANAGE = "user.manage"
    ROLE_GRANT = "role.grant"
    AUDIT_READ = "audit.read"
    # Approve a takeover-class action (password reset, deactivation) on an admin account requested by
    # another admin duty; the approver must hold a duty the requester does not (admin_approval_refusal).
    ADMIN_APPROVE = "admin.approve"
    LOCKOUT_MANAGE = "lockout.manage"  # see and lift login lockouts
    WALL_VIEW = "wall.view"  # the wall screen (大屏) alone


ROLE_PERMS: dict[Role, frozenset[Perm]] = {
    Role.OFFICE: frozenset({Perm.BUSINESS_READ_ALL, Perm.PLAN_EDIT, Perm.ORG_READ, Perm.LOCKOUT_MANAGE}),
    Role.LEADER: frozenset({Perm.BUSINESS_READ_ALL, Perm.INSTRUCTION_WRITE, Perm.ORG_READ}),
    Role.UNIT_HEAD: frozenset({Perm.BUSINESS_READ_UNIT, Perm.REPORT_APPROVE, Perm.ORG_READ}),
    Role.UNIT_REPORTER: frozenset({Perm.BUSINESS_READ_UNIT, Perm.REPORT_DRAFT, Perm.ORG_READ}),
    Role.SYSTEM_ADMIN: frozenset({Perm.ORG_READ, Perm.ORG_MANAGE, Perm.USER_READ, Perm.USER_MANAGE}),
    # The security admin must find users to grant roles, but may not create or edit them.
    Role.SECURITY_ADMIN: frozenset({Perm.USER_READ, Perm.ROLE_GRANT, Perm.ADMIN_APPROVE, Perm.LOCKOUT_MANAGE}),
    # Sees no business data: only the audit log, and co-signs takeover-class actions on admin accounts
    # (so a security admin who is the target himself is not the only one who could approve).
    Role.AUDIT_ADMIN: frozenset({Perm.AUDIT_READ, Perm.ADMIN_APPROVE}),
    Role.KIOSK: frozenset({Perm.WALL_VIEW}),
}


def perms_for(roles: Iterable[str]) -> frozenset[Perm]:
    granted: set[Perm] = set()
    for role in roles:
        granted |= ROLE_PERMS.get(Role(role), frozenset())
    return frozenset(granted)


class RoleConflict(StrEnum):
    TWO_ADMIN_ROLES = "two_admin_roles"
    ADMIN_WITH_BUSINESS = "admin_with_business"
    ALREADY_HELD = "already_held"
    SELF_GRANT = "self_grant"
    KIOSK_ALONE = "kiosk_alone"


def role_grant_conflict(*, held: Iterable[str], new: str, grantee_id: int, grantor_id: int) -> RoleConflict | None:
    """Why granting `new` to a user holding `held` is refused, or None when allowed.

    An admin duty is never combined with another admin duty nor with business
    work, and nobody grants a role to themselves: otherwise one person could
    act and then erase or approve the trace of it.
    """
    held_roles = {Role(r) for r in held}
    new_role = Role(new)
    if grantee_id == grantor_id:
        return RoleConflict.SELF_GRANT
    if new_role in held_roles:
        return RoleConflict.ALREADY_HELD
    if (new_role == Role.KIOSK and held_roles) or Role.KIOSK in held_roles:
        # A kiosk account is a shared screen in a public hall: it holds no other role, nor the reverse.
        return RoleConflict.KIOSK_ALONE
    if new_role in ADMIN_ROLES and held_roles & ADMIN_ROLES:
        return RoleConflict.TWO_ADMIN_ROLES
    if (new_role in ADMIN_ROLES and held_roles & BUSINESS_ROLES) or (
        new_role in BUSINESS_ROLES and held_roles & ADMIN_ROLES
    ):
        return RoleConflict.ADMIN_WITH_BUSINESS
    return None


def takeover_guarded(target_roles: Iterable[str]) -> bool:
    """Whether resetting the password of, or deactivating, an account holding `target_roles` needs a
    second admin duty's approval: true for every admin duty (another duty's holder and one's own peer),
    since whoever sets an admin's password can log in as that admin."""
    return bool({Role(r) for r in target_roles} & ADMIN_ROLES)


class ApprovalRefusal(StrEnum):
    OWN_REQUEST = "own_request"
    TARGET = "target"
    SAME_DUTY = "same_duty"


def admin_approval_refusal(
    *,
    approver_id: int,
    approver_roles: Iterable[str],
    requester_id: int,
    requester_roles: Iterable[str],
    target_id: int,
) -> ApprovalRefusal | None:
    """Why `approver` may not approve a takeover-class request, or None when allowed.

    The approval must come from a second admin duty: not the requester, not the account concerned
    (who could otherwise approve their own reset after it was requested by an accomplice), and from
    an admin duty the requester does not hold.
    """
    if approver_id == requester_id:
        return ApprovalRefusal.OWN_REQUEST
    if approver_id == target_id:
        return ApprovalRefusal.TARGET
    approver_duties = {Role(r) for r in approver_roles} & ADMIN_ROLES
    if not approver_duties - {Role(r) for r in requester_roles}:
        return ApprovalRefusal.SAME_DUTY
    return None
