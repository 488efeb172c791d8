"""Stored files that no row refers to: listed (dry run, the default) or removed with --delete.

Rollbacks delete their files as they happen (core/uploads.py); this is the backstop for what they
cannot catch: a worker killed mid-request, a row deleted by a cascade, a storage outage during a
delete. Schedule it nightly (README).
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import uploads


class Command(BaseCommand):
    help = "List stored files no row refers to (dry run); --delete removes them. Young files are left alone."

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="remove the files found (default: only list them)")
        parser.add_argument(
            "--grace-seconds",
            type=int,
            default=None,
            help="leave files younger than this alone (default: the UPLOAD_GC_GRACE_SECONDS setting)",
        )

    def handle(self, *args, delete: bool, grace_seconds: int | None, **options):
        grace = settings.UPLOAD_GC_GRACE_SECONDS if grace_seconds is None else grace_seconds
        if grace < 0:
            raise CommandError("--grace-seconds cannot be negative.")
        orphans = uploads.find_orphans(grace=timedelta(seconds=grace))
        for orphan in orphans:
            self.stdout.write(f"{orphan.size:>12}  {orphan.modified:%Y-%m-%d %H:%M}  {orphan.name}")
        total = sum(o.size for o in orphans)
        if delete:
            deleted = uploads.delete_orphans(orphans)
            self.stdout.write(f"deleted {deleted} orphan files, {total} bytes")
        else:
            self.stdout.write(f"{len(orphans)} orphan files, {total} bytes (dry run; --delete removes them)")
