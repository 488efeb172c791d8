"""role_holders: the one answer to "who holds role R (in unit U)"."""

import pytest

from accounts.roles import Role
from accounts.selectors import role_holders

pytestmark = pytest.mark.django_db


def test_role_holders_are_the_active_people_of_the_unit_each_once(users):
    head, reporter = users["zjj_head"], users["zjj_reporter"]
    both = list(role_holders(Role.UNIT_HEAD, Role.UNIT_REPORTER, unit_ids=[head.unit_id]))
    assert head in both and reporter in both and len(both) == len(set(both))
    assert users["fgw_reporter"] not in both
    reporter.is_active = False
    reporter.save(update_fields=["is_active"])
    assert reporter not in role_holders(Role.UNIT_REPORTER, unit_ids=[head.unit_id])


def test_role_holders_without_units_span_the_district(users):
    assert list(role_holders(Role.OFFICE)) == [users["office"]]
