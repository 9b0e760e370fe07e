"""The marketplace client plugin interface. Clients never open sockets themselves."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Protocol, runtime_checkable


class MarketplaceError(Exception):
    """Base of every client error. `permanent` says whether retrying can help."""

    permanent: ClassVar[bool] = False
    kind: ClassVar[str] = "error"

    def __init__(self, message: str, *, response: Any = None) -> None:
        super().__init__(message)
        self.response = response


class TokenExpiredError(MarketplaceError):
    kind = "token_expired"


class ReconnectNeededError(MarketplaceError):
    """The refresh token is revoked or expired: the customer must connect the store again."""

    permanent = True
    kind = "reconnect_needed"


class ThrottledError(MarketplaceError):
    kind = "throttled"

    def __init__(self, message: str, *, retry_after: float = 1.0, response: Any = None) -> None:
        super().__init__(message, response=response)
        self.retry_after = retry_after


class InvalidDataError(MarketplaceError):
    permanent = True
    kind = "invalid_data"


class MarketplaceDownError(MarketplaceError):
    kind = "unavailable"


@dataclass(frozen=True)
class ClientMeta:
    slug: str
    name: str
    version: str
    requests_per_minute: int = 300
    bulk_limit: int = 25


@dataclass(frozen=True)
class ListingPayload:
    sku: str
    title: str
    description: str
    price: Decimal
    currency: str
    quantity: int
    images: list[str] = field(default_factory=list)
    aspects: dict[str, list[str]] = field(default_factory=dict)
    category_id: str = ""
    condition: str = "NEW"
    compare_at_price: Decimal | None = None


@dataclass(frozen=True)
class PublishResult:
    external_id: str
    offer_id: str = ""
    url: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PriceQuantityUpdate:
    sku: str
    external_id: str
    offer_id: str
    price: Decimal | None
    quantity: int | None
    currency: str = "USD"


@dataclass(frozen=True)
class UpdateResult:
    sku: str
    ok: bool
    error: str = ""


@dataclass(frozen=True)
class OrderLine:
    order_id: str
    sku: str
    quantity: int
    revenue: Decimal
    fees: Decimal
    currency: str
    created_at: datetime
    refunds: Decimal = Decimal("0")


@dataclass(frozen=True)
class ListingRef:
    """Which listing to read back: its SKU and the marketplace's ids (eBay: listing and offer id; Shopify: product
    and variant GID)."""

    sku: str
    external_id: str
    offer_id: str


@dataclass(frozen=True)
class ListingState:
    """What the marketplace shows for one listing now. `found` is False when the marketplace no longer has it."""

    sku: str
    found: bool
    price: Decimal | None = None
    quantity: int | None = None
    currency: str = ""
    status: str = ""


@runtime_checkable
class ListingReader(Protocol):
    """A client that can read its listings back (reconciliation)."""

    def read_listings(self, refs: list[ListingRef]) -> list[ListingState]:
        """One state per ref, in the same order."""
        ...


@runtime_checkable
class ModifiedOrdersReader(Protocol):
    """A client that can read the orders modified (created, paid, refunded…) since a moment."""

    def fetch_orders_modified(self, *, since: datetime) -> list[OrderLine]:
        """Every line of every order modified since `since`, with its refunds so far."""
        ...


class MarketplaceClient(ABC):
    """A marketplace client bound to one store account."""

    meta: ClassVar[ClientMeta]

    def __init__(self, store_account: Any) -> None:
        self.store_account = store_account

    @abstractmethod
    def create_listing(self, payload: ListingPayload) -> PublishResult:
        """Create and publish a listing; return the marketplace's ids."""

    @abstractmethod
    def update_price_quantity(self, updates: list[PriceQuantityUpdate]) -> list[UpdateResult]:
        """Push prices and quantities in bulk, up to `meta.bulk_limit` per call."""

    @abstractmethod
    def withdraw(self, *, external_id: str, offer_id: str) -> None:
        """End the listing on the marketplace."""

    @abstractmethod
    def fetch_orders(self, *, since: datetime) -> list[OrderLine]:
        """Order lines created since the given time."""
