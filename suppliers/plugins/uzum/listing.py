"""Catalogue-wide reads: product listings of a category, brand or shop, the shop itself, and the category tree.

Listings come in two shapes, both read into the same lightweight `CatalogItem`:
- REST `GET /v2/main/search/product?categoryId=…|shopId=…|filter=…&size=…&page=…` and the shop page
  `GET /shop/{link}`: `payload.products[]` with `productId`, `sellPrice`, `fullPrice`, `ordersQuantity`,
  `reviewsQuantity`, `rating`, `image`, `categoryId`, and `payload.totalProducts`;
- GraphQL `makeSearch`: `data.makeSearch.items[].catalogCard` (a `SkuGroupCard` or `ProductCard`) with
  `productId`, `minSellPrice`, `minFullPrice`, `ordersQuantity`, `feedbackQuantity`, `rating`, `photos[]`,
  and `data.makeSearch.total`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from suppliers.plugins.base import ParseError
from suppliers.plugins.uzum.values import as_dict, as_dicts, count, graphql_data, id_text, money, payload, rating, text


@dataclass(frozen=True)
class CatalogItem:
    """One product as a listing shows it: enough to decide whether to fetch the full product."""

    product_id: str
    title: str
    sell_price: Decimal | None = None
    full_price: Decimal | None = None
    orders: int | None = None
    rating: Decimal | None = None
    reviews: int | None = None
    seller_id: str | None = None
    seller: str | None = None
    category_id: str | None = None
    image: str = ""


@dataclass(frozen=True)
class ListingPage:
    """One page of a listing; `total` is the listing's size when the answer says it."""

    items: list[CatalogItem]
    total: int | None = None


@dataclass(frozen=True)
class ShopRecord:
    """A seller as its shop page describes it."""

    seller_id: str
    title: str
    link: str = ""
    rating: Decimal | None = None
    reviews: int | None = None
    orders: int | None = None
    seller_account_id: str | None = None
    official: bool = False
    total_products: int | None = None


@dataclass(frozen=True)
class ShopPage:
    shop: ShopRecord
    page: ListingPage


@dataclass(frozen=True)
class CategoryNode:
    category_id: str
    title: str
    parent_id: str | None = None
    level: int = 0
    product_amount: int | None = None
    children: list[CategoryNode] = field(default_factory=list)


def parse_products_page(text_body: str, url: str) -> ListingPage:
    """A REST listing page (category, brand or shop products)."""
    data = as_dict(payload(text_body, url))
    if "products" not in data:
        raise ParseError(f"{url} answered no product list")
    return ListingPage(items=catalog_items(data.get("products")), total=count(data.get("totalProducts")))


def parse_shop(text_body: str, url: str) -> ShopPage:
    """The shop page: the seller and the first page of its products, each tagged with the seller."""
    data = as_dict(payload(text_body, url))
    seller_id = id_text(data.get("id"))
    if not seller_id:
        raise ParseError(f"{url} answered no shop")
    shop = ShopRecord(
        seller_id=seller_id,
        title=text(data.get("title")),
        link=text(data.get("link")),
        rating=rating(data.get("rating")),
        reviews=count(data.get("reviews")),
        orders=count(data.get("orders")),
        seller_account_id=id_text(data.get("sellerAccountId")) or None,
        official=data.get("official") is True,
        total_products=count(data.get("totalProducts")),
    )
    items = catalog_items(data.get("products"), seller_id=seller_id, seller=shop.title or None)
    return ShopPage(shop=shop, page=ListingPage(items=items, total=shop.total_products))


def parse_make_search(text_body: str, url: str) -> ListingPage:
    """A GraphQL `makeSearch` answer."""
    search = as_dict(graphql_data(text_body, url).get("makeSearch"))
    if not isinstance(search.get("items"), list):
        raise ParseError(f"{url} answered no makeSearch items")
    return ListingPage(items=catalog_items(search["items"]), total=count(search.get("total")))


def parse_root_categories(text_body: str, url: str) -> list[CategoryNode]:
    """The category tree from `GET /main/root-categories`, root categories first."""
    roots = payload(text_body, url)
    if not isinstance(roots, list):
        raise ParseError(f"{url} answered no category list")
    return category_nodes(roots)


def category_nodes(nodes: Any, *, parent_id: str | None = None, level: int = 0) -> list[CategoryNode]:
    """Category dicts (with nested `children`) as nodes; titles lose the padding spaces the API adds."""
    result = []
    for node in as_dicts(nodes):
        category_id, title = id_text(node.get("id")), text(node.get("title"))
        if not category_id or not title:
            continue
        children = category_nodes(node.get("children"), parent_id=category_id, level=level + 1)
        result.append(CategoryNode(category_id, title, parent_id, level, count(node.get("productAmount")), children))
    return result


def walk_categories(nodes: list[CategoryNode]) -> Iterator[CategoryNode]:
    """Every node of the tree, each parent before its children."""
    for node in nodes:
        yield node
        yield from walk_categories(node.children)


def catalog_items(nodes: Any, *, seller_id: str | None = None, seller: str | None = None) -> list[CatalogItem]:
    """Listing entries of either shape, in order; entries without an id or a title are skipped."""
    items = []
    for node in as_dicts(nodes):
        item = catalog_item(as_dict(node.get("catalogCard")) or node, seller_id=seller_id, seller=seller)
        if item is not None:
            items.append(item)
    return items


def catalog_item(
    card: Mapping[str, Any], *, seller_id: str | None = None, seller: str | None = None
) -> CatalogItem | None:
    product_id = id_text(card.get("productId")) or id_text(card.get("id"))
    title = text(card.get("title"))
    if not product_id or not title:
        return None
    return CatalogItem(
        product_id=product_id,
        title=title,
        sell_price=_first(money, card, "sellPrice", "minSellPrice"),
        full_price=_first(money, card, "fullPrice", "minFullPrice"),
        orders=_first(count, card, "ordersQuantity", "ordersAmount"),
        rating=rating(card.get("rating")),
        reviews=_first(count, card, "reviewsQuantity", "feedbackQuantity", "reviewsAmount"),
        seller_id=seller_id or id_text(card.get("sellerId")) or None,
        seller=seller,
        category_id=id_text(card.get("categoryId")) or None,
        image=text(card.get("image")) or _first_photo(card.get("photos")),
    )


def _first(read: Any, card: Mapping[str, Any], *names: str) -> Any:
    return next((value for value in (read(card.get(name)) for name in names) if value is not None), None)


def _first_photo(photos: Any) -> str:
    for photo in as_dicts(photos):
        url = text(as_dict(photo.get("link")).get("high"))
        if url:
            return url
    return ""
