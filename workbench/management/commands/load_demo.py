from django.core.management.base import BaseCommand

from decomposition.demo import plan_figures
from enterprises.demo import load_demo_enterprises
from evaluation.demo import load_demo_evaluation
from indicators.demo import load_demo_indicators
from maps.demo import load_demo_map
from org.demo import load_demo_duties, load_demo_organisation
from plans.demo import TITLE, load_demo_plan
from plans.models import Plan
from portal.demo import load_demo_portal, load_demo_portal_projects
from projects.demo import load_demo_projects
from reports.demo import load_demo_reports
from supervision.demo import load_demo_supervision


class Command(BaseCommand):
    help = "Load the Erqi District demo organisation, accounts and 2021 plan (idempotent)."

    def handle(self, *args, **options):
        created = load_demo_organisation()
        created["unit duties"] = load_demo_duties()
        plan = load_demo_plan()
        created["plans"] = 1 if plan else 0
        created["reports"] = load_demo_reports(Plan.objects.get(title=TITLE))
        created["orders"] = load_demo_supervision()
        created["indicator values"] = load_demo_indicators(plan_figures(Plan.objects.filter(title=TITLE).first()))
        created["public items"] = load_demo_portal()
        created["map"] = load_demo_map()
        created["evaluation months"] = load_demo_evaluation()
        created["projects"] = load_demo_projects()
        created["enterprises"] = load_demo_enterprises()
        created["public projects"] = load_demo_portal_projects()
        summary = ", ".join(f"{k} +{v}" for k, v in created.items())
        self.stdout.write(f"Demo data loaded ({summary}). Demo password for all demo accounts: Luoshi@2021")
