"""manage.py bulletin --month YYYY-MM [--plan ID] -o FILE.docx: a month's 督查通报 as a draft .docx.

The draft is numbered 第0期 and nothing is stored: issuing (numbering 期号, storing, auditing) is the
office's act on /bulletins/. Figures as seen by the first office account (reads every unit).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.roles import Role
from accounts.selectors import role_holders
from core.errors import ServiceError
from evaluation.bulletin_service import bulletin_build, parse_month


class Command(BaseCommand):
    help = "Write a month's supervision bulletin (督查通报) as a .docx draft."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--plan", type=int, default=None, help="plan id (default: the month's active plans)")
        parser.add_argument("-o", "--output", required=True, help="the .docx file to write")
        parser.add_argument("--seq", type=int, default=0, help="issue number printed (a draft: 0)")

    def handle(self, *args, month, plan, output, seq, **options):
        try:
            day = parse_month(month)
        except ServiceError as exc:
            raise CommandError(f"--month: {exc.message}") from None
        actor = role_holders(Role.OFFICE).first()
        if actor is None:
            raise CommandError("no office account: the bulletin reads the records as the office sees them")
        content, data = bulletin_build(actor=actor, month=day, plan_id=plan, seq=seq)
        Path(output).write_bytes(content)
        self.stdout.write(f"{output}: {len(content)} bytes, {data['total_tasks']} tasks, {len(data['league'])} groups")
