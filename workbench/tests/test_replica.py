"""DATABASE_REPLICA_URL: the cockpit, rollups and exports read the replica; own writes stay visible.

The replica here is a second database holding a copy of the primary taken at one moment (SQLite: a file
made with the online backup API; PostgreSQL: pg_dump into a new database), then left behind: a change
made on the primary afterwards shows which database a read went to. Routing is tested, not streaming
replication.
"""

import copy
import io
import secrets
import sqlite3
import subprocess

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.test import Client

from accounts.models import User
from core.replica import COOKIE, REPLICA, read_alias, replica_reads
from org.models import Unit
from plans.models import Task

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def make_replica(tmp_path):
    """make_replica() → the alias `replica`, a copy of the primary as it is now (removed after the test)."""
    made = []

    def make():
        primary = connections["default"]
        settings_dict = copy.deepcopy(primary.settings_dict)
        if primary.vendor == "postgresql":
            from workbench.backup import _pg_conninfo

            settings_dict["NAME"] = f"h_replica_{secrets.token_hex(4)}"
            with primary.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
            source, env = _pg_conninfo(primary.settings_dict)
            target, _env = _pg_conninfo(settings_dict)
            dump = subprocess.run(["pg_dump", "--format=custom", *source], env=env, capture_output=True, check=True)  # noqa: S603, S607
            subprocess.run(["pg_restore", "--no-owner", *target], env=env, input=dump.stdout, check=True)  # noqa: S603, S607
        else:
            settings_dict["NAME"] = str(tmp_path / "replica.sqlite3")
            primary.ensure_connection()
            copy_db = sqlite3.connect(settings_dict["NAME"])
            primary.connection.backup(copy_db)
            copy_db.close()
        connections.settings[REPLICA] = settings_dict
        connections[REPLICA].connect()
        made.append(settings_dict)
        return REPLICA

    yield make
    for settings_dict in made:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        if settings_dict["ENGINE"].endswith("postgresql"):
            with connections["default"].cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)')


def _unit_keys(client) -> set[str]:
    response = client.get("/api/v1/rollups?by=unit")
    assert response.status_code == 200
    return {row["key"] for row in response.json()}


def test_rollups_and_the_cockpit_read_the_replica_and_a_browser_that_just_wrote_reads_the_primary(make_replica):
    call_command("load_demo", stdout=io.StringIO())
    office = Client()
    office.force_login(User.objects.get(username="office"))
    unit = Unit.objects.filter(pk__in=Task.objects.values("lead_unit")).order_by("pk").first()
    old_name = unit.name
    assert old_name in _unit_keys(office)

    make_replica()
    Unit.objects.filter(pk=unit.pk).update(name="副本之后改名的单位")  # on the primary only

    assert old_name in _unit_keys(office)  # the rollup was read from the replica
    assert "副本之后改名的单位" not in office.get("/cockpit/").content.decode()
    assert Unit.objects.get(pk=unit.pk).name == "副本之后改名的单位"  # other reads: the primary

    # A write (any POST) makes this browser read the primary for a while: its own write is visible.
    office.post("/api/v1/rollups")
    assert COOKIE in office.cookies
    assert "副本之后改名的单位" in _unit_keys(office)
    assert "副本之后改名的单位" in office.get("/cockpit/").content.decode()

    other = Client()  # another browser, no recent write: still the replica
    other.force_login(User.objects.get(username="leader"))
    assert "副本之后改名的单位" not in _unit_keys(other)


def test_inside_a_transaction_and_for_writes_the_primary_is_used(make_replica):
    call_command("load_demo", stdout=io.StringIO())
    make_replica()
    unit = Unit.objects.order_by("pk").first()
    with replica_reads():
        assert read_alias() == REPLICA
        with transaction.atomic():
            assert read_alias() == "default"
            Unit.objects.filter(pk=unit.pk).update(name="事务内改名")
            assert Unit.objects.get(pk=unit.pk).name == "事务内改名"  # read own write inside the block
        assert Unit.objects.get(pk=unit.pk).name == unit.name  # the replica has not seen it
    assert Unit.objects.get(pk=unit.pk).name == "事务内改名"


