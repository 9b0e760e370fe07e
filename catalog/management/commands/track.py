import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from catalog.models import Product
from catalog.tracking import PassSummary, batch_size, tracking_pass
from suppliers.models import Supplier


class Command(BaseCommand):
    help = (
        "Run a tracking pass now, in this process: every due product (--all-due), or the products named "
        "(--product, due or not), optionally of one supplier. Prints a progress bar and a summary."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--supplier", help="only this supplier's products (slug)")
        parser.add_argument("--product", type=int, action="append", default=[], metavar="ID", help="a product id")
        parser.add_argument("--all-due", action="store_true", help="every product whose next check is due")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["product"] and not options["all_due"]:
            raise CommandError("Say what to track: --all-due, or one or more --product ID.")
        suppliers = self._suppliers(options["supplier"])
        started = time.perf_counter()
        summary = PassSummary()
        with tqdm(total=self._total(suppliers, options), unit="product", file=self.stderr, disable=None) as bar:
            for supplier in suppliers:
                summary.add(self._run(supplier, options["product"], bar.update))
        self._report(summary, time.perf_counter() - started)
        if summary.failed:
            raise CommandError(f"{sum(summary.failed.values())} products could not be refreshed")

    def _suppliers(self, slug: str | None) -> list[Supplier]:
        suppliers = Supplier.objects.filter(is_active=True)
        if slug:
            if not Supplier.objects.filter(slug=slug).exists():
                raise CommandError(
                    f"No supplier {slug!r}; known: {', '.join(Supplier.objects.values_list('slug', flat=True))}"
                )
            suppliers = suppliers.filter(slug=slug)
            if not suppliers.exists():
                raise CommandError(f"Supplier {slug!r} is inactive")
        return list(suppliers)

    def _total(self, suppliers: list[Supplier], options: dict[str, Any]) -> int:
        products = Product.objects.filter(supplier__in=suppliers)
        if options["product"]:
            missing = set(options["product"]) - set(
                products.filter(pk__in=options["product"]).values_list("pk", flat=True)
            )
            if missing:
                raise CommandError(f"No such product (for these suppliers): {', '.join(map(str, sorted(missing)))}")
            return len(options["product"])
        return products.filter(Q(next_check_at__lte=timezone.now())).count()

    def _run(self, supplier: Supplier, product_ids: list[int], advance: Any) -> PassSummary:
        """Passes until nothing of this supplier is due (or the named products are done)."""
        total = PassSummary()
        if product_ids:
            wanted = list(Product.objects.filter(supplier=supplier, pk__in=product_ids).values_list("pk", flat=True))
            if wanted:
                total.add(tracking_pass(supplier=supplier, product_ids=wanted, limit=len(wanted), progress=advance))
            return total
        size = batch_size(supplier)
        while True:
            summary = tracking_pass(supplier=supplier, limit=size, progress=advance)
            total.add(summary)
            if summary.claimed < size:
                return total

    def _report(self, summary: PassSummary, seconds: float) -> None:
        rate = summary.refreshed / seconds * 60 if seconds else 0.0
        lines = [
            f"{summary.refreshed} refreshed in {seconds:.1f} s ({rate:,.0f}/min): "
            f"{summary.changed} changed, {summary.unchanged} unchanged, {summary.gone} gone",
            f"suspect readings: {summary.held} held, {summary.confirmed} confirmed, {summary.rejected} rejected",
        ]
        if summary.unscheduled:
            lines.append(f"{summary.unscheduled} no longer tracked by anyone: unscheduled")
        if summary.lost_claim:
            lines.append(f"{summary.lost_claim} taken over by another pass")
        if summary.failed:
            lines.append("failed: " + ", ".join(f"{count} {kind}" for kind, count in summary.failed.most_common()))
        for line in lines:
            self.stdout.write(line)
