"""Sync of one eBay store: 10,000 published listings, 5 % of them changed, a loopback eBay answering in 50 ms.

The loopback eBay answers `bulk_update_price_quantity` (and records when each SKU's quantity reached 0). Reported:
API calls per changed listing (eBay takes 25 listings a call, so 0.04 is the floor), listings synced per minute by
one sync pass, and the time from a supplier stock-out (the product's availability changes and `product_changed` is
sent) to quantity 0 on the marketplace, through the real path: the alerts policy job (an out-of-stock rule that sets
the quantity to 0), then the store's sync job, both run by one forking RQ worker started at the stock-out.
"""

import json
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import django_rq
from django.conf import settings
from django.db import connections
from django.utils import timezone

from accounts.models import User
from alerts.models import PolicyRule
from benchmarks.report import Figure
from catalog.models import Availability, Product
from catalog.signals import ProductChange, product_changed
from dropship_central.worker import JobWorker
from listings.models import Listing
from listings.sync import store_account_sync
from marketplaces.models import StoreAccount
from suppliers.models import Supplier

DESCRIPTION = "sync of 10,000 eBay listings with 5 % changed, 50 ms marketplace latency; stock-out to quantity 0"
NAME = "sync"
LATENCY_SECONDS = 0.05
CHANGE_RATE = 0.05
BULK_PATH = "/sell/inventory/v1/bulk_update_price_quantity"
GOAL_STOCK_OUT_SECONDS = 60


class _Ebay(BaseHTTPRequestHandler):
    """`bulk_update_price_quantity` after the latency; every other path 404."""

    protocol_version = "HTTP/1.1"
    calls: list[int] = []
    zero_at: dict[str, float] = {}
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.split("?", 1)[0] != BULK_PATH:
            self._answer(404, {"errors": [{"errorId": 2002, "message": "Resource not found"}]})
            return
        requests = json.loads(body)["requests"]
        time.sleep(LATENCY_SECONDS)
        now = time.time()
        responses = []
        with self.lock:
            self.calls.append(len(requests))
            for request in requests:
                quantity = (request.get("shipToLocationAvailability") or {}).get("quantity")
                if quantity == 0:
                    self.zero_at.setdefault(request["sku"], now)
                for offer in request.get("offers") or []:
                    responses.append({"sku": request["sku"], "offerId": offer["offerId"], "statusCode": 200})
        self._answer(200, {"responses": responses})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


@contextmanager
def _ebay() -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), _Ebay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _store(count: int) -> tuple[User, StoreAccount, list[Listing]]:
    user = User.objects.create_user(email="bench-sync@example.com", password="x", tier=User.Tier.ENTERPRISE)
    account = StoreAccount.objects.create(
        user=user,
        marketplace=StoreAccount.Marketplace.EBAY,
        name="Bench eBay",
        status=StoreAccount.Status.CONNECTED,
        credentials={"client_id": "bench", "client_secret": "bench"},
        access_token="v^1.1#bench-access",
        refresh_token="v^1.1#bench-refresh",
        access_token_expires_at=timezone.now() + timedelta(hours=2),
    )
    supplier = Supplier.objects.create(slug="amazon", name="Amazon")
    products = Product.objects.bulk_create(
        Product(
            supplier=supplier,
            external_id=f"B{number:09d}",
            title=f"Bench product {number}",
            currency="USD",
            price=Decimal("10.00"),
            availability=Availability.IN_STOCK,
            stock_quantity=20,
        )
        for number in range(count)
    )
    listings = Listing.objects.bulk_create(
        Listing(
            user=user,
            store_account=account,
            product=product,
            sku=f"BENCH-{number:06d}",
            title=product.title,
            status=Listing.Status.ACTIVE,
            price=Decimal("19.99"),
            quantity=10,
            pushed_price=Decimal("19.99"),
            pushed_quantity=10,
            external_id=f"1100{number:08d}",
            offer_id=f"9{number:08d}",
        )
        for number, product in enumerate(products)
    )
    return user, account, listings


def _change(listings: list[Listing]) -> int:
    """Change 5 % of the listings: price rises and drops past the deadband, new quantities, stock-outs."""
    chosen = random.Random(5).sample(listings, max(1, int(len(listings) * CHANGE_RATE)))
    for index, listing in enumerate(chosen):
        kind = index % 4
        if kind == 0:
            listing.price = Decimal("21.49")
        elif kind == 1:
            listing.price = Decimal("18.49")
        elif kind == 2:
            listing.quantity = 4
        else:
            listing.quantity = 0
    Listing.objects.bulk_update(chosen, ["price", "quantity"], batch_size=1000)
    return len(chosen)


def _stock_out_seconds(*, user: User, listing: Listing) -> float:
    """Seconds from the product's stock-out (and its `product_changed`) to quantity 0 at the loopback eBay."""
    PolicyRule.objects.create(
        user=user, name="Out of stock: offer nothing", kind="out_of_stock", action="zero_quantity"
    )
    product = listing.product
    started = time.time()
    Product.objects.filter(pk=product.pk).update(availability=Availability.OUT_OF_STOCK, stock_quantity=0)
    change = ProductChange(
        old_price=product.price,
        new_price=product.price,
        old_currency="USD",
        new_currency="USD",
        old_stock=product.stock_quantity,
        new_stock=0,
        old_availability=product.availability,
        new_availability=Availability.OUT_OF_STOCK,
    )
    product_changed.send(sender=Product, product_id=product.pk, change=change)
    queues = [django_rq.get_queue(name) for name in ("default", "sync")]
    connections.close_all()  # the forking worker must not hand this connection to its work horses
    JobWorker(queues, connection=queues[0].connection).work(burst=True, logging_level="ERROR")
    reached = _Ebay.zero_at.get(listing.sku)
    return reached - started if reached is not None else float("nan")


def run(*, scale: float) -> list[Figure]:
    count = max(200, int(10_000 * scale))
    _Ebay.calls, _Ebay.zero_at = [], {}
    with _ebay() as url:
        settings.EBAY_BASE_URL = url
        settings.EBAY_HTTP = {"connect_timeout": 2.0, "read_timeout": 5.0, "max_attempts": 2, "backoff_initial": 0.05}
        user, account, listings = _store(count)
        changed = _change(listings)
        started = time.perf_counter()
        result = store_account_sync(store_account_id=account.pk)
        elapsed = time.perf_counter() - started
        calls = len(_Ebay.calls)
        untouched = Listing.objects.filter(store_account=account, quantity=10, price=Decimal("19.99")).first()
        assert untouched is not None
        stock_out = _stock_out_seconds(user=user, listing=untouched)
    note = f"{count} listings, {changed} changed, {result.pushed} pushed, {result.failed} failed"
    return [
        Figure(NAME, "API calls per changed listing", calls / changed, "calls", f"{calls} bulk calls; floor 0.04"),
        Figure(NAME, "listings synced per minute", result.pushed / elapsed * 60, "/min", note),
        Figure(NAME, "sync pass", elapsed, "s", f"{LATENCY_SECONDS * 1000:.0f} ms marketplace latency"),
        Figure(
            NAME,
            "stock-out to quantity 0 on eBay",
            stock_out,
            "s",
            f"product_changed → policy job → sync job, one RQ worker started at the stock-out; goal < "
            f"{GOAL_STOCK_OUT_SECONDS} s",
        ),
    ]
