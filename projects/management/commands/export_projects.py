from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from projects.ledger_io import ledger_xlsx
from projects.models import Project


class Command(BaseCommand):
    help = "Export every project as a 重点项目台账 (.xlsx), as of today or --as-of."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
        parser.add_argument("--as-of", help="YYYY-MM-DD (default today)")

    def handle(self, *args, **options):
        try:
            day = date.fromisoformat(options["as_of"]) if options["as_of"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--as-of: {exc}") from exc
        content = ledger_xlsx(Project.objects.all(), day)
        with open(options["output"], "wb") as out:
            out.write(content)
        self.stdout.write(f"wrote {Project.objects.count()} projects to {options['output']}")
