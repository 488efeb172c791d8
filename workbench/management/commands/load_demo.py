from django.core.management.base import BaseCommand

from enterprises.demo import load_demo_enterprises
from org.demo import load_demo_organisation
from plans.demo import TITLE, load_demo_plan
from plans.models import Plan
from reports.demo import load_demo_reports
from supervision.demo import load_demo_supervision


class Command(BaseCommand):
    help = "Load the Erqi District demo organisation, accounts and 2021 plan (idempotent)."

    def handle(self, *args, **options):
        created = load_demo_organisation()
        plan = load_demo_plan()
        created["plans"] = 1 if plan else 0
        created["reports"] = load_demo_reports(Plan.objects.get(title=TITLE))
        created["orders"] = load_demo_supervision()
        created["enterprises"] = load_demo_enterprises()
        summary = ", ".join(f"{k} +{v}" for k, v in created.items())
        self.stdout.write(f"Demo data loaded ({summary}). Demo password for all demo accounts: Luoshi@2021")
