"""Many Uzum products fetched at once through the shared async client, as a collection worker does."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from suppliers.plugins.base import ProductData
from suppliers.plugins.uzum import UzumScraper
from suppliers.scraping import SupplierHttp
from tests.factories import SupplierFactory
from tests.loopback import Reply


@pytest.mark.django_db(transaction=True)
def test_async_fetch_reads_several_products_concurrently(settings, loopback, redis_conn, product_info):
    settings.UZUM_BASE_URL = loopback.url + "/api"
    answer = json.loads(product_info)
    for product_id in ("101", "102", "103"):
        answer["payload"]["data"]["id"] = int(product_id)
        loopback.route(
            f"/api/v2/product/{product_id}", Reply(body=json.dumps(answer), delay=0.2, content_type="application/json")
        )
    scraper = UzumScraper(http=SupplierHttp.for_supplier(SupplierFactory(slug="uzum", config={"currency": "UZS"})))

    async def fetch_all() -> list[ProductData]:
        client = scraper.http.async_client()
        try:
            return await asyncio.gather(*(scraper.afetch_product(pid, client) for pid in ("101", "102", "103")))
        finally:
            await client.close()
            await sync_to_async(connections.close_all)()

    products = asyncio.run(fetch_all())

    assert [(p.external_id, p.currency, len(p.variants)) for p in products] == [
        ("101", "UZS", 161),
        ("102", "UZS", 161),
        ("103", "UZS", 161),
    ]
    assert loopback.max_in_flight > 1
