"""`manage.py restore DIR`: a backup into an empty database and storage, then checked (workbench/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workbench.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an EMPTY database and storage (or over them with "
        "--force), then check counts, file hashes and the audit chain; exit 1 when anything differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="the backup directory")
        parser.add_argument("--force", action="store_true", help="restore over a database or storage that has data")
        parser.add_argument("--database", default="default", help="database alias (default: default)")
        parser.add_argument("--storage", default="default", help="storage alias (default: default)")

    def handle(self, *args, source, force, database, storage, **options):
        try:
            report = restore(Path(source), database=database, storage=storage, force=force, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"audit_verify: {report.audit}")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"恢复后检查未通过：{len(report.problems)} 处不符。")
        self.stdout.write(f"OK {report.tables} tables, {report.rows} rows, {report.files} files match the manifest")
