"""The Uzum Market scraper plugin (the same JSON API served KazanExpress before it).

Products come from the REST product API (`{UZUM_BASE_URL}/v2/product/{id}`), one variant per SKU. For
catalogue-wide collection it reads listings page by page: a category's or a shop's products (REST
`/v2/main/search/product`), a shop (`/shop/{link}`), the category tree (`/main/root-categories`), and the
GraphQL `makeSearch` listing (`UZUM_GRAPHQL_URL`; Uzum asks a bearer token there, which goes in the supplier's
`config["http"]["headers"]`).

Currency: the API answers bare numbers. The marketplace's currency is `config["currency"]` of the supplier row
when set (a KazanExpress-backed supplier says "RUB"), else the `UZUM_CURRENCY` setting ("UZS").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings

from dropship_central.http import FetchResult, HttpError
from suppliers.plugins.base import BlockedError, InvalidExternalIdError, PluginMeta, ProductData
from suppliers.plugins.http_scraper import HttpScraper
from suppliers.plugins.uzum.collect import iter_listing
from suppliers.plugins.uzum.listing import (
    CatalogItem,
    CategoryNode,
    ListingPage,
    ShopPage,
    parse_make_search,
    parse_products_page,
    parse_root_categories,
    parse_shop,
)
from suppliers.plugins.uzum.product import parse_product as parse_product_response
from suppliers.scraping import supplier_base_url

UZUM_HOSTS: tuple[str, ...] = ("uzum.uz", "api.uzum.uz", "kazanexpress.ru")
DEFAULT_PAGE_SIZE = 48
_ID_RE = re.compile(r"[1-9]\d{0,11}")
# Storefront product pages (`/ru/product/<slug>-<id>`, optionally `?skuId=…`) and the API's own product URL.
_PRODUCT_PATH_RES = (
    re.compile(r"^(?:/(?:ru|uz|en))?/product/(?:[^/]*-)?(?P<id>[1-9]\d{0,11})/?$"),
    re.compile(r"^(?:/api)?/v2/product/(?P<id>[1-9]\d{0,11})/?$"),
)
MAKE_SEARCH_QUERY = """
query getMakeSearch($queryInput: MakeSearchQueryInput!) {
  makeSearch(query: $queryInput) {
    total
    items {
      catalogCard {
        __typename
        ... on SkuGroupCard {
          productId title minFullPrice minSellPrice ordersQuantity feedbackQuantity rating
          photos { link(trans: PRODUCT_540) { high } }
        }
      }
    }
  }
}
"""

__all__ = ["UZUM_HOSTS", "CatalogItem", "CategoryNode", "ListingPage", "ShopPage", "UzumScraper"]


class UzumScraper(HttpScraper):
    meta = PluginMeta(
        slug="uzum",
        name="Uzum Market",
        version="1.0.0",
        requests_per_minute=60,
        concurrency=4,
        hosts=UZUM_HOSTS,
        research=True,
    )

    @classmethod
    def normalize_external_id(cls, raw: str) -> str:
        product_id = (raw or "").strip()
        if not _ID_RE.fullmatch(product_id):
            raise InvalidExternalIdError(f"{raw!r} is not an Uzum product id (digits, like 207847).")
        return product_id

    @classmethod
    def external_id_from_url(cls, url: str) -> str:
        if not cls.meta.serves(url):
            raise InvalidExternalIdError(f"{url} is not on Uzum Market or KazanExpress.")
        path = urlsplit(url).path
        for pattern in _PRODUCT_PATH_RES:
            match = pattern.match(path)
            if match:
                return match["id"]
        raise InvalidExternalIdError(f"{url} is not an Uzum product URL (/product/<name>-<id>).")

    @property
    def currency(self) -> str:
        config = self._http.supplier.config if self._http is not None else None
        configured = config.get("currency") if isinstance(config, dict) else None
        return str(configured or settings.UZUM_CURRENCY).strip().upper()

    def validate(self, result: FetchResult) -> None:
        """404 is a missing product; 401/403 is the API turning this client away (try another proxy)."""
        super().validate(result)
        if result.status in (401, 403):
            raise BlockedError(f"{result.url} answered {result.status}")

    # --- products -------------------------------------------------------------------------------------

    def product_url(self, external_id: str) -> str:
        return f"{self.http.base_url}/v2/product/{external_id}"

    def parse_product(self, html: str, url: str) -> ProductData:
        return parse_product_response(html, url, currency=self.currency)

    def search_url(self, query: str) -> str:
        return self._listing_url(text=query, page=0, size=DEFAULT_PAGE_SIZE)

    def parse_search(self, text: str, url: str) -> list[ProductData]:
        base = supplier_base_url(self.meta.slug)
        return [self._search_record(item, base) for item in parse_products_page(text, url).items]

    def _search_record(self, item: CatalogItem, base: str) -> ProductData:
        return ProductData(
            external_id=item.product_id,
            url=f"{base}/v2/product/{item.product_id}",
            title=item.title,
            price=item.sell_price,
            list_price=item.full_price,
            currency=self.currency,
            rating=item.rating,
            review_count=item.reviews,
            orders_count=item.orders,
            images=[item.image] if item.image else [],
        )

    # --- catalogue-wide collection -------------------------------------------------------------------

    def category_page(self, category_id: str, *, page: int = 0, size: int = DEFAULT_PAGE_SIZE) -> ListingPage:
        """One page (0-based) of a category's products."""
        return parse_products_page(*self._get(self._listing_url(categoryId=category_id, page=page, size=size)))

    def shop_products_page(self, shop_id: str, *, page: int = 0, size: int = DEFAULT_PAGE_SIZE) -> ListingPage:
        """One page (0-based) of a shop's products, each tagged with the shop as seller."""
        listing = parse_products_page(*self._get(self._listing_url(shopId=shop_id, page=page, size=size)))
        return ListingPage(items=[replace(item, seller_id=str(shop_id)) for item in listing.items], total=listing.total)

    def shop(self, link: str) -> ShopPage:
        """A shop by its link name (`goodhood`): the seller's figures and its first products."""
        return parse_shop(*self._get(f"{self.http.base_url}/shop/{quote(link, safe='')}"))

    def root_categories(self) -> list[CategoryNode]:
        return parse_root_categories(*self._get(f"{self.http.base_url}/main/root-categories"))

    def category_tree(self) -> list[CategoryNode]:
        """The whole category tree (the roots with their nested children), for catalogue-wide collection."""
        return self.root_categories()

    def iter_category(
        self, category_id: str, *, page_size: int = DEFAULT_PAGE_SIZE, limit: int | None = None
    ) -> Iterator[CatalogItem]:
        """Every product of a category, page after page, until the listing ends or `limit` items."""
        return iter_listing(
            lambda offset, size: self.category_page(category_id, page=offset // size, size=size),
            page_size=page_size,
            limit=limit,
        )

    def iter_shop(
        self, shop_id: str, *, page_size: int = DEFAULT_PAGE_SIZE, limit: int | None = None
    ) -> Iterator[CatalogItem]:
        """Every product of a shop (by its numeric id), page after page."""
        return iter_listing(
            lambda offset, size: self.shop_products_page(shop_id, page=offset // size, size=size),
            page_size=page_size,
            limit=limit,
        )

    def search_page(
        self,
        *,
        category_id: str | None = None,
        shop_id: str | None = None,
        text: str | None = None,
        offset: int = 0,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> ListingPage:
        """One GraphQL `makeSearch` page of a category, a shop or a text search, most ordered first."""
        scope = {"categoryId": category_id, "shopId": shop_id, "text": text}
        query_input = {
            **{name: str(value) for name, value in scope.items() if value is not None},
            "showAdultContent": "TRUE",
            "filters": [],
            "sort": "BY_ORDERS_NUMBER_DESC",
            "pagination": {"offset": offset, "limit": limit},
        }
        body = {"operationName": "getMakeSearch", "query": MAKE_SEARCH_QUERY, "variables": {"queryInput": query_input}}
        return parse_make_search(*self._post(str(settings.UZUM_GRAPHQL_URL).rstrip("/") + "/", body))

    def iter_search(
        self,
        *,
        category_id: str | None = None,
        shop_id: str | None = None,
        text: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        limit: int | None = None,
    ) -> Iterator[CatalogItem]:
        """Every product of a GraphQL listing, page after page (several SKU-group cards of one product count once)."""
        return iter_listing(
            lambda offset, size: self.search_page(
                category_id=category_id, shop_id=shop_id, text=text, offset=offset, limit=size
            ),
            page_size=page_size,
            limit=limit,
        )

    def _listing_url(self, **params: Any) -> str:
        return f"{self.http.base_url}/v2/main/search/product?{urlencode(params)}"

    def _get(self, url: str) -> tuple[str, str]:
        result = self._fetch(url)
        return result.text, result.url

    def _post(self, url: str, body: dict[str, Any]) -> tuple[str, str]:
        try:
            result = self.http.client.fetch("POST", url, json=body, validate=self.validate)
        except HttpError as exc:
            raise self._typed(exc) from exc
        return result.text, result.url
