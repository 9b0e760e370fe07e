"""Walking a paged listing: to its end, to a limit, and never forever."""

import pytest

from suppliers.plugins.uzum.collect import iter_listing
from suppliers.plugins.uzum.listing import CatalogItem, ListingPage


def _items(*ids: int) -> list[CatalogItem]:
    return [CatalogItem(product_id=str(i), title=f"Item {i}") for i in ids]


class Pages:
    """A listing of `size` products served in pages; records each (offset, limit) asked."""

    def __init__(self, size: int, *, total: int | None = None) -> None:
        self.size, self.total, self.asked = size, total, []

    def __call__(self, offset: int, limit: int) -> ListingPage:
        self.asked.append((offset, limit))
        return ListingPage(items=_items(*range(offset, min(offset + limit, self.size))), total=self.total)


def test_walks_every_page_until_a_short_one():
    pages = Pages(25)

    assert [item.product_id for item in iter_listing(pages, page_size=10)] == [str(i) for i in range(25)]
    assert pages.asked == [(0, 10), (10, 10), (20, 10)]


def test_stops_after_an_empty_page_when_the_size_divides_evenly():
    pages = Pages(20)

    assert len(list(iter_listing(pages, page_size=10))) == 20
    assert pages.asked == [(0, 10), (10, 10), (20, 10)]


def test_stops_when_the_total_is_reached_without_asking_an_empty_page():
    pages = Pages(20, total=20)

    assert len(list(iter_listing(pages, page_size=10))) == 20
    assert len(pages.asked) == 2


def test_stops_at_the_limit_without_fetching_further():
    pages = Pages(100)

    assert len(list(iter_listing(pages, page_size=10, limit=15))) == 15
    assert len(pages.asked) == 2


def test_a_product_repeated_on_a_later_page_is_yielded_once():
    served = [ListingPage(_items(1, 2)), ListingPage(_items(2, 3)), ListingPage(_items())]

    ids = [item.product_id for item in iter_listing(lambda offset, limit: served[offset // limit], page_size=2)]

    assert ids == ["1", "2", "3"]


def test_a_listing_that_ignores_paging_is_not_walked_forever():
    asked = []

    def same_page(offset: int, limit: int) -> ListingPage:
        asked.append(offset)
        return ListingPage(_items(1, 2))

    assert [item.product_id for item in iter_listing(same_page, page_size=2)] == ["1", "2"]
    assert asked == [0, 2]


def test_page_size_must_be_positive():
    with pytest.raises(ValueError, match="page_size"):
        list(iter_listing(Pages(5), page_size=0))
