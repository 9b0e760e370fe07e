"""Read AliExpress item pages into `ProductData`. Pure functions over the page text: no network.

Three page generations are handled:

- ~2019-2021 server-rendered: `window.runParams = { data: {"titleModule": …, "skuModule": …}, csrfToken: '…' }`.
  The assignment is a JavaScript object literal (unquoted keys) whose `data` member is JSON.
- ~2022-2023 server-rendered: the same assignment with `…Component` keys (`productInfoComponent`,
  `priceComponent`, `skuComponent`, `sellerComponent`…).
- 2024+ client-rendered ("newDetail"): `window.runParams = {}` and `window._d_c_.DCData` with images only; price,
  stock and SKUs arrive later from an XHR API. Such a page yields title and images but no price, so `parse_product`
  raises `ParseError("… price not present in page")` carrying them on `exc.partial` instead of guessing a price.

The product's price is the lowest price of an in-stock SKU (its sale price when a promotion runs), and its list price
that SKU's regular price; every SKU is kept in `variants` with its own prices and stock.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from suppliers.plugins.aliexpress.values import (
    amount,
    as_dict,
    as_dicts,
    availability,
    count,
    first,
    https,
    id_text,
    image_urls,
    module,
    money,
    rating,
    text,
)
from suppliers.plugins.base import CaptchaError, ParseError, ProductData, VariantData

PRICE_NOT_IN_PAGE = "price not present in page"

# Strings only AliExpress's anti-bot ("punish", x5sec slider) pages carry; none occurs in a real item page.
_BLOCK_MARKERS = ("_____tmd_____", "x5secdata", "/punish?", "nc_1_n1z", "nc_1_wrapper", "slide to verify")
_ITEM_ID_IN_URL = re.compile(r"/item/(?:[^/?#]*/)?(\d{6,})\.html")
_PRODUCT_ID_PARAM = re.compile(r"productId=(\d{6,})")
_DATA_MEMBER = re.compile(r"""["']?data["']?\s*:\s*(?=\{)""")
_TITLE_SUFFIX = re.compile(r"\s*-\s*AliExpress(?:\s+\d+)?\s*$", re.IGNORECASE)
_META_TAG = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)

# AliExpress's attribute id for "Brand Name" is 2 on every site; the names cover records that lost the ids.
_BRAND_ATTR_ID = 2
_BRAND_ATTR_NAMES = frozenset(
    {
        "brand name",
        "brand",
        "nombre de la marca",
        "marca",
        "nom de la marque",
        "markenname",
        "название бренда",
        "marka",
        "merknaam",
        "nome da marca",
        "שם מותג",
    }
)


def detect_block(html: str) -> None:
    """Raise `CaptchaError` when the page is AliExpress's slider captcha ("punish"/x5sec) instead of an item."""
    lowered = html.lower()
    for marker in _BLOCK_MARKERS:
        if marker in lowered:
            raise CaptchaError(f"AliExpress answered with its slider captcha page (found {marker!r})")


def parse_product(html: str, url: str) -> ProductData:
    """Parse an item page. Raises `CaptchaError` for block pages and `ParseError` (with `partial`) without prices."""
    detect_block(html)
    run_params = assigned_object(html, "window.runParams") or {}
    data = run_params.get("data")
    if isinstance(data, dict) and data:
        return _from_run_params(data, html, url)
    partial = _from_meta(html, url)
    if not (partial.external_id or partial.title or partial.images):
        raise ParseError("not an AliExpress item page: no runParams data, no item id, no title")
    raise ParseError(f"AliExpress item {partial.external_id or '?'}: {PRICE_NOT_IN_PAGE}", partial=partial)


def item_id_from_url(url: str) -> str:
    """The numeric item id in `…/item/1005006180026951.html` or `…?productId=…`, or ""."""
    match = _ITEM_ID_IN_URL.search(url) or _PRODUCT_ID_PARAM.search(url)
    return match.group(1) if match else ""


def assigned_object(html: str, target: str) -> dict[str, Any] | None:
    """The object assigned to `target` in a script (`window.runParams = {…}`), decoded from the assignment on.

    `raw_decode` stops at the end of the object, so the JavaScript after it does not matter. When the literal
    is not JSON (unquoted keys), its `data` member, which is JSON, is returned as `{"data": …}`.
    """
    decoder = json.JSONDecoder()
    for match in re.finditer(re.escape(target) + r"\s*=\s*(?=\{)", html):
        start = match.end()
        try:
            value, _ = decoder.raw_decode(html, start)
        except json.JSONDecodeError:
            value = _data_member(html, start, decoder)
        if isinstance(value, dict):
            return value
    return None


def _data_member(html: str, start: int, decoder: json.JSONDecoder) -> dict[str, Any] | None:
    member = _DATA_MEMBER.search(html, start, start + 2000)
    if member is None:
        return None
    try:
        value, _ = decoder.raw_decode(html, member.end())
    except json.JSONDecodeError:
        return None
    return {"data": value} if isinstance(value, dict) else None


