"""Read an Amazon product (detail) page into `ProductData`.

Only the regions that carry data are cut out of the page (by their ids) and parsed; the gallery and the variation
matrix are read from the inline JSON with regular expressions. The buy-box price is read only from the buy-box
price blocks, so carousel, used, "frequently bought together" and other-seller prices are never taken.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

from suppliers.plugins.amazon import regions as rg
from suppliers.plugins.amazon.blocks import detect_block
from suppliers.plugins.amazon.prices import Money, domain_currency, parse_money
from suppliers.plugins.base import ParseError, ProductData, VariantData

ASIN_RE = re.compile(r"^[A-Z0-9]{10}$")

BUY_BOX_PRICE_REGIONS = ("corePriceDisplay_desktop_feature_div", "corePrice_feature_div", "corePrice_desktop")
LEGACY_PRICE_IDS = (
    "priceblock_dealprice",
    "priceblock_saleprice",
    "priceblock_ourprice",
    "price_inside_buybox",
    "newBuyBoxPrice",
)
LEGACY_LIST_PRICE = re.compile(r'class="[^"]*(?:priceBlockStrikePriceString|a-text-strike)[^"]*"[^>]*>([^<]+)<')

BYLINE_PATTERNS = (
    re.compile(r"^Visit the (.+?) Store$", re.I),
    re.compile(r"^Visita la tienda de (.+)$", re.I),
    re.compile(r"^Besuche den (.+?)-Store$", re.I),
    re.compile(r"^Visitez la boutique (.+)$", re.I),
    re.compile(r"^Visita lo Store di (.+)$", re.I),
    re.compile(r"^Visite a (?:loja|Loja) (?:da |de |do )?(.+)$", re.I),
    re.compile(r"^Bezoek de (.+?)-winkel$", re.I),
    re.compile(r"^(.+?)のストアを表示$"),
    re.compile(r"^(?:Brand|Marca|Marke|Marque|Merk|Marka|ブランド)\s*[:：]\s*(.+)$", re.I),
    re.compile(r"^(?:by|von|de|par|di|door|da)\s+(.+)$", re.I),
)

LOW_STOCK = (
    re.compile(r"only (\d+) left", re.I),
    re.compile(r"s[óo]lo queda(?:n|\(n\))? (\d+)", re.I),
    re.compile(r"nur noch (\d+)", re.I),
    re.compile(r"il ne reste plus que (\d+)", re.I),
    re.compile(r"(?:solo|soltanto) (\d+) (?:rimast|disponibil)", re.I),
    re.compile(r"(?:apenas|s[óo]) (\d+) (?:restante|em estoque|unidade)", re.I),
    re.compile(r"nog maar (\d+)", re.I),
    re.compile(r"残り(\d+)"),
)
BACKORDER = (
    "in stock on",
    "disponible à partir du",
    "erhältlich ab",
    "temporarily out of stock. order now",
    "place your order and we",
    "order now and we'll deliver",
    "usually ships within",
    "available to ship in",
    "pre-order",
    "pedido pendiente",
    "vorbestellbar",
    "derzeit nicht auf lager. bestellen sie jetzt",
    "temporairement en rupture de stock. commandez",
    "この商品は現在お取り扱いできません",
)
OUT_OF_STOCK = (
    "currently unavailable",
    "out of stock",
    "no disponible",
    "agotado",
    "derzeit nicht verfügbar",
    "nicht auf lager",
    "actuellement indisponible",
    "rupture de stock",
    "non disponibile",
    "não disponível",
    "indisponível",
    "esgotado",
    "niet beschikbaar",
    "在庫切れ",
    "現在在庫切れ",
)
UNAVAILABLE = (
    "cannot be shipped",
    "can't be shipped",
    "does not ship to",
    "not available",
    "no se puede enviar",
    "kann nicht an",
    "ne peut pas être expédié",
    "non può essere spedito",
    "não pode ser enviado",
)
IN_STOCK = (
    "in stock",
    "en stock",
    "auf lager",
    "disponible",
    "disponibile",
    "em estoque",
    "op voorraad",
    "在庫あり",
    "usually dispatched",
)
ADD_TO_CART_IDS = ("add-to-cart-button", "add-to-cart-button-ubb")

BULLET_SOURCES = (
    ("feature-bullets", ".//li[not(@id) and not(contains(@class,'aok-hidden'))]//span[contains(@class,'a-list-item')]"),
    ("productFactsDesktopExpander", ".//ul//li//span[contains(@class,'a-list-item')]"),
)
A_PRICE = "contains(concat(' ', normalize-space(@class), ' '), ' a-price ')"
_COLOR_IMAGES = re.compile(r"""['"]colorImages['"]\s*:\s*\{\s*['"]initial['"]\s*:\s*""")
_DIMENSION_VALUES = re.compile(r'"dimensionValuesDisplayData"\s*:\s*')
_DIMENSIONS = re.compile(r'"dimensions"\s*:\s*(\[[^\]]*\])')
_PARENT_ASIN = re.compile(r'"parentAsin"\s*:\s*"([A-Z0-9]{10})"')
_IMAGE_MODIFIER = re.compile(r"(/images/I/[^/._]+)\.[^/]*?(\.[a-z]{3,4})$", re.I)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_ABBREVIATED_COUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*([KkM])\b")
_COUNT = re.compile(r"\d[\d.,\s\u00a0\u202f]*")
_CANONICAL = re.compile(r'<link\s+rel="canonical"\s+href="([^"]+)"')
_DP_ASIN = re.compile(r"/(?:dp|gp/product|gp/aw/d|product|d)/([A-Z0-9]{10})(?:[/?#]|$)")


def parse_product(html: str, url: str) -> ProductData:
    """Parse a product page; raise the typed block error for captcha, error, sign-in and not-found pages."""
    page = rg.Page(html)
    if not page.has_id("productTitle"):
        detect_block(html)
    title = _title(page)
    asin = _asin(page, url)
    if asin is None or title is None:
        raise ParseError("not an Amazon product page: no ASIN or title found")
    site_currency = domain_currency(url) or domain_currency(_canonical(page))
    price, list_price = _buy_box_prices(page, site_currency)
    availability, quantity, availability_text = _availability(page)
    rating, review_count = _reviews(page)
    variations = _variations(page)
    selected = VariantData(
        sku=asin,
        price=price.amount if price else None,
        list_price=list_price.amount if list_price else None,
        currency=(price.currency if price else None) or site_currency or "",
        availability=availability,
        stock_quantity=quantity,
    )
    return ProductData(
        external_id=asin,
        url=url,
        parent_id=_parent_asin(page),
        title=title,
        brand=_brand(page),
        price=price.amount if price else None,
        currency=(price.currency if price else None) or site_currency,
        list_price=list_price.amount if list_price else None,
        availability=availability,
        stock_quantity=quantity,
        rating=rating,
        review_count=review_count,
        seller=_seller(page),
        images=_images(page),
        variations=variations,
        variants=_variants(variations, selected),
        bullets=_bullets(page),
        category_path=_breadcrumbs(page),
        extra={"deal_badge": _deal_badge(page), "availability_text": availability_text},
    )


def _title(page: rg.Page) -> str | None:
    for fragment in page.regions("productTitle"):
        text = rg.text_of(fragment)
        if text:
            return text
    return None


def _asin(page: rg.Page, url: str) -> str | None:
    for fragment in page.regions("ASIN"):
        value = rg.attr(fragment, "value")
        if value and ASIN_RE.match(value):
            return value
    return asin_from_url(url) or asin_from_url(_canonical(page))


def asin_from_url(url: str) -> str | None:
    """The ASIN in an Amazon product URL (`/dp/`, `/gp/product/`, `/gp/aw/d/`, `/product/`), or None."""
    match = _DP_ASIN.search(url or "")
    return match.group(1) if match else None


def _canonical(page: rg.Page) -> str:
    match = _CANONICAL.search(page.text, max(page.text.find('rel="canonical"') - 10, 0))
    return match.group(1) if match else ""


def _parent_asin(page: rg.Page) -> str | None:
    start = page.text.find('"parentAsin"')
    match = _PARENT_ASIN.match(page.text, start) if start != -1 else None
    return match.group(1) if match else None


def _brand(page: rg.Page) -> str | None:
    text = rg.text_of(page.region("bylineInfo")) or rg.text_of(page.region("brand"))
    if not text:
        return None
    for pattern in BYLINE_PATTERNS:
        match = pattern.match(text)
        if match:
            return match.group(1).strip()
    return text


def _buy_box_prices(page: rg.Page, site_currency: str | None) -> tuple[Money | None, Money | None]:
    for region_id in BUY_BOX_PRICE_REGIONS:
        fragment = page.region(region_id)
        if fragment is None:
            continue
        price = _price_in(fragment, site_currency)
        if price is not None:
            return price, _list_price_in(fragment, site_currency)
    return _legacy_prices(page, site_currency)


def _price_in(fragment: str, site_currency: str | None) -> Money | None:
    root = rg.tree(rg.strip_scripts(fragment))
    for xpath in (
        ".//span[contains(@class,'priceToPay')]",
        ".//span[contains(@class,'apexPriceToPay')]",
        f".//span[{A_PRICE} and not(@data-a-strike) and not(ancestor::*[contains(@class,'a-price-range')])]",
    ):
        for node in root.xpath(xpath):
            money = parse_money(_price_text(node), domain_default=site_currency)
            if money is not None:
                return money
    return None


def _price_text(node: Any) -> str:
    offscreen = node.xpath(".//span[contains(@class,'a-offscreen')]")
    if offscreen and rg.clean(offscreen[0].text_content()):
        return rg.clean(offscreen[0].text_content())
    return "".join(
        "".join(part.text_content().split())
        for part in node.xpath(
            ".//span[contains(@class,'a-price-symbol') or contains(@class,'a-price-whole')"
            " or contains(@class,'a-price-fraction')]"
        )
    )


def _list_price_in(fragment: str, site_currency: str | None) -> Money | None:
    root = rg.tree(rg.strip_scripts(fragment))
    for node in root.xpath(".//span[contains(@class,'basisPrice')]//span[@data-a-strike='true']") or root.xpath(
        ".//span[@data-a-strike='true']"
    ):
        money = parse_money(_price_text(node), domain_default=site_currency)
        if money is not None:
            return money
    return None


def _legacy_prices(page: rg.Page, site_currency: str | None) -> tuple[Money | None, Money | None]:
    """Pre-2023 layouts: `#priceblock_*` spans inside `#price`."""
    price = None
    for element_id in LEGACY_PRICE_IDS:
        price = parse_money(rg.text_of(page.region(element_id)), domain_default=site_currency)
        if price is not None:
            break
    if price is None:
        return None, None
    block = page.region("price") or ""
    strike = LEGACY_LIST_PRICE.search(block)
    list_price = parse_money(strike.group(1), domain_default=site_currency) if strike else None
    return price, list_price


def _availability(page: rg.Page) -> tuple[str, int | None, str | None]:
    """Kind, quantity ("Only 3 left") and the message shown, from the buy box's first availability block."""
    texts = [rg.text_of(fragment) for fragment in page.regions("availability")[:1]]
    texts += [rg.text_of(page.region("outOfStock"))]
    shown = next(filter(None, texts), None)
    for text in filter(None, texts):
        kind, quantity = availability_of(text)
        if kind != "unknown":
            return kind, quantity, text
    if any(page.has_id(marker) for marker in ADD_TO_CART_IDS):
        return "in_stock", None, shown
    return "unknown", None, shown


def availability_of(text: str) -> tuple[str, int | None]:
    """Classify an availability message in any storefront language."""
    lowered = text.lower()
    for pattern in LOW_STOCK:
        match = pattern.search(lowered)
        if match:
            return "low_stock", int(match.group(1))
    for kind, phrases in (
        ("backorder", BACKORDER),
        ("out_of_stock", OUT_OF_STOCK),
        ("unavailable", UNAVAILABLE),
        ("in_stock", IN_STOCK),
    ):
        if any(phrase in lowered for phrase in phrases):
            return kind, None
    return "unknown", None


def _reviews(page: rg.Page) -> tuple[Decimal | None, int | None]:
    popover = page.region("acrPopover")
    rating = rating_of(rg.attr(popover, "title") or rg.text_of(popover)) if popover else None
    count_text = rg.text_of(page.region("acrCustomerReviewText"))
    if count_text:
        return rating, count_of(count_text)
    if page.has_id("acrCustomerWriteReviewText") or page.has_id("noReviewYetText"):
        return rating, 0
    return rating, None


def rating_of(text: str | None) -> Decimal | None:
    """The score in "4,3 de 5 estrellas", "4.3 out of 5 stars" or "5つ星のうち4.3": the first number with decimals."""
    numbers = _NUMBER.findall(text or "")
    if not numbers:
        return None
    chosen = next((number for number in numbers if "." in number or "," in number), numbers[0])
    value = Decimal(chosen.replace(",", "."))
    return value if Decimal(0) <= value <= Decimal(5) else None


def count_of(text: str) -> int | None:
    """The count in "5,181 ratings", "80.525 avaliações" or "(1,596)"; abbreviated "(20.3K)" -> 20300."""
    abbreviated = _ABBREVIATED_COUNT.search(text)
    if abbreviated:
        factor = 1_000 if abbreviated.group(2).lower() == "k" else 1_000_000
        return int(Decimal(abbreviated.group(1).replace(",", ".")) * factor)
    match = _COUNT.search(text)
    if match is None:
        return None
    digits = re.sub(r"\D", "", match.group())
    return int(digits) if digits else None


def _seller(page: rg.Page) -> str | None:
    name = rg.text_of(page.region("sellerProfileTriggerId"))
    if name:
        return name
    feature = page.region("merchantInfoFeature_feature_div")
    if feature:
        root = rg.tree(rg.strip_scripts(feature))
        for node in root.xpath(".//*[contains(@class,'offer-display-feature-text-message')]"):
            text = rg.clean(node.text_content())
            if text:
                return text
    return seller_of(rg.text_of(page.region("merchant-info")))


_SOLD_BY = re.compile(
    r"(?:sold by|vendido por|verkauf durch|verkauft von|vendu par|venduto da|verkocht door|販売)\s*[:：]?\s*"
    r"(.+?)(?:\s+(?:and|y|e|und|et|en)\s+|\s*[.。](?:\s|$)|\s+Gift|\s*$)",
    re.I,
)


def seller_of(text: str) -> str | None:
    """The seller named in a "Ships from and sold by X." / "Sold by X and Fulfilled by Amazon." sentence."""
    match = _SOLD_BY.search(text or "")
    return match.group(1).strip() if match else None


def _images(page: rg.Page) -> list[str]:
    start = page.text.find("colorImages")
    match = _COLOR_IMAGES.match(page.text, start - 1) if start > 0 else None
    if match:
        try:
            gallery, _ = json.JSONDecoder().raw_decode(page.text, match.end())
        except json.JSONDecodeError:
            gallery = []
        urls = [item.get("hiRes") or item.get("large") for item in gallery if isinstance(item, dict)]
        if any(urls):
            return _unique(url for url in urls if url)
    return _thumbnail_images(page)


def _thumbnail_images(page: rg.Page) -> list[str]:
    """Without the gallery JSON (scripts stripped): the #altImages thumbnails, resized to full size."""
    fragment = page.region("altImages")
    if fragment is None:
        return []
    root = rg.tree(rg.strip_scripts(fragment))
    urls = []
    for item in root.xpath(".//li[not(contains(@class,'video'))]//img[@src]"):
        src = item.get("src", "")
        if "/images/I/" in src:
            urls.append(_IMAGE_MODIFIER.sub(r"\1\2", src))
    return _unique(urls)


def _variations(page: rg.Page) -> list[dict[str, Any]]:
    start = page.text.find('"dimensionValuesDisplayData"')
    match = _DIMENSION_VALUES.match(page.text, start) if start != -1 else None
    if match:
        try:
            values, _ = json.JSONDecoder().raw_decode(page.text, match.end())
        except json.JSONDecodeError:
            values = {}
        if isinstance(values, dict) and values:
            return _variations_from_json(page, values)
    return _variations_from_twister(page)


def _variations_from_json(page: rg.Page, values: dict[str, list[str]]) -> list[dict[str, Any]]:
    names = _dimension_names(page, len(next(iter(values.values()))))
    variations = []
    for key, dimension_values in values.items():
        asin = key.rsplit("#", 1)[-1]
        labels = names if len(names) == len(dimension_values) else _numbered(len(dimension_values))
        variations.append({"asin": asin, "dimensions": dict(zip(labels, dimension_values, strict=False))})
    return variations


def _dimension_names(page: rg.Page, count: int) -> list[str]:
    """The twister's machine names ("size_name", "color_name"); pages carry several lists, some empty."""
    for match in itertools.islice(_dimension_lists(page.text), 8):
        try:
            names = json.loads(match.group(1))
        except json.JSONDecodeError:
            continue
        if isinstance(names, list) and len(names) == count:
            return [str(name) for name in names]
    return []


def _dimension_lists(text: str) -> Iterator[re.Match[str]]:
    """`_DIMENSIONS.finditer(text)`: each match starts at a `"dimensions"`, which `str.find` reaches much faster."""
    start = text.find('"dimensions"')
    while start != -1:
        match = _DIMENSIONS.match(text, start)
        if match:
            yield match
        start = text.find('"dimensions"', match.end() if match else start + 1)


def _variants(variations: list[dict[str, Any]], selected: VariantData) -> list[VariantData]:
    """One variant per child ASIN; only the selected child's price and stock are on the page."""
    variants = []
    for variation in variations:
        dimensions = variation["dimensions"]
        base = selected if variation["asin"] == selected.sku else VariantData(sku=variation["asin"])
        variants.append(replace(base, title=" / ".join(dimensions.values()), attributes=dict(dimensions)))
    return variants


def _numbered(count: int) -> list[str]:
    return [f"dimension_{index}" for index in range(count)]


def _variations_from_twister(page: rg.Page) -> list[dict[str, Any]]:
    """Scripts stripped: the child ASINs the inline twister links to, without dimension values."""
    fragment = page.region("twister_feature_div") or page.region("twister") or ""
    asins = _unique(re.findall(r'data-(?:default)?asin="([A-Z0-9]{10})"', fragment))
    return [{"asin": asin, "dimensions": {}} for asin in asins] if len(asins) > 1 else []


def _bullets(page: rg.Page) -> list[str]:
    """The "About this item" list: #feature-bullets, or the product-facts block apparel pages use instead."""
    for region_id, xpath in BULLET_SOURCES:
        fragment = page.region(region_id)
        if fragment is None:
            continue
        items = rg.tree(rg.strip_scripts(fragment)).xpath(xpath)
        bullets = [text for text in (rg.clean(item.text_content()) for item in items) if text]
        if bullets:
            return bullets
    return []


def _breadcrumbs(page: rg.Page) -> list[str]:
    fragment = page.region("wayfinding-breadcrumbs_feature_div")
    if fragment is None:
        return []
    root = rg.tree(rg.strip_scripts(fragment))
    links = root.xpath(".//li//a[not(@id='breadcrumb-back-link')]")
    return [text for text in (rg.clean(link.text_content()) for link in links) if text]


def _deal_badge(page: rg.Page) -> bool:
    return bool(rg.text_of(page.region("dealBadge_feature_div")))


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(items))
