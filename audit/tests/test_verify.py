"""audit_verify against the keyring and the anchor file: the attacks of issue 12 §2, key rotation,
the re-sealing migration, and a break reported without a traceback."""

import hashlib
import importlib
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from audit import chain
from audit.models import AuditChainHead, AuditEvent
from audit.services import audit_anchor, audit_record, event_content

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def run_verify(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code), out.getvalue().strip(), err.getvalue()
    return 0, out.getvalue().strip(), err.getvalue()


def add_events(n: int) -> list[AuditEvent]:
    return [audit_record(verb="test.event", object_type="test", object_id=i) for i in range(n)]


def recompute_with_plain_sha256() -> None:
    """What an insider with database access but without the key can do: rebuild every link and hash."""
    prev = chain.GENESIS
    for event in AuditEvent.objects.order_by("id"):
        content = event_content(event)
        digest = hashlib.sha256((prev + chain.canonical(content)).encode()).hexdigest()
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=prev, hash=digest)
        prev = digest
    AuditChainHead.objects.filter(id=1).update(last_hash=prev, count=AuditEvent.objects.count())


def test_deleting_eleven_events_and_recomputing_the_chain_without_the_key_is_broken():
    add_events(20)
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    victims = ids[-15:-4]
    AuditEvent.objects.filter(pk__in=victims).delete()
    recompute_with_plain_sha256()
    code, out, err = run_verify()
    assert code == 1
    # The first event is already a forgery: every hash was recomputed without the key.
    assert out == f"BROKEN {ids[0]}"
    assert "此前 0 条事件校验无误" in err


def test_an_event_relabelled_to_an_unknown_key_is_broken_with_that_reason():
    first = AuditEvent.objects.order_by("id").first()
    AuditEvent.objects.filter(pk=first.pk).update(key_id="legacy-sha256")
    code, out, err = run_verify()
    assert (code, out) == (1, f"BROKEN {first.pk}")
    assert "不在密钥环中" in err


def test_events_sealed_before_a_key_rotation_still_verify(settings):
    old = settings.AUDIT_KEYRING
    add_events(2)
    rotated = chain.parse_keyring(f"{old.current_id} {old.current_key.decode()}\ntest-2 {'r' * 40}")
    settings.AUDIT_KEYRING = rotated
    newest = add_events(2)[-1]
    assert newest.key_id == "test-2"
    assert run_verify()[:2] == (0, f"OK {AuditEvent.objects.count()} events")
    # Dropping the old key from the ring leaves the old events unverifiable: BROKEN, not OK.
    settings.AUDIT_KEYRING = chain.parse_keyring(f"test-2 {'r' * 40}")
    assert run_verify()[0] == 1


def test_deleting_the_newest_events_and_fixing_the_head_is_caught_by_the_anchor(settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchor.log")
    add_events(3)
    [anchor] = audit_anchor()
    assert anchor.count == AuditEvent.objects.count()
    add_events(2)  # after the anchor: these are the window an anchor cannot cover
    assert run_verify()[:2] == (0, f"OK {AuditEvent.objects.count()} events")
    cut = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:4])
    AuditEvent.objects.filter(pk__in=cut).delete()
    newest = AuditEvent.objects.order_by("-id").first()
    AuditChainHead.objects.filter(id=1).update(last_hash=newest.hash, count=AuditEvent.objects.count())
    with override_settings(AUDIT_ANCHOR_FILE=""):
        assert run_verify()[0] == 0  # the keyed chain alone cannot see a cut-off tail
    code, out, err = run_verify()
    assert (code, out) == (1, f"BROKEN {anchor.event_id}")
    assert "锚定" in err


def test_an_off_box_copy_of_the_anchor_file_can_be_named(settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "audit-anchor.log")
    [anchor] = audit_anchor()
    copy = tmp_path / "copy.log"
    copy.write_text(chain.Anchor(event_id=anchor.event_id, hash="0" * 64, count=anchor.count).line() + "\n")
    assert run_verify()[0] == 0
    assert run_verify("--anchor-file", str(copy))[:2] == (1, f"BROKEN {anchor.event_id}")


