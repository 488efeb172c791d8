"""Schemathesis against /api/v1/openapi.json, as the demo office user: 0 server errors is the bar.

Run by `make fuzz-api` and in CI (.ci/run); bounded by FUZZ_EXAMPLES per operation (default 10, about 2.5 minutes).
Every operation is called in-process through Django's WSGI handler inside a rolled-back
transaction, so generated writes never leak into other tests.
"""

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from workbench.api import api

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes database connections after each request; Django's test client keeps them
    (else the test's transaction, on PostgreSQL, is gone after the first call)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def office_token(users):
    from accounts.services import token_issue

    return token_issue(user=users["office"])


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_api_operation_gives_a_server_error(case, office_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {office_token}"}, checks=[not_a_server_error])
