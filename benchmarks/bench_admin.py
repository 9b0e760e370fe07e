"""Operator console: render time of the admin Product changelist over a large catalog."""

import time
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from accounts.models import User
from benchmarks.report import Figure, median, percentile
from catalog.models import Availability, Product
from suppliers.models import Supplier

DESCRIPTION = "GET /admin/catalog/product/ (default, search, filter, middle page) with 10k products"
NAME = "admin"
AVAILABILITY = [Availability.IN_STOCK] * 6 + [Availability.LOW_STOCK, Availability.OUT_OF_STOCK]
BRANDS = ("Acme", "Anker", "Logitech", "Ninja", "Stanley", "Baseus", "UGREEN", "Xiaomi")


def _catalog(count: int) -> None:
    suppliers = [Supplier.objects.create(slug=slug, name=slug.title()) for slug in ("amazon", "aliexpress", "uzum")]
    Product.objects.bulk_create(
        (
            Product(
                supplier=suppliers[n % 3],
                external_id=f"B0ADM{n:07d}",
                title=f"Benchmark Widget {n} with a Realistic Length Title, Stainless Steel, 2-Pack",
                brand=BRANDS[n % len(BRANDS)],
                currency="USD",
                price=Decimal("9.99") + n % 200,
                availability=AVAILABILITY[n % len(AVAILABILITY)],
                stock_quantity=n % 300,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )


def _timings(client: Client, url: str, runs: int) -> list[float]:
    for _ in range(2):
        client.get(url)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
    return samples


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def run(*, scale: float) -> list[Figure]:
    try:
        base = reverse("admin:catalog_product_changelist")
    except NoReverseMatch:
        return [Figure(NAME, "changelist", 0, "ms", "skipped: Product is not registered in the admin")]
    count, runs = max(100, int(10_000 * scale)), max(5, int(30 * scale))
    _catalog(count)
    client = Client()
    client.force_login(User.objects.create_superuser("bench@example.com", "bench-password"))
    pages = {
        "changelist": base,
        "changelist search": f"{base}?q=Widget+4242",
        "changelist filter": f"{base}?availability__exact=out_of_stock",
        "changelist middle page": f"{base}?p={max(1, count // 200)}",
    }
    figures = []
    for name, url in pages.items():
        samples = _timings(client, url, runs)
        note = f"{count:,} products, {runs} runs, {_queries(client, url)} queries"
        figures += [
            Figure(NAME, f"{name} p50", median(samples), "ms", note),
            Figure(NAME, f"{name} p95", percentile(samples, 95), "ms", note),
        ]
    return figures
