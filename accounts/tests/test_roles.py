"""The role rules as plain data (no database)."""

from accounts.roles import ADMIN_ROLES, Perm, Role, RoleConflict, perms_for, role_grant_conflict


def test_audit_admin_reads_only_the_audit_log():
    assert perms_for([Role.AUDIT_ADMIN]) == {Perm.AUDIT_READ}


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
