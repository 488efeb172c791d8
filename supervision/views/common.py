"""What the supervision pages share: who reads them, who acts for a unit."""

from accounts.roles import Perm

READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)
UNIT_ROLES = (Perm.REPORT_DRAFT, Perm.REPORT_APPROVE)


def in_unit(user, unit_id: int) -> bool:
    return user.unit_id == unit_id and any(user.has_luoshi_perm(p) for p in UNIT_ROLES)
