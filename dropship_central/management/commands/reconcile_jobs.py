from typing import Any

from django.core.management.base import BaseCommand

from dropship_central.jobs import jobs_reconcile


class Command(BaseCommand):
    help = "Enqueue again jobs Redis lost and recover jobs whose worker died (RQ cron runs this every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = jobs_reconcile()
        self.stdout.write(f"requeued={counts['requeued']} recovered={counts['recovered']}")
