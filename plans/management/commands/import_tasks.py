from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from core.errors import ServiceError
from plans.models import Plan
from plans.services import ledger_import


class Command(BaseCommand):
    help = "Import a task ledger (.xlsx) into a plan: all rows or none. Exit 1 with the errors by row and column."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--plan", type=int, required=True, help="plan id")

    def handle(self, *args, file, plan, **options):
        translation.activate("zh-hans")
        target = Plan.objects.filter(pk=plan).first()
        if target is None:
            raise CommandError(f"计划 {plan} 不存在。")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            # The command runs as the system (actor None): whoever may run manage.py is trusted with data.
            outcome = ledger_import(actor=None, plan=target, data=path.read_bytes())
        except ServiceError as exc:
            self.stderr.write(exc.message)
            raise SystemExit(1) from exc
        if not outcome.ok:
            for line in outcome.errors:
                self.stderr.write(line)
            self.stderr.write(f"未导入：共 {len(outcome.errors)} 处错误，数据库未作任何修改。")
            raise SystemExit(1)
        self.stdout.write(f"已导入：新增 {outcome.created}，更新 {outcome.updated}，未变 {outcome.unchanged}。")
