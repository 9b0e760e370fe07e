from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from analytics.demo import ADMIN_EMAIL, ADMIN_PASSWORD, DEMO_EMAIL, DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Fill the database with a believable demo (idempotent; --reset rebuilds it)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Delete the demo and build it again.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (same seed, same demo).")
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (it creates logins with known passwords)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo creates logins with known passwords; it runs with DEBUG on or --force.")
        result = demo_seed(reset=options["reset"], seed=options["seed"])
        verb = "Built" if result.created else "Kept the existing"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} demo: ") + ", ".join(f"{k} {v}" for k, v in result.counts.items())
        )
        self.stdout.write(f"Demo login:     {DEMO_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"Operator admin: {ADMIN_EMAIL} / {ADMIN_PASSWORD}  (/admin/)")
