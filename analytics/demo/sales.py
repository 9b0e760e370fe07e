"""The demo's selling side: store accounts, pricing rules, listings and their daily marketplace figures."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.utils import timezone

from analytics.demo.state import CENT, DAYS, Demo, backdate
from listings.models import Listing, MarketplaceData, PricingRule
from marketplaces.models import StoreAccount


def _stores(demo: Demo) -> None:
    now = demo.now
    common = {"user": demo.user, "status": StoreAccount.Status.CONNECTED, "currency": "USD"}
    tokens = {"access_token_expires_at": now + timedelta(hours=2), "connected_at": demo.start + timedelta(days=1)}
    ebay = StoreAccount(
        **common,
        **tokens,
        marketplace="ebay",
        name="Northwind on eBay",
        external_account_id="northwind_gadgets",
        credentials={"client_id": "NorthwindG-demo-PRD-0000000000", "client_secret": "PRD-demo-not-a-real-secret"},
        access_token="v^1.1#i^1#demo-access-token-not-real",
        refresh_token="v^1.1#i^1#demo-refresh-token-not-real",
        refresh_token_expires_at=now + timedelta(days=500),
        scopes=[
            "https://api.ebay.com/oauth/api_scope/sell.inventory",
            "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
        ],
    )
    shopify = StoreAccount(
        **common,
        **tokens,
        marketplace="shopify",
        name="Northwind Gadgets Shop",
        shop_domain="northwind-gadgets.myshopify.com",
        external_account_id="gid://shopify/Shop/70012345678",
        credentials={"api_key": "demo-shopify-api-key", "api_secret": "demo-shopify-api-secret"},
        access_token="shpat_demo0000000000000000000000000",
        scopes=["write_products", "write_inventory", "read_orders"],
    )
    StoreAccount.objects.bulk_create([ebay, shopify])
    demo.stores = {"ebay": ebay, "shopify": shopify}


def _pricing_rules(demo: Demo) -> None:
    ebay, shopify = demo.stores["ebay"], demo.stores["shopify"]
    ebay_fees = {"fee_percent": Decimal("13.25"), "fixed_fee": Decimal("0.30")}
    demo.rules = {
        "ebay_cheap": PricingRule(user=demo.user, store_account=ebay, name="eBay: items under $15", priority=50,
                                  cost_max=Decimal("15"), markup_percent=Decimal("80"), min_profit=Decimal("3"),
                                  **ebay_fees),
        "ebay": PricingRule(user=demo.user, store_account=ebay, name="eBay standard", markup_percent=Decimal("30"),
                            min_profit=Decimal("4"), compare_at_percent=Decimal("20"), **ebay_fees),
        "shopify": PricingRule(user=demo.user, store_account=shopify, name="Shopify standard",
                               markup_percent=Decimal("40"), fee_percent=Decimal("2.9"), fixed_fee=Decimal("0.30"),
                               shipping_cost=Decimal("4.99"), min_profit=Decimal("5")),
    }  # fmt: skip
    PricingRule.objects.bulk_create(demo.rules.values())


def _rule_for(demo: Demo, store: str, cost: Decimal) -> PricingRule:
    if store == "ebay" and cost < demo.rules["ebay_cheap"].cost_max:
        return demo.rules["ebay_cheap"]
    return demo.rules[store]


def sell_price(*, cost: Decimal, rule: PricingRule) -> Decimal:
    """Cost plus markup, shipping and fees, at least the minimum profit, rounded up to end in .99."""
    base = cost + rule.shipping_cost + rule.fixed_fee
    keep = 1 - rule.fee_percent / 100
    price = max((base + cost * rule.markup_percent / 100) / keep, (base + rule.min_profit) / keep)
    return price.quantize(Decimal(1), ROUND_CEILING) - CENT


# (external id, store, status, reason, day published or None, day of the last status change)
LISTING_PLAN: tuple[tuple[str, str, str, str, int | None, int | None], ...] = (
    ("B0BDHWDR12", "ebay", "active", "", 0, None),
    ("B09B8V1LZ3", "ebay", "active", "", 0, None),
    ("B0C8PSMPTH", "ebay", "active", "", 10, None),
    ("B08J65DST5", "ebay", "active", "", 5, None),
    ("B0BSHF7WHW", "ebay", "paused", "out_of_stock", 3, 84),
    ("1005005834412987", "ebay", "active", "", 15, None),
    ("1005004987251034", "ebay", "active", "", 20, None),
    ("1005005567001122", "ebay", "ended", "ended_by_user", 0, 50),
    ("1005006655443321", "ebay", "pending", "", None, None),
    ("B07PXGQC1Q", "shopify", "active", "", 2, None),
    ("B0B7CPSN2K", "shopify", "active", "", 8, None),
    ("B07ZPKN6YR", "shopify", "active", "", 12, None),
    ("1005006128923451", "shopify", "active", "", 25, None),
    ("1005006001238877", "shopify", "active", "", 30, None),
    ("B08KTZ8249", "shopify", "delisted", "supplier_price_ceiling", 5, 70),
    ("1005005123456701", "shopify", "paused", "low_margin", 20, 80),
    ("B09JQMJHXY", "shopify", "active", "", 45, None),
)


def _listings(demo: Demo) -> None:
    rows = [_listing(demo, *plan) for plan in LISTING_PLAN]
    Listing.objects.bulk_create(rows)
    backdate(rows, [demo.day(plan[4] if plan[4] is not None else DAYS - 1) for plan in LISTING_PLAN])
    demo.listings = rows


def _listing(
    demo: Demo, external_id: str, store: str, status: str, reason: str, published: int | None, changed: int | None
) -> Listing:
    product = demo.products[external_id]
    variant = (demo.variants.get(external_id) or [None])[0]
    cost = (variant or product).price or Decimal(0)
    rule = _rule_for(demo, store, cost)
    price = sell_price(cost=cost, rule=rule)
    live = status == Listing.Status.ACTIVE
    quantity = min(product.stock_quantity or 0, 10) if live else 0
    item_id = str(demo.rng.randint(10**11, 10**12 - 1))
    listing = Listing(
        user=demo.user,
        store_account=demo.stores[store],
        product=product,
        variant=variant,
        pricing_rule=rule,
        sku=f"NW-{store[:2].upper()}-{external_id}" + (f"-{variant.sku}" if variant else ""),
        title=product.title[:80] if store == "ebay" else product.title,
        description=product.description,
        status=status,
        status_reason=reason,
        status_changed_at=demo.day(changed if changed is not None else (published or DAYS - 1)),
        price=price,
        compare_at_price=_compare_at(price, rule),
        quantity=quantity,
        max_quantity=10,
    )
    if published is not None:
        _mark_published(demo, listing, store=store, item_id=item_id, published=published)
    if status in (Listing.Status.ENDED, Listing.Status.DELISTED):
        listing.ended_at = listing.status_changed_at
        if listing.external_id:
            listing.withdrawn_at = listing.status_changed_at
    return listing


def _compare_at(price: Decimal, rule: PricingRule) -> Decimal | None:
    if rule.compare_at_percent is None:
        return None
    return (price * (1 + rule.compare_at_percent / 100)).quantize(Decimal(1), ROUND_CEILING) - CENT


def _mark_published(demo: Demo, listing: Listing, *, store: str, item_id: str, published: int) -> None:
    listing.published_at = demo.day(published)
    listing.pushed_price, listing.pushed_quantity = listing.price, listing.quantity
    listing.last_synced_at = demo.now - timedelta(minutes=demo.rng.randint(3, 90))
    if store == "ebay":
        listing.external_id, listing.offer_id = item_id, f"{item_id[:9]}010"
        listing.external_url = f"https://www.ebay.com/itm/{item_id}"
    else:
        listing.external_id = f"gid://shopify/Product/{item_id}"
        listing.offer_id = f"gid://shopify/ProductVariant/{int(item_id) + 1}"
        listing.external_url = f"https://northwind-gadgets.myshopify.com/products/{listing.sku.lower()}"


# --- daily marketplace figures --------------------------------------------------------------------


def _marketplace_data(demo: Demo) -> None:
    rows: list[MarketplaceData] = []
    for plan, listing in zip(LISTING_PLAN, demo.listings, strict=True):
        published, changed = plan[4], plan[5]
        if published is None:
            continue
        popularity = demo.rng.randint(40, 400)
        for index in range(published, changed if changed is not None else DAYS):
            rows.append(_day_figures(demo, listing, index=index, popularity=popularity))
    MarketplaceData.objects.bulk_create(rows)


def _day_figures(demo: Demo, listing: Listing, *, index: int, popularity: int) -> MarketplaceData:
    rng, rule = demo.rng, listing.pricing_rule
    assert rule is not None
    day = timezone.localdate(demo.start) + timedelta(days=index)
    close = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    walk = demo.walks[listing.product.external_id]
    offset = _variant_offset(listing)
    cost_each = walk.price_at(close) + offset + rule.shipping_cost
    price = sell_price(cost=cost_each - rule.shipping_cost, rule=rule)
    views = int(popularity * (0.8 + 0.4 * index / DAYS) * rng.uniform(0.6, 1.4))
    orders = _round_random(rng, views * rng.uniform(0.005, 0.02)) if walk.available_at(close) else 0
    units = orders + (1 if orders and rng.random() < 0.1 else 0)
    revenue = price * units
    refunds = price if orders and rng.random() < 0.04 else Decimal(0)
    fees = (revenue * rule.fee_percent / 100 + rule.fixed_fee * orders).quantize(CENT, ROUND_HALF_UP)
    cost = (cost_each * units).quantize(CENT, ROUND_HALF_UP)
    return MarketplaceData(
        listing=listing,
        date=day,
        views=views,
        orders=orders,
        units_sold=units,
        revenue=revenue,
        cost=cost,
        fees=fees,
        refunds=refunds,
        profit=revenue - cost - fees - refunds,
    )


def _variant_offset(listing: Listing) -> Decimal:
    if listing.variant is None or listing.variant.price is None or listing.product.price is None:
        return Decimal(0)
    return listing.variant.price - listing.product.price


def _round_random(rng: random.Random, value: float) -> int:
    whole = int(value)
    return whole + (1 if rng.random() < value - whole else 0)


def build_sales(demo: Demo) -> None:
    """Store accounts, pricing rules, listings in every status, and their daily figures."""
    _stores(demo)
    _pricing_rules(demo)
    _listings(demo)
    _marketplace_data(demo)
