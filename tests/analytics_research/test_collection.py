"""Catalogue-wide Uzum collection, end to end against a loopback server serving the shared Uzum responses."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django_rq.cron import DjangoCronScheduler

from analytics.collection import (
    CollectConfigError,
    category_collect,
    category_tree_collect,
    collect_schedule,
    shop_collect,
)
from analytics.jobs import collect_enqueue_due
from catalog.models import Category, PriceHistory, Product, ProductVariant, Seller, StockHistory, TrackedProduct
from dropship_central.jobs import job_run
from dropship_central.models import Job
from suppliers.scraping import supplier_http_reset
from tests.factories import SupplierFactory
from tests.loopback import Reply

KE = "fixtures/uzum/crashteamdev__kazanexpress-fetcher__9553df4__src_test_resources_dev_crashteam_kazanexpressfetcher_"
LISTING = KE + "brand-products-response.json"
PRODUCT = KE + "product-info-response.json"
CATEGORY = "12171"
# The listing's five products; the last one is gone from the marketplace (404).
LISTED = ["716657", "716666", "656543", "716647", "1157321"]
MISSING = "1157321"
SKUS_PER_PRODUCT = 161

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_http_clients():
    """The process-wide HTTP clients hold the supplier row and base URL of the test that built them."""
    supplier_http_reset()
    yield
    supplier_http_reset()


def _json(body: object) -> Reply:
    return Reply(body=json.dumps(body), content_type="application/json")


@pytest.fixture
def product_answer(shared_dir) -> dict:
    return json.loads((shared_dir / PRODUCT).read_text(encoding="utf-8"))


@pytest.fixture
def uzum_site(settings, loopback, redis_conn, shared_dir, product_answer):
    """The listing of category 12171 and each of its products (the same product JSON under each id)."""
    settings.UZUM_BASE_URL = loopback.url + "/api"
    loopback.route("/api/v2/main/search/product", _json(json.loads((shared_dir / LISTING).read_text("utf-8"))))
    serve_products(loopback, product_answer)
    return loopback


def serve_products(loopback, answer: dict) -> None:
    for product_id in LISTED:
        if product_id == MISSING:
            loopback.route(f"/api/v2/product/{product_id}", Reply(status=404, body="{}"))
            continue
        answer["payload"]["data"]["id"] = int(product_id)
        loopback.route(f"/api/v2/product/{product_id}", _json(answer))


@pytest.fixture
def supplier(db):
    return SupplierFactory(slug="uzum", config={"http": {"max_attempts": 1}, "currency": "UZS"})


@pytest.fixture
def scheduled(settings):
    settings.COLLECT_SCHEDULE = f"uzum:category:{CATEGORY}:60"


def test_the_cron_tick_enqueues_a_due_category_and_the_job_stores_its_products(uzum_site, supplier, scheduled):
    assert collect_enqueue_due() == {"uzum": [f"category:{CATEGORY}"]}
    job = Job.objects.get(type="analytics.jobs.category_collect")

    assert job_run(str(job.pk))["status"] == "success"

    job.refresh_from_db()
    assert job.result == {
        "supplier": "uzum",
        "kind": "category",
        "listing_id": CATEGORY,
        "listed": 5,
        "created": 4,
        "changed": 0,
        "unchanged": 0,
        "failed": 1,
    }
    stored = Product.objects.filter(supplier=supplier)
    assert sorted(stored.values_list("external_id", flat=True)) == sorted(LISTED[:4])
    assert ProductVariant.objects.filter(product__in=stored).count() == 4 * SKUS_PER_PRODUCT
    assert StockHistory.objects.filter(variant__isnull=False).count() == 4 * SKUS_PER_PRODUCT
    assert (Seller.objects.get().external_id, Category.objects.count()) == ("2224", 4)


def test_the_listing_is_read_by_category_id(uzum_site, supplier):
    category_collect(supplier="uzum", category_id=CATEGORY)

    listing = next(seen for seen in uzum_site.requests if "/search/product" in seen.path)
    assert parse_qs(urlsplit(listing.path).query)["categoryId"] == [CATEGORY]


def test_collection_links_no_customer_to_the_products(uzum_site, supplier, user):
    category_collect(supplier="uzum", category_id=CATEGORY)

    assert Product.objects.count() == 4
    assert TrackedProduct.objects.count() == 0


def test_a_second_pass_appends_history_only_for_what_changed(uzum_site, supplier, product_answer):
    category_collect(supplier="uzum", category_id=CATEGORY)
    before = (PriceHistory.objects.count(), StockHistory.objects.count())
    sku = product_answer["payload"]["data"]["skuList"][0]
    sku["availableAmount"] -= 2
    serve_products(uzum_site, product_answer)

    summary = category_collect(supplier="uzum", category_id=CATEGORY)

    assert (summary.created, summary.changed, summary.unchanged, summary.failed) == (0, 4, 0, 1)
    # one stock row per product, for that SKU (the product's total is Uzum's own figure, unchanged); no price row
    assert (PriceHistory.objects.count(), StockHistory.objects.count()) == (before[0], before[1] + 4)
    changed = StockHistory.objects.filter(product__external_id=LISTED[0], variant__sku=str(sku["id"])).order_by(
        "recorded_at"
    )
    assert [row.stock_quantity for row in changed] == [sku["availableAmount"] + 2, sku["availableAmount"]]


def test_a_category_collected_within_its_interval_is_not_due(uzum_site, supplier, scheduled):
    collect_enqueue_due()
    job_run(str(Job.objects.get().pk))

    assert collect_enqueue_due() == {}
    assert Job.objects.count() == 1


def test_a_category_already_waiting_is_not_enqueued_twice(supplier, scheduled):
    collect_enqueue_due()

    assert collect_enqueue_due() == {}


def test_an_inactive_supplier_is_not_collected(supplier, scheduled):
    supplier.is_active = False
    supplier.save()

    assert collect_enqueue_due() == {}


def test_the_schedule_reads_trees_categories_and_shops_of_any_marketplace(settings):
    settings.COLLECT_SCHEDULE = "uzum:tree:1440, uzum:category:10014:360, wildberries:category:12171:60"
    settings.COLLECT_SCHEDULE += ",uzum:shop:2224:1440"

    assert [(e.supplier, e.kind.name, e.listing_id, e.every_minutes) for e in collect_schedule()] == [
        ("uzum", "tree", "uzum", 1440),
        ("uzum", "category", "10014", 360),
        ("wildberries", "category", "12171", 60),
        ("uzum", "shop", "2224", 1440),
    ]


@pytest.mark.parametrize(
    "value",
    ["uzum:category:10014", "uzum:category:abc:60", "uzum:category:10014:0", "uzum:shop:1:x", "uzum:tree:0",
     "uzum:tree:1:60", "uzum:galaxy:1:60", ":category:1:60", "10014:60"],
)  # fmt: skip
def test_a_malformed_schedule_entry_is_an_error(settings, value):
    settings.COLLECT_SCHEDULE = [value]

    with pytest.raises(CollectConfigError, match=r"COLLECT_SCHEDULE: .* is not '<supplier>:tree:<minutes>'"):
        collect_schedule()


def test_the_project_cron_schedule_runs_the_collection_tick_every_minute(db):
    scheduler = DjangoCronScheduler()
    scheduler.load_config_from_file("dropship_central.cron")

    [tick] = [job for job in scheduler.get_jobs() if job.func is collect_enqueue_due]
    assert (tick.interval, tick.queue_name) == (60, "default")


def test_a_product_whose_stock_changed_is_announced_after_commit_as_imports_do(
    uzum_site, supplier, product_answer, django_capture_on_commit_callbacks
):
    from catalog.signals import product_changed

    category_collect(supplier="uzum", category_id=CATEGORY)
    product_answer["payload"]["data"]["totalAvailableAmount"] -= 1
    serve_products(uzum_site, product_answer)
    announced = []

    def receiver(sender, product_id, change, **kwargs):
        announced.append(product_id)

    product_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            category_collect(supplier="uzum", category_id=CATEGORY)
    finally:
        product_changed.disconnect(receiver)

    assert sorted(announced) == sorted(Product.objects.values_list("pk", flat=True))


def test_the_listed_products_are_fetched_concurrently(uzum_site, supplier, product_answer):
    for product_id in LISTED[:4]:
        product_answer["payload"]["data"]["id"] = int(product_id)
        uzum_site.route(f"/api/v2/product/{product_id}", Reply(body=json.dumps(product_answer), delay=0.2))

    summary = category_collect(supplier="uzum", category_id=CATEGORY)

    assert (summary.created, summary.failed) == (4, 1)
    assert uzum_site.max_in_flight > 1


def test_a_listing_longer_than_a_fetch_chunk_is_fetched_chunk_by_chunk(uzum_site, supplier, monkeypatch):
    monkeypatch.setattr("analytics.collection.FETCH_CHUNK", 2)

    summary = category_collect(supplier="uzum", category_id=CATEGORY)

    assert (summary.listed, summary.created, summary.failed) == (5, 4, 1)


def test_the_limit_stops_the_walk(uzum_site, supplier):
    summary = category_collect(supplier="uzum", category_id=CATEGORY, limit=2)

    assert (summary.listed, Product.objects.count()) == (2, 2)


def test_a_scheduled_shop_is_collected_by_its_own_job(uzum_site, supplier, settings):
    settings.COLLECT_SCHEDULE = "uzum:shop:2224:1440"

    assert collect_enqueue_due() == {"uzum": ["shop:2224"]}
    job = Job.objects.get(type="analytics.jobs.shop_collect")
    assert job.payload == {"supplier": "uzum", "shop_id": "2224"}
    job_run(str(job.pk))

    job.refresh_from_db()
    assert (job.result["kind"], job.result["created"], job.result["failed"]) == ("shop", 4, 1)
    listing = next(seen for seen in uzum_site.requests if "/search/product" in seen.path)
    assert parse_qs(urlsplit(listing.path).query)["shopId"] == ["2224"]


def test_a_category_and_a_shop_with_the_same_id_are_scheduled_apart(supplier, settings):
    settings.COLLECT_SCHEDULE = ["uzum:category:2224:60", "uzum:shop:2224:60"]

    assert collect_enqueue_due() == {"uzum": ["category:2224", "shop:2224"]}
    assert collect_enqueue_due() == {}


def test_shop_collect_links_no_customer_either(uzum_site, supplier, user):
    summary = shop_collect(supplier="uzum", shop_id="2224")

    assert (summary.created, TrackedProduct.objects.count()) == (4, 0)


def test_a_marketplace_whose_plugin_cannot_walk_categories_is_refused(db):
    SupplierFactory(slug="amazon")

    with pytest.raises(CollectConfigError, match="cannot walk a category"):
        category_collect(supplier="amazon", category_id="1")


ROOT_CATEGORIES = KE + "root-categories-response.json"


@pytest.fixture
def tree_answer(shared_dir) -> dict:
    return json.loads((shared_dir / ROOT_CATEGORIES).read_text(encoding="utf-8"))


@pytest.fixture
def uzum_tree(uzum_site, tree_answer):
    """The marketplace's category tree beside the listing and products."""
    uzum_site.route("/api/main/root-categories", _json(tree_answer))
    return uzum_site


