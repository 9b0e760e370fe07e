"""Read an AliExpress search results page (`/wholesale?SearchText=…`) into `ProductData` records.

Server-rendered result pages carry the first page of results as JSON in a script, either
`window._dida_config_._init_data_ = { data: {… "mods": {"itemList": {"content": [item…]}}} }` (2022+) or
`window.runParams = {"mods": {"itemList": {"content": […]}}}` (older). Each item holds `productId`,
`title.displayTitle`, `prices.salePrice` (`minPrice`, `currencyCode`), `image.imgUrl`, `evaluation.starRating`
and `trade.tradeDesc` ("1,000+ sold"). A page without that list (client-rendered) yields no records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from suppliers.plugins.aliexpress.parser import assigned_object, detect_block
from suppliers.plugins.aliexpress.values import as_dict, as_dicts, count, id_text, image_urls, money, rating, text
from suppliers.plugins.base import ProductData

_RESULT_SCRIPTS = ("window._dida_config_._init_data_", "window.runParams")
_MAX_DEPTH = 8


def parse_search(html: str, url: str) -> list[ProductData]:
    """Every result item with an id and a title, in page order; `CaptchaError` for the slider page."""
    detect_block(html)
    origin = _origin(url)
    for target in _RESULT_SCRIPTS:
        items = _item_list(assigned_object(html, target) or {}, _MAX_DEPTH)
        if items is not None:
            return [record for record in (_record(item, origin) for item in items) if record is not None]
    return []


def _item_list(node: Any, depth: int) -> list[dict[str, Any]] | None:
    """The `itemList.content` list wherever it sits in the page data (its nesting changes between versions)."""
    if not isinstance(node, Mapping) or depth < 0:
        return None
    content = as_dict(node.get("itemList")).get("content")
    if isinstance(content, list):
        return as_dicts(content)
    for value in node.values():
        found = _item_list(value, depth - 1)
        if found is not None:
            return found
    return None


def _record(item: Mapping[str, Any], origin: str) -> ProductData | None:
    external_id = id_text(item.get("productId"))
    title = text(as_dict(item.get("title")).get("displayTitle"))
    if not (external_id and title):
        return None
    sale = as_dict(as_dict(item.get("prices")).get("salePrice"))
    return ProductData(
        external_id=external_id,
        url=f"{origin}/item/{external_id}.html",
        title=title,
        price=money(sale.get("minPrice")),
        currency=text(sale.get("currencyCode")),
        rating=rating(as_dict(item.get("evaluation")).get("starRating"), None),
        orders_count=count(as_dict(item.get("trade")).get("tradeDesc")),
        seller=text(as_dict(item.get("store")).get("storeName")),
        images=image_urls([as_dict(item.get("image")).get("imgUrl")]),
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "https://www.aliexpress.com"
