"""Walking a paged listing to its end (or to a limit), one page at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from suppliers.plugins.uzum.listing import CatalogItem, ListingPage

# (offset, page size) -> the page that starts at `offset`
PageFetcher = Callable[[int, int], ListingPage]


def iter_listing(fetch_page: PageFetcher, *, page_size: int, limit: int | None = None) -> Iterator[CatalogItem]:
    """Every item of a listing, in order, each product once.

    Stops after a short or empty page, once `offset` reaches the listing's `total`, at `limit` items, or when a
    page brings nothing new (a listing that ignores paging would otherwise be walked forever). Listings shift
    while they are walked, so a product seen on an earlier page is not yielded again.
    """
    if page_size < 1:
        raise ValueError("page_size must be positive")
    seen: set[str] = set()
    offset = 0
    while limit is None or len(seen) < limit:
        page = fetch_page(offset, page_size)
        fresh = 0
        for item in page.items:
            if item.product_id in seen:
                continue
            if limit is not None and len(seen) >= limit:
                return
            seen.add(item.product_id)
            fresh += 1
            yield item
        offset += page_size
        if not fresh or len(page.items) < page_size or (page.total is not None and offset >= page.total):
            return