def test_a_damaged_anchor_file_is_broken(settings, tmp_path):
    path = tmp_path / "audit-anchor.log"
    path.write_text("not json\n")
    settings.AUDIT_ANCHOR_FILE = str(path)
    assert run_verify()[:2] == (1, "BROKEN anchor-file")


def test_the_anchor_command_appends_one_json_line_per_run(settings, tmp_path):
    path = tmp_path / "audit-anchor.log"
    settings.AUDIT_ANCHOR_FILE = str(path)
    call_command("audit_anchor", stdout=io.StringIO())
    add_events(1)
    call_command("audit_anchor", stdout=io.StringIO())
    anchors = chain.parse_anchors(path.read_text())
    newest = AuditEvent.objects.order_by("-id").first()
    assert [a.count for a in anchors] == [AuditEvent.objects.count() - 1, AuditEvent.objects.count()]
    assert (anchors[-1].event_id, anchors[-1].hash) == (newest.pk, newest.hash)
    assert oct(path.stat().st_mode & 0o777) == "0o640"


def test_the_nightly_sweep_anchors_the_chain(settings, tmp_path):
    path = tmp_path / "audit-anchor.log"
    settings.AUDIT_ANCHOR_FILE = str(path)
    call_command("sweep", "--as-of", "2021-06-30", stdout=io.StringIO())
    anchors = chain.parse_anchors(path.read_text())
    assert anchors[-1].count == AuditEvent.objects.count()


def _reseal_migration():
    return importlib.import_module("audit.migrations.0002_keyed_chain")


class _Editor:
    connection = connection


def test_the_migration_reseals_an_intact_unkeyed_chain_with_the_key():
    from django.apps import apps

    migration = _reseal_migration()
    migration.unseal(apps, _Editor())  # the chain as the first version left it
    AuditEvent.objects.update(key_id="legacy-sha256")
    assert run_verify()[0] == 1
    migration.reseal(apps, _Editor())
    assert run_verify()[:2] == (0, f"OK {AuditEvent.objects.count()} events")


def test_the_migration_refuses_to_seal_an_unkeyed_chain_that_is_already_broken():
    from django.apps import apps

    migration = _reseal_migration()
    migration.unseal(apps, _Editor())
    victim = AuditEvent.objects.order_by("id")[2]
    AuditEvent.objects.filter(pk=victim.pk).update(verb="forged")
    with pytest.raises(RuntimeError, match=f"broken at event {victim.pk}"):
        migration.reseal(apps, _Editor())


# A throwaway SQLite file with just the audit tables, then `manage.py audit_verify` as a process: the
# "Exception ignored … closed database" of issue 12 was printed at interpreter exit.
BUILD = """
import sys
import django
django.setup()
from django.db import connection
from accounts.models import User
from audit.models import AuditChainHead, AuditEvent
from audit.services import audit_record
with connection.schema_editor() as editor:
    for model in (User, AuditChainHead, AuditEvent):
        editor.create_model(model)
for i in range(30):
    audit_record(verb="test.event", object_type="test", object_id=i)
AuditEvent.objects.filter(object_id="3").update(verb="test.forged")
print(AuditEvent.objects.get(object_id="3").pk)
"""


def test_a_break_is_reported_as_a_process_without_a_traceback(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'audit.sqlite3'}",
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
    }
    built = subprocess.run(  # noqa: S603  (fixed arguments: this file's script)
        [sys.executable, "-c", BUILD], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    victim = built.stdout.strip()
    result = subprocess.run(
        [sys.executable, "manage.py", "audit_verify"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stdout.strip() == f"BROKEN {victim}"
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert f"第 {victim} 号事件" in result.stderr and "此前 3 条事件校验无误" in result.stderr
