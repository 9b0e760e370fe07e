"""`manage.py business_rollups_rebuild [--user ID]`: recompute the business rollups from `MarketplaceData`."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.models import User
from analytics.services import business_rollups_rebuild


class Command(BaseCommand):
    help = "Recompute BusinessDay and ListingPeriod from MarketplaceData (after a backfill with triggers off)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", type=int, help="Only this user's rollups (id).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.get(pk=options["user"]) if options["user"] else None
        rows = business_rollups_rebuild(user=user)
        self.stdout.write(f"rebuilt the business rollups from {rows} marketplace rows")
