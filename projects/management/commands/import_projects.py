from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.ledger_io import ledger_import


class Command(BaseCommand):
    help = "Import a 重点项目台账 (.xlsx): every row or none; errors name the row and column."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the ledger .xlsx (title row, header row, data from row 3)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        outcome = ledger_import(actor=None, data=path.read_bytes())
        if not outcome.ok:
            for line in outcome.errors:
                self.stderr.write(line)
            raise CommandError(f"nothing imported: {len(outcome.errors)} error(s)")
        self.stdout.write(f"imported {outcome.rows} projects")
