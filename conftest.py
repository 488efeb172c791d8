"""Shared test base: the demo organisation and named people (STYLE.md §10).

The demo loader runs once per test database; every test then runs inside a
transaction that is rolled back, so tests see the same named users:
office, leader, leader_cj, zjj_head, zjj_reporter, fgw_reporter, sysadmin,
secadmin, auditadmin (password Luoshi@2021) and `outsider` (no role).
"""

import os

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests check what is computed, not how fast: Hypothesis's 200 ms per-example deadline failed
# them on a loaded machine (speed belongs in bench/).
hypothesis_settings.register_profile("luoshi", deadline=None)
hypothesis_settings.load_profile("luoshi")

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The S3 API server fixtures (s3_server, s3_storage) for the object-storage tests.
pytest_plugins = ["core.tests.s3"]

DEMO_PASSWORD = "Luoshi@2021"  # noqa: S105  (the documented demo password)
NAMED = [
    "office",
    "leader",
    "leader_cj",
    "zjj_head",
    "zjj_reporter",
    "fgw_reporter",
    "sysadmin",
    "secadmin",
    "auditadmin",
    # The wall-screen account (大屏): denied every page and API route except /cockpit/wall/ (and /public/).
    "kiosk",
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from accounts.services import user_create
    from org.demo import load_demo_organisation
    from plans.demo import load_demo_plan
    from reports.demo import load_demo_reports

    with django_db_blocker.unblock():
        load_demo_organisation()
        plan = load_demo_plan()
        load_demo_reports(plan)
        from accounts.models import User

        if not User.objects.filter(username="outsider").exists():
            user_create(actor=None, username="outsider", display_name="无角色用户", password=DEMO_PASSWORD, unit=None)


@pytest.fixture
def demo_plan(db):
    from plans.demo import TITLE
    from plans.models import Plan

    return Plan.objects.get(title=TITLE)


@pytest.fixture
def task_by_object(db):
    """task_by_object("老旧小区改造提升") → the demo key task with that object."""
    from plans.models import PlanNode, Task

    def get(obj: str):
        return Task.objects.get(object=obj, node__kind=PlanNode.Kind.KEY_TASK)

    return get


@pytest.fixture
def users(db):
    from accounts.models import User

    return {u.username: u for u in User.objects.filter(username__in=[*NAMED, "outsider"])}


@pytest.fixture
def client_as(users):
    """client_as("office") → a new test client logged in as that demo user (one client per person)."""
    from django.test import Client

    def login(username: str):
        client = Client()
        client.force_login(users[username])
        return client

    return login


@pytest.fixture(autouse=True)
def _stored_files_of_a_rolled_back_test():
    """A test's database transaction is rolled back without running on-commit hooks, so files stored in
    it stay pending in core.uploads' per-thread registry; production ends each request with
    discard_rolled_back(). Delete them here, or the next test's first request would look them up."""
    yield
    from core import uploads

    uploads.discard_uncommitted()


@pytest.fixture
def queue_small(monkeypatch):
    """Every ledger import of more than 5 data rows counts as large (goes to the queue) here; the rule
    itself: core.imports.import_in_queue."""
    from core import imports

    monkeypatch.setattr(imports, "IMPORT_SYNC_MAX_ROWS", 5)


@pytest.fixture
def run_queued(django_capture_on_commit_callbacks):
    """run_queued(job) → its final state: the job run as the queue worker runs it (core.jobs.job_run); the
    stored upload is deleted once the job's end commits."""
    from core import jobs

    def run(job) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            return jobs.job_run(job.pk)

    return run


@pytest.fixture
def job_progress(monkeypatch):
    """The (stage, done, total) of every progress report of the jobs run in the test, in order (each still
    written as usual)."""
    from core import jobs

    seen: list[tuple] = []
    original = jobs.JobContext.progress

    def record(self, done, total=None, *, stage=None, force=False):
        seen.append((stage, done, total))
        return original(self, done, total, stage=stage, force=force)

    monkeypatch.setattr(jobs.JobContext, "progress", record)
    return seen
