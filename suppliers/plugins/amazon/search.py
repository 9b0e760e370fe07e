"""Read an Amazon search results page into `ProductData` records (asin, title, price, rating, review count, image).

Each result slot, organic or sponsored, is a `data-component-type="s-search-result"` element with a `data-asin`;
only those elements are cut out and parsed, so carousels and widgets elsewhere on the page are never read.
"""

from __future__ import annotations

import itertools
import re
from typing import Any
from urllib.parse import urlsplit

from suppliers.plugins.amazon import regions as rg
from suppliers.plugins.amazon.blocks import detect_block
from suppliers.plugins.amazon.parser import A_PRICE, ASIN_RE, count_of, rating_of
from suppliers.plugins.amazon.prices import domain_currency, parse_money
from suppliers.plugins.base import ProductData

_RATED_BY = re.compile(r"\bby ([\d.,]+) (?:reviews|ratings)", re.I)
_RATING_LABEL = re.compile(r"out of|stars|estrellas|sterne|étoiles|stelle|estrelas", re.I)
RESULT_MARKER = 'data-component-type="s-search-result"'


def parse_search(html: str, url: str) -> list[ProductData]:
    """Every result slot with an ASIN, in page order (a sponsored slot may repeat an organic one).

    A block page raises its typed error; a page without results gives an empty list.
    """
    if RESULT_MARKER not in html:
        detect_block(html)
        return []
    site_currency = domain_currency(url)
    results: list[ProductData] = []
    for element in _result_elements(html):
        asin = rg.attr(element, "data-asin")
        if not asin or not ASIN_RE.match(asin):
            continue
        # The slice may run past the result into widgets between results; the tree's first child is the result.
        results.append(_result(rg.tree(rg.strip_scripts(element))[0], asin, url, site_currency))
    return results


def _result_elements(html: str) -> list[str]:
    """Results are siblings: each one runs to the start of the next, so only the last needs its end tag found."""
    starts = []
    position = html.find(RESULT_MARKER)
    while position != -1:
        starts.append(html.rfind("<", 0, position))
        position = html.find(RESULT_MARKER, position + len(RESULT_MARKER))
    if not starts:
        return []
    elements = [html[start:end] for start, end in itertools.pairwise(starts)]
    last = rg.element_at(html, html.find(RESULT_MARKER, starts[-1]))
    if last is not None:
        elements.append(last)
    return elements


def _result(root: Any, asin: str, url: str, site_currency: str | None) -> ProductData:
    price = _price(root, site_currency)
    return ProductData(
        external_id=asin,
        url=_product_url(url, asin),
        title=_title(root),
        brand=_brand_line(root),
        price=price.amount if price else None,
        currency=(price.currency if price else None) or site_currency,
        rating=_rating(root),
        review_count=_review_count(root),
        images=_image(root),
    )


def _title(root: Any) -> str | None:
    """The product line; when the brand sits on its own line above it, the brand leads, as on the product page."""
    candidates = [rg.clean(h2.text_content()) for h2 in root.xpath(".//h2[not(contains(@class,'s-line-clamp-1'))]")]
    candidates = [text for text in candidates if text]
    if not candidates:
        return None
    title = max(candidates, key=len)
    brand = _brand_line(root)
    if brand and not title.lower().startswith(brand.lower()):
        return f"{brand} {title}"
    return title


def _brand_line(root: Any) -> str | None:
    for h2 in root.xpath(".//h2[contains(@class,'s-line-clamp-1')]"):
        text = rg.clean(h2.text_content())
        if text:
            return text
    return None


def _image(root: Any) -> list[str]:
    """The result thumbnail; saved pages rewrite `src` to a local file, so `srcset` is the fallback."""
    for img in root.xpath(".//img[contains(@class,'s-image')]"):
        srcset = [part.split()[0] for part in img.get("srcset", "").split(",") if part.split()]
        for candidate in [img.get("src", ""), *srcset]:
            if candidate.startswith(("http://", "https://")):
                return [candidate]
    return []


def _price(root: Any, site_currency: str | None) -> Any:
    for node in root.xpath(f".//span[{A_PRICE} and not(@data-a-strike)]"):
        offscreen = node.xpath("./span[contains(@class,'a-offscreen')]")
        money = parse_money(rg.clean(offscreen[0].text_content()) if offscreen else "", domain_default=site_currency)
        if money is not None:
            return money
    return None


def _rating(root: Any) -> Any:
    for text in root.xpath(".//span[contains(@class,'a-icon-alt')]/text()"):
        rating = rating_of(text)
        if rating is not None:
            return rating
    return None


def _review_count(root: Any) -> int | None:
    """The exact count from the link's label ("7,513 ratings") before its text, which may be abbreviated ("(7.5K)")."""
    for link in root.xpath(".//a[contains(@href,'customerReviews')]"):
        label = link.get("aria-label", "")
        rated = _RATED_BY.search(label)
        for text in (rated.group(1) if rated else label, rg.clean(link.text_content())):
            count = count_of(text) if text and not _RATING_LABEL.search(text) else None
            if count is not None:
                return count
    return None


def _product_url(search_url: str, asin: str) -> str:
    parts = urlsplit(search_url)
    return f"{parts.scheme}://{parts.netloc}/dp/{asin}" if parts.netloc else f"/dp/{asin}"
