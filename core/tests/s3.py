"""A real S3 API server on 127.0.0.1 for the object-storage tests: moto's standalone server (`moto_server`,
pinned in requirements-dev.txt), started once per test session as its own process, spoken to over HTTP
with the same client (boto3 via django-storages) a city uses against MinIO.

Import the fixtures into a test module: `from core.tests.s3 import s3_server, s3_storage  # noqa: F401`.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from django.test import override_settings

from config.storage import storage_settings

ACCESS, SECRET = "luoshi-test", "luoshi-test-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of a moto S3 server (LUOSHI_TEST_S3_PORT, or a free port), killed at the end."""
    port = int(os.environ.get("LUOSHI_TEST_S3_PORT") or _free_port())
    binary = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(  # noqa: S603
        [str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("the moto S3 server did not start")
            time.sleep(0.1)
    yield f"127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def s3_url(server: str, bucket: str) -> str:
    return f"s3+http://{ACCESS}:{SECRET}@{server}/{bucket}"


def client(server: str):
    return boto3.client(
        "s3",
        endpoint_url=f"http://{server}",
        aws_access_key_id=ACCESS,
        aws_secret_access_key=SECRET,
        region_name="us-east-1",
    )


def bucket_keys(server: str, bucket: str) -> list[str]:
    pages = client(server).get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def make_bucket(server: str) -> str:
    bucket = f"luoshi-{secrets.token_hex(4)}"
    client(server).create_bucket(Bucket=bucket)
    return bucket


def drop_bucket(server: str, bucket: str) -> None:
    s3 = client(server)
    for key in bucket_keys(server, bucket):
        s3.delete_object(Bucket=bucket, Key=key)
    s3.delete_bucket(Bucket=bucket)


@pytest.fixture
def s3_storage(s3_server, settings):
    """The default storage switched to a new private bucket on the S3 server; yields the bucket's name."""
    bucket = make_bucket(s3_server)
    storages = {**settings.STORAGES, "default": storage_settings(s3_url(s3_server, bucket))}
    with override_settings(STORAGES=storages):
        yield bucket
    drop_bucket(s3_server, bucket)
