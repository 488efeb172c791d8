"""`manage.py backup -o DIR`: the database and the stored files, with a manifest (workbench/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.runs import job_run
from workbench.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format / SQLite online backup) and the stored files into DIR."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="a new or empty directory")
        parser.add_argument("--database", default="default", help="database alias (default: default)")
        parser.add_argument("--storage", default="default", help="storage alias (default: default)")

    def handle(self, *args, output, database, storage, **options):
        try:
            with job_run("backup"):  # last success, for /metrics (core/metrics.py)
                manifest = backup(Path(output), database=database, storage=storage, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        events = sum(int(head["count"]) for head in manifest["audit_heads"])
        self.stdout.write(
            f"OK {output}: {len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, "
            f"{len(manifest['files'])} files, {events} audit events in {len(manifest['audit_heads'])} chains"
        )
