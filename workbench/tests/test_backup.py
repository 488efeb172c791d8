"""manage.py backup / restore: the demo data and its files round-trip into an empty database and storage.

On SQLite (the default suite) the target is a new database file; when DATABASE_URL is PostgreSQL (CI)
the test creates its own database h_restore_<random> on the same server and drops it afterwards.
"""

import copy
import hashlib
import io
import json
import secrets

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import override_settings

from accounts.models import User
from audit.models import AuditChainHead, AuditEvent
from reports.models import EvidenceFile, ProgressReport
from workbench.backup import FILES_DIR, MANIFEST

pytestmark = pytest.mark.django_db(transaction=True)

TARGET = "restore_target"


@pytest.fixture
def target_db(tmp_path):
    """A second, empty database under the alias `restore_target`, removed after the test."""
    source = connections["default"].settings_dict
    target = copy.deepcopy(source)
    admin = None
    if connections["default"].vendor == "postgresql":
        target["NAME"] = f"h_restore_{secrets.token_hex(4)}"
        admin = connections["default"]
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{target["NAME"]}"')
    else:
        target["NAME"] = str(tmp_path / "restored.sqlite3")
    connections.settings[TARGET] = target
    # Opened here, directly: the test case lets code connect only to the databases it declared,
    # and pytest-django would create a test database for a declared alias of its own.
    connections[TARGET].connect()
    yield TARGET
    connections[TARGET].close()
    del connections[TARGET]
    del connections.settings[TARGET]
    if admin is not None:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target["NAME"]}" WITH (FORCE)')


@pytest.fixture
def target_storage(tmp_path):
    location = tmp_path / "restored-media"
    storages = {**settings.STORAGES, TARGET: {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    storages[TARGET] = {**storages[TARGET], "OPTIONS": {"location": str(location)}}
    with override_settings(STORAGES=storages):
        yield TARGET


def _demo_with_evidence() -> dict[str, str]:
    call_command("load_demo", stdout=io.StringIO())
    report = ProgressReport.objects.order_by("pk").first()
    author = User.objects.get(username="zjj_reporter")
    files = {}
    for n in range(3):
        data = f"现场照片 {n} ".encode() * 200
        sha = hashlib.sha256(data).hexdigest()
        evidence = EvidenceFile(
            report=report,
            original_name=f"现场{n}.jpg",
            content_type="image/jpeg",
            kind=EvidenceFile.Kind.DOCUMENT,
            size=len(data),
            sha256=sha,
            extension=".jpg",
            uploaded_by=author,
        )
        evidence.file.save(f"{sha}.jpg", ContentFile(data), save=True)
        files[evidence.file.name] = sha
    return files


def _counts(alias: str) -> dict[str, int]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")]
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def test_a_backup_of_the_demo_restores_into_an_empty_database_with_the_same_rows_files_and_audit_chain(
    tmp_path, target_db, target_storage
):
    from django.core.files.storage import storages

    files = _demo_with_evidence()
    out = tmp_path / "backup"
    call_command("backup", "-o", str(out), stdout=io.StringIO())

    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert set(files) <= set(manifest["files"])
    assert all(manifest["files"][name]["sha256"] == sha for name, sha in files.items())
    assert manifest["tables"]["reports_evidencefile"] == 3
    heads = AuditChainHead.objects.order_by("id")
    assert [(h["id"], h["last_hash"]) for h in manifest["audit_heads"]] == [(str(h.id), h.last_hash) for h in heads]
    assert ["plans", "0001_initial"] in manifest["migrations"]

    result = io.StringIO()
    call_command("restore", str(out), "--database", target_db, "--storage", target_storage, stdout=result)
    assert "OK" in result.getvalue()

    assert _counts(target_db) == _counts("default")
    restored = storages[target_storage]
    for name, sha in files.items():
        with restored.open(name, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == sha
    assert list(AuditChainHead.objects.using(target_db).order_by("id").values_list()) == list(heads.values_list())
    assert list(AuditEvent.objects.using(target_db).values_list("hash", flat=True)) == list(
        AuditEvent.objects.values_list("hash", flat=True)
    )


def test_restore_refuses_a_database_that_is_not_empty(tmp_path, target_storage):
    call_command("load_demo", stdout=io.StringIO())
    out = tmp_path / "backup"
    call_command("backup", "-o", str(out), stdout=io.StringIO())
    with pytest.raises(CommandError, match="目标不为空"):
        call_command("restore", str(out), "--storage", target_storage, stdout=io.StringIO())


def test_restore_refuses_a_damaged_backup_and_restores_nothing(tmp_path, target_db, target_storage):
    files = _demo_with_evidence()
    out = tmp_path / "backup"
    call_command("backup", "-o", str(out), stdout=io.StringIO())
    (out / FILES_DIR / next(iter(files))).write_bytes(b"tampered")
    with pytest.raises(CommandError, match="备份已损坏"):
        call_command("restore", str(out), "--database", target_db, "--storage", target_storage, stdout=io.StringIO())
    with connections[target_db].cursor() as cursor:
        assert connections[target_db].introspection.table_names(cursor) == []


def test_backup_refuses_a_directory_that_holds_something(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="不是空目录"):
        call_command("backup", "-o", str(tmp_path), stdout=io.StringIO())