def _from_run_params(data: dict[str, Any], html: str, url: str) -> ProductData:
    sku_module = module(data, "skuModule", "skuComponent")
    price_module = module(data, "priceModule", "priceComponent")
    title_module = module(data, "titleModule")
    info_module = module(data, "productInfoComponent")
    feedback = as_dict(title_module.get("feedbackRating")) or module(data, "feedbackComponent")
    store = module(data, "storeModule", "sellerComponent")
    page = module(data, "pageModule", "metaDataComponent")
    # Open Graph tags are only a fallback here: read them (a pass over the whole page) when something is missing.
    from_meta = cache(lambda: _from_meta(html, url))

    properties = _sku_properties(sku_module)
    currency = _page_currency(data)
    variants = [_variant(entry, properties, currency) for entry in _sku_price_list(sku_module, price_module)]
    currency = currency or next((v.currency for v in variants if v.currency), "")
    review_count = count(feedback.get("totalValidNum"))
    stock = _total_stock(data, variants)
    price, list_price = _product_price(variants, price_module)
    external_id = (
        id_text(
            first(
                module(data, "actionModule").get("productId"),
                module(data, "commonModule").get("productId"),
                info_module.get("id"),
                page.get("productId"),
            )
        )
        or from_meta().external_id
    )
    product = ProductData(
        external_id=external_id,
        url=url or _https_url(page.get("itemDetailUrl")),
        title=text(first(title_module.get("subject"), info_module.get("subject"))) or from_meta().title,
        brand=_brand((p.get("attrName"), p.get("attrValue"), p.get("attrNameId")) for p in _spec_props(data)),
        price=price,
        currency=currency or None,
        list_price=list_price,
        availability=availability(stock),
        stock_quantity=stock,
        rating=rating(first(feedback.get("averageStar"), feedback.get("evarageStar")), review_count),
        review_count=review_count,
        seller=text(store.get("storeName")),
        seller_id=id_text(store.get("storeNum")) or None,
        images=image_urls(module(data, "imageModule", "imageComponent").get("imagePathList")) or from_meta().images,
        variations=[{"name": name, "values": list(values.values())} for name, values in properties.values()],
        category_path=_category_path(data),
        variants=variants,
        orders_count=count(
            first(
                title_module.get("tradeCount"),
                title_module.get("formatTradeCount"),
                module(data, "tradeComponent").get("formatTradeCount"),
            )
        ),
        extra=_category_id(data, sku_module),
    )
    if product.price is None:
        raise ParseError(f"AliExpress item {external_id or '?'}: {PRICE_NOT_IN_PAGE}", partial=product)
    return product


def _product_price(
    variants: list[VariantData], price_module: Mapping[str, Any]
) -> tuple[Decimal | None, Decimal | None]:
    """(price, list price): the cheapest in-stock SKU's, else the price module's lowest when no SKU is priced."""
    priced = [v for v in variants if v.price is not None]
    in_stock = [v for v in priced if v.availability != "out_of_stock"] or priced
    if in_stock:
        cheapest = min(in_stock, key=lambda v: v.price or 0)
        return cheapest.price, cheapest.list_price
    regular = amount(price_module.get("minAmount"))
    sale = amount(price_module.get("minActivityAmount"))
    if sale is not None and (regular is None or sale < regular):
        return sale, regular
    return regular, None


def _from_meta(html: str, url: str) -> ProductData:
    """What a page says without runParams: Open Graph tags and the image list in `window._d_c_.DCData`."""
    meta = _meta_properties(html)
    external_id = next(
        (
            found
            for found in map(item_id_from_url, (url, meta.get("og:url", ""), meta.get("al:android:url", "")))
            if found
        ),
        "",
    )
    title_tag = _TITLE_TAG.search(html)
    title = _clean_title(meta.get("og:title") or (html_lib.unescape(title_tag.group(1)) if title_tag else ""))
    dc_data = assigned_object(html, "window._d_c_.DCData") or {}
    images = image_urls(dc_data.get("imagePathList")) or image_urls([meta.get("og:image")])
    return ProductData(external_id=external_id, url=url, title=title or None, images=images)


def _meta_properties(html: str) -> dict[str, str]:
    """`<meta property=… content=…>` values by property, the first of each (regexes: no full DOM parse needed)."""
    found: dict[str, str] = {}
    for tag in _META_TAG.finditer(html):
        attributes = {
            m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTRIBUTE.finditer(tag.group(0))
        }
        name = attributes.get("property") or attributes.get("name")
        if name and "content" in attributes:
            found.setdefault(name, html_lib.unescape(attributes["content"]).strip())
    return found


def _sku_properties(sku_module: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, str]]]:
    """{property id: (property name, {value id: shown value})}, in page order."""
    properties: dict[str, tuple[str, dict[str, str]]] = {}
    for prop in as_dicts(sku_module.get("productSKUPropertyList")):
        values = {
            id_text(value.get("propertyValueId")): str(
                first(value.get("propertyValueDisplayName"), value.get("propertyValueName")) or ""
            )
            for value in as_dicts(prop.get("skuPropertyValues"))
        }
        properties[id_text(prop.get("skuPropertyId"))] = (str(prop.get("skuPropertyName") or ""), values)
    return properties


