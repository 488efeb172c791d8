from django.core.management.base import BaseCommand

from core.demo import load_demo_organisation


class Command(BaseCommand):
    help = "Load the Erqi District demo organisation and demo accounts (idempotent)."

    def handle(self, *args, **options):
        created = load_demo_organisation()
        summary = ", ".join(f"{k} +{v}" for k, v in created.items())
        self.stdout.write(f"Demo data loaded ({summary}). Demo password for all demo accounts: Luoshi@2021")
