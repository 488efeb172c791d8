"""The role rules as plain data (no database)."""

from accounts.roles import (
    ADMIN_ROLES,
    ApprovalRefusal,
    Perm,
    Role,
    RoleConflict,
    admin_approval_refusal,
    perms_for,
    role_grant_conflict,
    takeover_guarded,
)


def test_audit_admin_reads_only_the_audit_log_and_co_signs_admin_takeovers():
    assert perms_for([Role.AUDIT_ADMIN]) == {Perm.AUDIT_READ, Perm.ADMIN_APPROVE}


def test_system_admin_cannot_read_audit_log_nor_grant_roles():
    perms = perms_for([Role.SYSTEM_ADMIN])
    assert Perm.AUDIT_READ not in perms
    assert Perm.ROLE_GRANT not in perms
    assert Perm.USER_MANAGE in perms


def test_security_admin_grants_roles_but_cannot_manage_users():
    perms = perms_for([Role.SECURITY_ADMIN])
    assert Perm.ROLE_GRANT in perms
    assert Perm.USER_MANAGE not in perms


def test_no_admin_role_sees_business_data():
    for role in ADMIN_ROLES:
        assert not perms_for([role]) & {Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT}


def test_unit_roles_are_scoped_to_their_unit():
    assert Perm.BUSINESS_READ_ALL not in perms_for([Role.UNIT_HEAD, Role.UNIT_REPORTER])
    assert Perm.BUSINESS_READ_UNIT in perms_for([Role.UNIT_REPORTER])


def test_two_admin_roles_conflict():
    for held in ADMIN_ROLES:
        for new in ADMIN_ROLES - {held}:
            assert role_grant_conflict(held=[held], new=new, grantee_id=1, grantor_id=2) == RoleConflict.TWO_ADMIN_ROLES


def test_admin_and_business_roles_conflict_both_ways():
    assert (
        role_grant_conflict(held=[Role.OFFICE], new=Role.AUDIT_ADMIN, grantee_id=1, grantor_id=2)
        == RoleConflict.ADMIN_WITH_BUSINESS
    )
    assert (
        role_grant_conflict(held=[Role.SYSTEM_ADMIN], new=Role.LEADER, grantee_id=1, grantor_id=2)
        == RoleConflict.ADMIN_WITH_BUSINESS
    )


def test_business_roles_combine():
    assert role_grant_conflict(held=[Role.UNIT_REPORTER], new=Role.UNIT_HEAD, grantee_id=1, grantor_id=2) is None


def test_nobody_grants_themselves_a_role():
    assert role_grant_conflict(held=[], new=Role.OFFICE, grantee_id=7, grantor_id=7) == RoleConflict.SELF_GRANT


def test_granting_a_held_role_is_refused():
    assert (
        role_grant_conflict(held=[Role.OFFICE], new=Role.OFFICE, grantee_id=1, grantor_id=2)
        == RoleConflict.ALREADY_HELD
    )


def test_every_admin_duty_is_guarded_against_takeover_and_business_accounts_are_not():
    for role in ADMIN_ROLES:
        assert takeover_guarded([role])
    assert not takeover_guarded([Role.OFFICE, Role.LEADER])
    assert not takeover_guarded([])


def test_an_admin_takeover_is_approved_only_by_a_second_admin_duty():
    sysadmin, secadmin, auditadmin, sysadmin2 = (
        [Role.SYSTEM_ADMIN],
        [Role.SECURITY_ADMIN],
        [Role.AUDIT_ADMIN],
        [Role.SYSTEM_ADMIN],
    )
    ok = {"requester_id": 1, "requester_roles": sysadmin, "target_id": 3}
    assert admin_approval_refusal(approver_id=2, approver_roles=secadmin, **ok) is None
    assert admin_approval_refusal(approver_id=4, approver_roles=auditadmin, **ok) is None
    assert admin_approval_refusal(approver_id=1, approver_roles=sysadmin, **ok) == ApprovalRefusal.OWN_REQUEST
    assert admin_approval_refusal(approver_id=3, approver_roles=secadmin, **ok) == ApprovalRefusal.TARGET
    assert admin_approval_refusal(approver_id=5, approver_roles=sysadmin2, **ok) == ApprovalRefusal.SAME_DUTY
    assert admin_approval_refusal(approver_id=6, approver_roles=[Role.OFFICE], **ok) == ApprovalRefusal.SAME_DUTY