def _sku_price_list(sku_module: Mapping[str, Any], price_module: Mapping[str, Any]) -> list[dict[str, Any]]:
    for holder in (sku_module, price_module):
        entries = as_dicts(holder.get("skuPriceList"))
        if entries:
            return entries
    sku_json = price_module.get("skuJson")
    if isinstance(sku_json, str):
        try:
            return as_dicts(json.loads(sku_json))
        except json.JSONDecodeError:
            return []
    return []


def _variant(
    entry: Mapping[str, Any], properties: Mapping[str, tuple[str, dict[str, str]]], currency: str
) -> VariantData:
    values = as_dict(entry.get("skuVal"))
    original = amount(values.get("skuAmount")) or money(values.get("skuMultiCurrencyCalPrice"))
    sale = amount(values.get("skuActivityAmount")) or money(values.get("actSkuMultiCurrencyCalPrice"))
    price = sale if sale is not None and (original is None or sale <= original) else original
    stock = count(first(values.get("availQuantity"), values.get("inventory")))
    if entry.get("salable") is False:
        stock = 0
    attributes = _sku_attributes(entry, properties)
    amount_currency = first(
        as_dict(values.get("skuAmount")).get("currency"), as_dict(values.get("skuActivityAmount")).get("currency")
    )
    return VariantData(
        sku=id_text(first(entry.get("skuIdStr"), entry.get("skuId"))),
        title=" / ".join(attributes.values()),
        attributes=attributes,
        price=price,
        list_price=original if price is not None and original is not None and original > price else None,
        currency=str(amount_currency or currency or ""),
        availability=availability(stock),
        stock_quantity=stock,
    )


def _sku_attributes(entry: Mapping[str, Any], properties: Mapping[str, tuple[str, dict[str, str]]]) -> dict[str, str]:
    """Attribute values by property name, from `skuAttr` ("14:193#Black;5:100014064#L") or positional `skuPropIds`."""
    attributes: dict[str, str] = {}
    sku_attr = str(entry.get("skuAttr") or "")
    if sku_attr:
        for part in filter(None, sku_attr.split(";")):
            ids, _, custom_name = part.partition("#")
            prop_id, _, value_id = ids.partition(":")
            name, values = properties.get(prop_id, (prop_id, {}))
            attributes[name] = values.get(value_id) or custom_name or value_id
        return attributes
    value_ids = [v for v in str(entry.get("skuPropIds") or "").split(",") if v]
    for (name, values), value_id in zip(properties.values(), value_ids, strict=False):
        attributes[name] = values.get(value_id, value_id)
    return attributes


def _total_stock(data: Mapping[str, Any], variants: list[VariantData]) -> int | None:
    for name in ("quantityModule", "actionModule", "inventoryComponent", "quantityComponent"):
        total = count(module(data, name).get("totalAvailQuantity"))
        if total is not None:
            return total
    known = [v.stock_quantity for v in variants if v.stock_quantity is not None]
    return sum(known) if known else None


def _page_currency(data: Mapping[str, Any]) -> str:
    for name, key in (
        ("commonModule", "currencyCode"),
        ("currencyComponent", "currencyCode"),
        ("webEnv", "currency"),
        ("shippingModule", "currencyCode"),
    ):
        code = module(data, name).get(key)
        if isinstance(code, str) and code:
            return code
    return ""


def _category_path(data: Mapping[str, Any]) -> list[str]:
    """Breadcrumb names below "Home" and "All categories" (entries without a category id)."""
    crumbs = module(data, "crossLinkModule").get("breadCrumbPathList")
    if crumbs is None:
        crumbs = module(data, "breadcrumbComponent").get("pathList")
    return [
        str(crumb.get("name")).strip()
        for crumb in as_dicts(crumbs)
        if count(crumb.get("cateId")) and str(crumb.get("name") or "").strip()
    ]


def _category_id(data: Mapping[str, Any], sku_module: Mapping[str, Any]) -> dict[str, str]:
    category_id = id_text(first(module(data, "commonModule").get("categoryId"), sku_module.get("categoryId")))
    return {"category_id": category_id} if category_id else {}


def _spec_props(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    return as_dicts(module(data, "specsModule", "productPropComponent").get("props"))


def _brand(specs: Iterable[tuple[Any, Any, Any]]) -> str | None:
    for name, value, name_id in specs:
        if value and (count(name_id) == _BRAND_ATTR_ID or str(name or "").strip().lower() in _BRAND_ATTR_NAMES):
            return str(value).strip()
    return None


def _clean_title(raw: str) -> str:
    """`Title - AliExpress 15` → `Title`; older pages put `€9.99 40% OFF|Title|Category` there: keep the longest."""
    stripped = _TITLE_SUFFIX.sub("", raw.strip())
    parts = [part.strip() for part in stripped.split("|") if part.strip()]
    return max(parts, key=len) if parts else ""


def _https_url(value: Any) -> str:
    return https(value.strip()) if isinstance(value, str) else ""