def test_the_ledgers_hand_written_reads_follow_the_replica_too(make_replica):
    """Co-units, milestones and areas (fixed SQL, core.rows) read where the export's task rows do."""
    from plans.models import PlanNode
    from plans.selectors import area_titles, task_relations

    call_command("load_demo", stdout=io.StringIO())
    candidates = Task.objects.filter(co_units__isnull=False).select_related("node").distinct().order_by("pk")
    task = next(t for t in candidates if area_titles([(t.pk, t.plan_id, t.node.path)]))
    make_replica()
    unit = task.co_units.order_by("pk").first()
    Unit.objects.filter(pk=unit.pk).update(name="复制后改名")
    area = PlanNode.objects.filter(plan_id=task.plan_id, kind=PlanNode.Kind.AREA).order_by("pk")
    area.update(title="复制后改名")
    triple = [(task.pk, task.plan_id, task.node.path)]
    with replica_reads():
        names = {name for _id, name in task_relations([task.pk])[0][task.pk]}
        assert "复制后改名" not in names and unit.name in names
        assert area_titles(triple)[task.pk] != "复制后改名"
    assert "复制后改名" in {name for _id, name in task_relations([task.pk])[0][task.pk]}
    assert area_titles(triple)[task.pk] == "复制后改名"


def test_without_a_replica_every_read_goes_to_the_primary(db):
    with replica_reads():
        assert read_alias() == "default"


def test_the_public_portal_and_bulletins_read_the_replica_and_issuing_numbers_on_the_primary(make_replica):
    """The public pages (index and item) and a bulletin's figures come from the replica; a bulletin is still
    numbered and stored on the primary; an office browser that just wrote sees the primary's portal."""
    import datetime as dt

    from django.core.cache import cache
    from django.utils import timezone

    from evaluation.bulletin_service import bulletin_build, bulletin_issue
    from evaluation.models import Bulletin
    from portal.models import PublicItem

    call_command("load_demo", stdout=io.StringIO())
    item = PublicItem.objects.filter(is_published=True).order_by("pk").first()
    june = dt.date(2021, 6, 1)
    office = User.objects.get(username="office")
    _content, data = bulletin_build(actor=office, month=june)
    named = data["lagging"][0]["unit"]
    make_replica()
    # On the primary only: a new public title (a new epoch too) and a renamed unit the bulletin names.
    PublicItem.objects.filter(pk=item.pk).update(title="副本之后的新标题", updated_at=timezone.now())
    Unit.objects.filter(name=named).update(name="副本之后改名的单位")
    cache.clear()

    anonymous = Client()
    index = anonymous.get(f"/public/?year={item.year}").content.decode()
    assert item.title in index and "副本之后的新标题" not in index
    link = next(line for line in index.split('href="')[1:] if f"public-item-{item.object_id}" in line).split('"')[0]
    assert item.title in anonymous.get(link).content.decode()

    _content, data = bulletin_build(actor=office, month=june)
    assert named in {u["unit"] for u in data["lagging"]}  # the replica's unit name
    seq_before = Bulletin.objects.filter(year=timezone.localdate().year).count()
    issued = bulletin_issue(actor=office, month=june)
    assert issued.seq == seq_before + 1 and Bulletin.objects.filter(pk=issued.pk).exists()  # the primary
    assert named in {u["unit"] for u in issued.data["lagging"]}

    # A browser that just wrote (any POST) reads the primary everywhere, the portal included.
    browser = Client()
    browser.force_login(office)
    browser.post("/api/v1/rollups")
    assert "副本之后的新标题" in browser.get(f"/public/?year={item.year}").content.decode()