def _leaves() -> set[str]:
    return set(Category.objects.filter(children__isnull=True).values_list("external_id", flat=True))


def test_the_tree_job_stores_every_category_in_its_place(uzum_tree, supplier, settings):
    settings.COLLECT_SCHEDULE = "uzum:tree:1440"

    assert collect_enqueue_due() == {"uzum": ["tree:uzum"]}
    job = Job.objects.get(type="analytics.jobs.category_tree_collect")
    assert job_run(str(job.pk))["status"] == "success"

    job.refresh_from_db()
    assert job.result == {"supplier": "uzum", "nodes": 1618, "created": 1618, "updated": 0}
    assert Category.objects.filter(supplier=supplier, parent__isnull=True, level=0).count() == 20
    child = Category.objects.filter(level=2).select_related("parent__parent").first()
    assert child.path == f"{child.parent.parent.name} > {child.parent.name} > {child.name}"
    assert not child.name.startswith(" ")


def test_a_second_read_of_the_tree_changes_only_what_moved(uzum_tree, supplier, tree_answer):
    category_tree_collect(supplier="uzum")
    leaf = Category.objects.filter(children__isnull=True, level=2).first()
    for root in tree_answer["payload"]:
        for middle in root.get("children") or []:
            for node in middle.get("children") or []:
                if str(node["id"]) == leaf.external_id:
                    node["title"] = "Renamed"
    uzum_tree.route("/api/main/root-categories", _json(tree_answer))

    assert category_tree_collect(supplier="uzum") == {"supplier": "uzum", "nodes": 1618, "created": 0, "updated": 1}
    leaf.refresh_from_db()
    assert (leaf.name, leaf.path.endswith(" > Renamed"), Category.objects.count()) == ("Renamed", True, 1618)


def test_every_leaf_of_the_stored_tree_is_collected_at_the_trees_interval(uzum_tree, supplier, settings):
    category_tree_collect(supplier="uzum")
    own = sorted(_leaves())[0]
    settings.COLLECT_SCHEDULE = ["uzum:tree:1440", f"uzum:category:{own}:60"]

    enqueued = collect_enqueue_due()["uzum"]

    assert enqueued[0] == "tree:uzum"
    assert sorted(enqueued[1:]) == sorted({f"category:{leaf}" for leaf in _leaves()})
    assert enqueued.count(f"category:{own}") == 1
    assert Job.objects.filter(type="analytics.jobs.category_collect").count() == len(_leaves()) > 1000
    assert collect_enqueue_due() == {}


def test_a_plugin_that_cannot_read_a_tree_is_a_configuration_error(supplier, monkeypatch):
    monkeypatch.delattr("suppliers.plugins.uzum.UzumScraper.category_tree")

    with pytest.raises(CollectConfigError, match="cannot read a category tree"):
        category_tree_collect(supplier="uzum")
