"""Move the stored files between the local folder and object storage: `manage.py files_migrate --to s3`.

Run it with STORAGE_URL set to the bucket (or --storage-url) while the app still serves from the local
folder (or in a maintenance window), then restart the app with STORAGE_URL. Every file is copied under
its own name, read back from the target and compared by SHA-256 before it counts as moved. Resumable:
each verified name is appended to a journal (flushed per file), so a run that is stopped or killed
continues where it stopped; a name already in the target but not in the journal is hashed and kept if
equal, replaced if not. The source is never changed (delete it once the app runs on the target).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from config.storage import FILE_BACKEND, S3_BACKEND, storage_settings
from core import uploads

_CHUNK = 1 << 20


def sha256_of(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Copy every stored file to object storage (--to s3) or back (--to local), verified by hash; resumable."

    def add_arguments(self, parser):
        parser.add_argument("--to", choices=["s3", "local"], required=True)
        parser.add_argument("--storage-url", default=None, help="the bucket (default: the STORAGE_URL setting)")
        parser.add_argument("--media-root", default=None, help="the local folder (default: MEDIA_ROOT)")
        parser.add_argument("--journal", default=None, help="verified names (default: var/files_migrate-<to>.log)")
        parser.add_argument("--limit", type=int, default=0, help="stop after copying this many files (0: all)")

    def handle(self, *args, to: str, storage_url, media_root, journal, limit: int, **options):
        import os

        url = storage_url or os.environ.get("STORAGE_URL", "")
        remote = storage_settings(url)
        if remote["BACKEND"] != S3_BACKEND:
            raise CommandError("files_migrate 需要对象存储地址：设置 STORAGE_URL 或 --storage-url（s3://…）。")
        local = {"BACKEND": FILE_BACKEND, "OPTIONS": {"location": str(media_root or settings.MEDIA_ROOT)}}
        source, target = (local, remote) if to == "s3" else (remote, local)
        src, dst = storages.create_storage(source), storages.create_storage(target)
        journal_path = Path(journal or Path(settings.VAR_DIR) / f"files_migrate-{to}.log")
        journal_path.parent.mkdir(parents=True, exist_ok=True)
        done = set(journal_path.read_text(encoding="utf-8").split("\n")) if journal_path.exists() else set()
        try:
            names = sorted(uploads.stored_names(src))
        except FileNotFoundError:
            names = []
        copied = kept = skipped = 0
        with journal_path.open("a", encoding="utf-8") as log:
            for name in names:
                if name in done:
                    skipped += 1
                    continue
                if limit and copied >= limit:
                    self.stdout.write(f"stopped after {copied} files (--limit); run again to continue")
                    break
                expected = sha256_of(src, name)
                if dst.exists(name):
                    if sha256_of(dst, name) == expected:
                        kept += 1
                        log.write(f"{name}\n")
                        log.flush()
                        continue
                    dst.delete(name)  # a partial or different copy from an earlier, interrupted run
                with src.open(name, "rb") as f:
                    saved = dst.save(name, File(f, name=name))
                if saved != name:
                    raise CommandError(f"目标存储把 {name} 改名为 {saved}，迁移中止。")
                if sha256_of(dst, name) != expected:
                    raise CommandError(f"{name} 复制后 SHA-256 不符，迁移中止（再次运行会重试）。")
                copied += 1
                log.write(f"{name}\n")
                log.flush()
        present = set(names)
        missing = sorted(n for n in uploads.referenced_names() if n not in present)
        for name in missing:
            self.stdout.write(f"warning: a row refers to {name}, which the source does not have")
        self.stdout.write(
            f"copied {copied}, already there and equal {kept}, done in an earlier run {skipped}, "
            f"of {len(names)} files; {len(missing)} referenced files missing in the source; journal {journal_path}"
        )
