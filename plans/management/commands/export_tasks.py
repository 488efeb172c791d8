from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.ledger import build_task_ledger_xlsx
from plans.models import Plan, Task
from plans.selectors import ledger_stream


class Command(BaseCommand):
    help = "Export a plan's task ledger (任务分解表) as .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, required=True, help="plan id")
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")

    def handle(self, *args, plan, output, **options):
        if not Plan.objects.filter(pk=plan).exists():
            raise CommandError(f"计划 {plan} 不存在。")
        tasks = Task.objects.alive().filter(plan_id=plan).order_by("code")
        Path(output).write_bytes(build_task_ledger_xlsx(ledger_stream(tasks)))
        self.stdout.write(f"{tasks.count()} tasks → {output}")
