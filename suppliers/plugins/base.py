"""The scraper plugin interface. A plugin reads one supplier; it never opens sockets itself."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import urlsplit


class ScraperError(Exception):
    """Base of every scraper error. `permanent` says whether retrying can help."""

    permanent: ClassVar[bool] = False
    kind: ClassVar[str] = "error"


class TransientScraperError(ScraperError):
    """Timeout, connection reset, 5xx: try again later, perhaps through another proxy."""


class PermanentScraperError(ScraperError):
    permanent = True


class BlockedError(TransientScraperError):
    """The supplier answered with a block page instead of the product."""

    kind = "blocked"


class CaptchaError(BlockedError):
    kind = "captcha"


class ErrorPageError(BlockedError):
    kind = "error_page"


class LoginWallError(BlockedError):
    kind = "login_wall"


class RateLimitedError(TransientScraperError):
    kind = "rate_limited"


class ProductNotFoundError(PermanentScraperError):
    kind = "not_found"


class InvalidExternalIdError(ValueError):
    """Input that names no product of this supplier (a malformed id, or a URL of another site)."""


class ParseError(PermanentScraperError):
    """The page was a product page but a required field could not be read (e.g. no price in page).

    `partial` carries what could be read (title, images…), so a caller can keep it.
    """

    kind = "parse_error"

    def __init__(self, message: str, *, partial: ProductData | None = None) -> None:
        super().__init__(message)
        self.partial = partial


@dataclass(frozen=True)
class VariantData:
    sku: str
    title: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    price: Decimal | None = None
    list_price: Decimal | None = None
    currency: str = ""
    availability: str = "unknown"
    stock_quantity: int | None = None


@dataclass(frozen=True)
class ProductData:
    """One product as read from a supplier page or API. Absent values are None or empty."""

    external_id: str
    url: str = ""
    parent_id: str | None = None
    title: str | None = None
    brand: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    list_price: Decimal | None = None
    availability: str = "unknown"
    stock_quantity: int | None = None
    rating: Decimal | None = None
    review_count: int | None = None
    seller: str | None = None
    seller_id: str | None = None
    images: list[str] = field(default_factory=list)
    variations: list[dict[str, Any]] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    category_path: list[str] = field(default_factory=list)
    variants: list[VariantData] = field(default_factory=list)
    orders_count: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """`dataclasses.asdict(self)`, without deep-copying the values that cannot change (a digest per reading)."""
        return {name: _plain(getattr(self, name)) for name in _PRODUCT_FIELDS}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ProductData:
        """The inverse of `to_dict`, also from its JSON form (decimals as strings)."""
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        for name in ("price", "list_price", "rating"):
            known[name] = _decimal(known.get(name))
        known["variants"] = [_variant(variant) for variant in known.get("variants") or []]
        return cls(**known)


_PRODUCT_FIELDS = tuple(ProductData.__dataclass_fields__)
_VARIANT_FIELDS = tuple(VariantData.__dataclass_fields__)
# `copy.deepcopy` gives these back as they are, so `asdict` does too.
_IMMUTABLE = frozenset({str, int, float, bool, type(None), Decimal})


@dataclass(frozen=True)
class _Boxed:
    value: Any


def _plain(value: Any) -> Any:
    """What `asdict` makes of a field's value: the common types here, anything else through `asdict` itself."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is list:
        return [_plain(item) for item in value]
    if kind is dict:
        return {_plain(key): _plain(item) for key, item in value.items()}
    if kind is VariantData:
        return {name: _plain(getattr(value, name)) for name in _VARIANT_FIELDS}
    return asdict(_Boxed(value))["value"]


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _variant(values: dict[str, Any]) -> VariantData:
    known = {name: values[name] for name in VariantData.__dataclass_fields__ if name in values}
    known["price"] = _decimal(known.get("price"))
    known["list_price"] = _decimal(known.get("list_price"))
    return VariantData(**known)


@dataclass(frozen=True)
class PluginMeta:
    """Declarative metadata, validated at start-up by a system check."""

    slug: str
    name: str
    version: str
    requests_per_minute: int = 60
    concurrency: int = 4
    hosts: tuple[str, ...] = ()
    # A public marketplace collected catalogue-wide for research (Uzum): its products, sellers and categories are
    # what the research reads cover. Other suppliers' products are customers' private imports and never appear there.
    research: bool = False

    def serves(self, url: str) -> bool:
        """Whether the URL's host is one of `hosts` or a subdomain of one (`es.aliexpress.com`)."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == known or host.endswith("." + known) for known in self.hosts)


class BaseScraper(ABC):
    """A supplier scraper. Subclasses set `meta` and implement the three methods."""

    meta: ClassVar[PluginMeta]

    @abstractmethod
    def fetch_product(self, external_id: str) -> ProductData:
        """Fetch and parse one product; raise a `ScraperError` subclass on failure."""

    @abstractmethod
    def search(self, query: str) -> list[ProductData]:
        """Search the supplier; results carry at least external_id and title."""

    @abstractmethod
    def parse_product(self, html: str, url: str) -> ProductData:
        """Parse a fetched product page or API body; raise a `ScraperError` for block pages."""

    @classmethod
    def normalize_external_id(cls, raw: str) -> str:
        """The supplier's canonical form of a product id typed by a person or a file.

        Raises `InvalidExternalIdError` with a message for the user when it cannot be an id of this supplier.
        Plugins override this with their id shape (an ASIN, a numeric item id…).
        """
        value = (raw or "").strip()
        if not value:
            raise InvalidExternalIdError("The product id is empty.")
        return value

    @classmethod
    def external_id_from_url(cls, url: str) -> str:
        """The product id in one of this supplier's product URLs.

        Raises `InvalidExternalIdError` when the URL is not a product URL of this supplier.
        """
        raise InvalidExternalIdError(f"{cls.meta.name} product URLs are not supported; give the product id.")
