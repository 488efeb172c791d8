"""Check the file storage the app is configured with (STORAGE_URL): write, read back, refuse anonymous reads.

`manage.py files_check --create-bucket` also creates the bucket when it is missing (first install of a
city; MinIO's own `mc mb` does the same). Run it after every change of STORAGE_URL and from the
deployment smoke: it fails (exit 1) when the storage cannot be written or a file can be read without
credentials (a public bucket).
"""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Write, read back and delete a probe file in the configured storage; on S3, check the bucket is private."

    def add_arguments(self, parser):
        parser.add_argument("--create-bucket", action="store_true", help="create the S3 bucket if it does not exist")

    def handle(self, *args, create_bucket: bool, **options):
        storage: Any = default_storage
        s3 = hasattr(storage, "bucket_name")
        if s3:
            client = storage.connection.meta.client
            names = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
            if storage.bucket_name not in names:
                if not create_bucket:
                    raise CommandError(f"存储桶 {storage.bucket_name} 不存在：加 --create-bucket 创建。")
                client.create_bucket(Bucket=storage.bucket_name)
                self.stdout.write(f"created bucket {storage.bucket_name}")
        data = secrets.token_bytes(64)
        name = storage.save(f"_check/{secrets.token_hex(8)}.bin", ContentFile(data))
        try:
            with storage.open(name, "rb") as f:
                if f.read() != data:
                    raise CommandError("存储读回的内容与写入的不同。")
            if s3:
                self._refuse_anonymous(storage, name)
        finally:
            storage.delete(name)
        where = f"bucket {storage.bucket_name} at {storage.endpoint_url}" if s3 else f"folder {storage.location}"
        self.stdout.write(f"storage OK: {where} (write, read back, delete{', anonymous read refused' if s3 else ''})")

    def _refuse_anonymous(self, storage, name: str) -> None:
        """A plain GET of the object without a signature must be refused: the bucket is private."""
        key = storage._normalize_name(name)
        url = f"{storage.endpoint_url.rstrip('/')}/{storage.bucket_name}/{key}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own endpoint)
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        if status < 400:
            raise CommandError(f"存储桶 {storage.bucket_name} 可匿名读取（{url} 返回 {status}）：请设为私有。")
