"""Stored files on S3-compatible object storage (STORAGE_URL), against a real S3 API server on 127.0.0.1
(moto's standalone server, core/tests/s3.py): upload, serving behind the access check, delete on rollback,
files_gc, files_check and files_migrate --to s3."""

import hashlib
import io
import urllib.error
import urllib.request

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from config.storage import S3_BACKEND, storage_settings
from core import uploads
from core.tests.s3 import bucket_keys, drop_bucket, make_bucket, s3_url
from core.tests.test_uploads import draft, png
from reports import services as report_services
from reports.models import EvidenceFile


def test_storage_url_chooses_the_backend_and_refuses_what_it_cannot_read():
    assert storage_settings(None)["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage_settings("file://")["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    s3 = storage_settings("s3://AK:S%2FK@minio.intranet:9000/luoshi/city?region=cn-zz")
    assert s3["BACKEND"] == S3_BACKEND
    options = s3["OPTIONS"]
    assert options["endpoint_url"] == "https://minio.intranet:9000"
    assert (options["bucket_name"], options["location"], options["region_name"]) == ("luoshi", "city", "cn-zz")
    assert (options["access_key"], options["secret_key"]) == ("AK", "S/K")
    assert options["default_acl"] == "private" and options["file_overwrite"] is False
    assert storage_settings("s3+http://a:b@127.0.0.1:9108/b")["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9108"
    for bad in ("ftp://h/b", "s3://a:b@host", "s3://host/bucket", "s3://a:b@/bucket", "s3://a:b@h:x/b"):
        with pytest.raises(ImproperlyConfigured):
            storage_settings(bad)


def test_evidence_goes_to_the_private_bucket_and_is_served_only_through_the_access_check(
    users, client_as, s3_server, s3_storage
):
    report = draft(users)
    data = png("#36c")
    with transaction.atomic():
        evidence = report_services.evidence_add(
            actor=users["zjj_reporter"], report=report, file=uploads.Upload(data, "现场.png")
        )
    keys = bucket_keys(s3_server, s3_storage)
    assert keys == sorted([evidence.file.name, evidence.thumbnail.name])
    assert not FileSystemStorage().exists(evidence.file.name)  # nothing went to the local folder

    response = client_as("zjj_reporter").get(f"/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "image/png" and response["Cache-Control"].startswith("private")
    thumb = client_as("zjj_reporter").get(f"/evidence/{evidence.pk}/thumb/")
    assert thumb.status_code == 200 and b"".join(thumb.streaming_content)[:2] == b"\xff\xd8"
    assert client_as("outsider").get(f"/evidence/{evidence.pk}/").status_code == 403  # no role at all
    assert client_as("fgw_reporter").get(f"/evidence/{evidence.pk}/").status_code == 404

    # The bucket itself answers no one without credentials.
    url = f"http://{s3_server}/{s3_storage}/{evidence.file.name}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)  # noqa: S310
    assert refused.value.code == 403


def test_a_rollback_deletes_what_was_stored_in_the_bucket(users, s3_server, s3_storage, monkeypatch):
    report = draft(users)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        report_services.evidence_add(actor=users["zjj_reporter"], report=report, file=uploads.Upload(png(), "a.png"))
        assert len(bucket_keys(s3_server, s3_storage)) == 2
        1 / 0  # noqa: B018
    uploads.discard_after_request()
    assert bucket_keys(s3_server, s3_storage) == []
    assert not EvidenceFile.objects.exists()


def test_files_gc_and_files_check_work_on_the_bucket(users, s3_server, s3_storage):
    left = default_storage.save("evidence/ab/left-behind.png", ContentFile(png("#3c3")))
    out = io.StringIO()
    call_command("files_gc", "--grace-seconds", "0", "--delete", stdout=out)
    assert "deleted 1 orphan files" in out.getvalue() and left not in bucket_keys(s3_server, s3_storage)
    out = io.StringIO()
    call_command("files_check", stdout=out)
    assert "anonymous read refused" in out.getvalue()
    assert bucket_keys(s3_server, s3_storage) == []  # the probe is gone


def test_files_check_refuses_a_missing_bucket_unless_asked_to_create_it(s3_server, settings):
    bucket = "luoshi-new-bucket"
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(s3_url(s3_server, bucket))}
    with pytest.raises(CommandError, match="不存在"):
        call_command("files_check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("files_check", "--create-bucket", stdout=out)
    assert f"created bucket {bucket}" in out.getvalue() and "storage OK" in out.getvalue()
    drop_bucket(s3_server, bucket)


def test_files_migrate_to_s3_copies_every_file_verified_by_hash_and_resumes(db, tmp_path, s3_server):
    media = tmp_path / "media"
    local = FileSystemStorage(location=media)
    names = {local.save(f"evidence/{n:02d}/f{n}.bin", ContentFile(bytes([n]) * (1000 + n))) for n in range(7)}
    bucket = make_bucket(s3_server)
    url = s3_url(s3_server, bucket)
    journal = tmp_path / "journal.log"
    args = ["--to", "s3", "--storage-url", url, "--media-root", str(media), "--journal", str(journal)]
    out = io.StringIO()
    call_command("files_migrate", *args, "--limit", "3", stdout=out)  # a run stopped part way
    assert "copied 3" in out.getvalue() and len(bucket_keys(s3_server, bucket)) == 3

    # An earlier run died mid-file: the bucket holds a wrong copy the journal does not know.
    victim = sorted(names)[5]
    remote = storage_settings(url)
    from django.core.files.storage import storages

    target = storages.create_storage(remote)
    target.save(victim, ContentFile(b"partial"))
    out = io.StringIO()
    call_command("files_migrate", *args, stdout=out)
    assert "copied 4, already there and equal 0, done in an earlier run 3, of 7 files" in out.getvalue()
    assert bucket_keys(s3_server, bucket) == sorted(names)
    for name in names:
        with local.open(name) as a, target.open(name) as b:
            assert hashlib.sha256(a.read()).digest() == hashlib.sha256(b.read()).digest()
    out = io.StringIO()
    call_command("files_migrate", *args, stdout=out)  # a third run has nothing left to do
    assert "copied 0, already there and equal 0, done in an earlier run 7" in out.getvalue()
    drop_bucket(s3_server, bucket)


def test_files_migrate_needs_an_object_storage_address(monkeypatch):
    monkeypatch.delenv("STORAGE_URL", raising=False)
    with pytest.raises(CommandError, match="STORAGE_URL"):
        call_command("files_migrate", "--to", "s3", stdout=io.StringIO())
