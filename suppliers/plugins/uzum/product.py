"""Read the product API answer (`GET {UZUM_BASE_URL}/v2/product/{id}`, shared by Uzum and KazanExpress).

`payload.data` holds the product: `category` nested through `parent` up to the root, `characteristics`
(each a `title` and its `values`), `skuList` (each SKU names its values by `charIndex`/`valueIndex`, and has
`purchasePrice` — what a buyer pays —, `fullPrice` — the struck-through price — and `availableAmount`),
`photos` (each a `photo` map from size to `{high, low}` URLs), `seller` and the counters.
The answer carries no currency: the caller says which one the marketplace prices in.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from suppliers.plugins.base import ParseError, ProductData, ProductNotFoundError, VariantData
from suppliers.plugins.uzum.values import as_dict, as_dicts, count, id_text, money, payload, rating, text

LOW_STOCK_AT = 5  # an available amount at or below this is `low_stock`
_CATEGORY_DEPTH = 20
_SELLER_STATS = ("rating", "reviews", "orders", "link", "sellerAccountId", "official", "registrationDate")


def parse_product(text_body: str, url: str, *, currency: str) -> ProductData:
    """One product with a variant per SKU; `ProductNotFoundError` for an error answer or one without data."""
    data = as_dict(as_dict(payload(text_body, url)).get("data"))
    external_id = id_text(data.get("id"))
    if not external_id:
        raise ProductNotFoundError(f"{url} answered no product data")
    title = text(data.get("title"))
    if not title:
        raise ParseError(f"{url}: product {external_id} has no title")
    variants = _variants(data, currency)
    offer = _cheapest(variants)
    stock = count(data.get("totalAvailableAmount"))
    if stock is None and variants:
        stock = sum(v.stock_quantity or 0 for v in variants)
    ids, names = _category_chain(data.get("category"))
    seller = as_dict(data.get("seller"))
    return ProductData(
        external_id=external_id,
        url=url,
        title=title,
        brand=_brand(data) or None,
        price=offer.price if offer else None,
        list_price=offer.list_price if offer else None,
        currency=currency,
        availability=availability(stock),
        stock_quantity=stock,
        rating=rating(data.get("rating")),
        review_count=count(data.get("reviewsAmount")),
        orders_count=count(data.get("ordersAmount")),
        seller=text(seller.get("title")) or None,
        seller_id=id_text(seller.get("id")) or None,
        images=photo_urls(data.get("photos")),
        variations=[{"name": name, "values": values} for name, values in _characteristics(data)],
        bullets=[line for line in (text(a) for a in data.get("attributes") or []) if line],
        category_path=names,
        variants=variants,
        extra={
            "category_ids": ids,
            "description": text(data.get("description")),
            "seller": {name: seller.get(name) for name in _SELLER_STATS if name in seller},
            "orders_rounded": count(data.get("rOrdersAmount")),
        },
    )


def availability(stock: int | None) -> str:
    if stock is None:
        return "unknown"
    if stock == 0:
        return "out_of_stock"
    return "low_stock" if stock <= LOW_STOCK_AT else "in_stock"


def photo_urls(photos: Any) -> list[str]:
    """The largest URL of each photo, in order, without repeats."""
    urls: list[str] = []
    for item in as_dicts(photos):
        url = _largest(as_dict(item.get("photo"))) or text(as_dict(item.get("link")).get("high"))
        if url and url not in urls:
            urls.append(url)
    return urls


def _largest(sizes: Mapping[str, Any]) -> str:
    """The `original` rendition when offered, else the `high` URL of the widest plain size key.

    Size keys are widths ("800", "540"…) plus a few compound ones ("24034" is 240×340), which are skipped.
    """
    highs = {key: text(as_dict(value).get("high")) for key, value in sizes.items()}
    for url in highs.values():
        if url.rsplit("/", 1)[-1].startswith("original."):
            return url
    widths = [(int(key), url) for key, url in highs.items() if url and key.isdigit() and len(key) <= 4]
    return max(widths)[1] if widths else next((url for url in highs.values() if url), "")


def _characteristics(data: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    chars = []
    for char in as_dicts(data.get("characteristics")):
        values = [text(v.get("title")) or text(v.get("value")) for v in as_dicts(char.get("values"))]
        chars.append((text(char.get("title")), values))
    return chars


def _variants(data: Mapping[str, Any], currency: str) -> list[VariantData]:
    chars = _characteristics(data)
    variants = []
    for sku in as_dicts(data.get("skuList")):
        sku_id = id_text(sku.get("id"))
        if not sku_id:
            continue
        attributes = _sku_attributes(sku, chars)
        stock = count(sku.get("availableAmount"))
        variants.append(
            VariantData(
                sku=sku_id,
                title=" / ".join(attributes.values()),
                attributes=attributes,
                price=_first_money(sku, "purchasePrice", "sellPrice"),
                list_price=money(sku.get("fullPrice")),
                currency=currency,
                availability=availability(stock),
                stock_quantity=stock,
            )
        )
    return variants


def _sku_attributes(sku: Mapping[str, Any], chars: list[tuple[str, list[str]]]) -> dict[str, str]:
    """{characteristic title: value title} in the product's characteristic order."""
    picked: dict[int, tuple[str, str]] = {}
    for ref in as_dicts(sku.get("characteristics")):
        char_index, value_index = count(ref.get("charIndex")), count(ref.get("valueIndex"))
        if char_index is None or value_index is None or char_index >= len(chars):
            continue
        name, values = chars[char_index]
        if name and value_index < len(values) and values[value_index]:
            picked[char_index] = (name, values[value_index])
    return dict(pair for _, pair in sorted(picked.items()))


def _first_money(sku: Mapping[str, Any], *names: str) -> Decimal | None:
    return next((amount for amount in (money(sku.get(name)) for name in names) if amount is not None), None)


def _cheapest(variants: list[VariantData]) -> VariantData | None:
    """The cheapest SKU a buyer can order now; the cheapest of all when none is available."""
    priced = [v for v in variants if v.price is not None]
    available = [v for v in priced if v.stock_quantity]
    candidates = available or priced
    return min(candidates, key=lambda v: v.price or Decimal(0)) if candidates else None


def _category_chain(category: Any) -> tuple[list[int], list[str]]:
    """(ids, titles) from the root down to the product's category; titles lose their padding spaces."""
    chain: list[tuple[int, str]] = []
    node = as_dict(category)
    seen: set[str] = set()
    while node and len(chain) < _CATEGORY_DEPTH:
        node_id, title = id_text(node.get("id")), text(node.get("title"))
        if not node_id or node_id in seen or not title:
            break
        seen.add(node_id)
        chain.append((int(node_id), title))
        node = as_dict(node.get("parent"))
    chain.reverse()
    return [node_id for node_id, _ in chain], [title for _, title in chain]


def _brand(data: Mapping[str, Any]) -> str:
    brand = data.get("brand")
    if isinstance(brand, Mapping):
        return text(brand.get("title")) or text(brand.get("name"))
    return text(brand)
