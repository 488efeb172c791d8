"""backup / restore with the files in object storage: the bucket's files go into the backup and come back
into another, empty bucket, verified by hash (real S3 API server on 127.0.0.1, core/tests/s3.py)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from config.storage import storage_settings
from core.tests.s3 import bucket_keys, drop_bucket, make_bucket, s3_url
from workbench.backup import MANIFEST
from workbench.tests.test_backup import TARGET, _counts, _demo_with_evidence, target_db  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("target_db")]


@pytest.fixture
def target_bucket(s3_server, settings):
    bucket = make_bucket(s3_server)
    storages = {**settings.STORAGES, "restore_target": storage_settings(s3_url(s3_server, bucket))}
    with override_settings(STORAGES=storages):
        yield bucket
    drop_bucket(s3_server, bucket)


def test_a_backup_of_a_bucket_restores_into_an_empty_bucket_with_the_same_files(
    tmp_path, s3_server, s3_storage, target_bucket
):
    files = _demo_with_evidence()
    assert set(files) <= set(bucket_keys(s3_server, s3_storage))
    out = tmp_path / "backup"
    call_command("backup", "-o", str(out), stdout=io.StringIO())
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert all(manifest["files"][name]["sha256"] == sha for name, sha in files.items())
    assert manifest["missing_files"] == []

    result = io.StringIO()
    call_command("restore", str(out), "--database", TARGET, "--storage", "restore_target", stdout=result)
    assert "OK" in result.getvalue()
    assert _counts(TARGET) == _counts("default")
    assert set(files) <= set(bucket_keys(s3_server, target_bucket))
    assert set(bucket_keys(s3_server, target_bucket)) == set(manifest["files"])


def test_restore_refuses_a_bucket_that_is_not_empty(tmp_path, s3_server, s3_storage, target_bucket):
    _demo_with_evidence()
    out = tmp_path / "backup"
    call_command("backup", "-o", str(out), stdout=io.StringIO())
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    storages["restore_target"].save("evidence/old.bin", ContentFile(b"old"))
    with pytest.raises(CommandError, match="目标不为空"):
        call_command("restore", str(out), "--database", TARGET, "--storage", "restore_target", stdout=io.StringIO())
