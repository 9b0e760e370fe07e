"""Signals the catalog sends to the apps built on it. This module documents each one.

`product_changed`
    Sent once per product whose price, stock or availability changed, after the transaction that stored the
    reading commits (never for a rolled-back one), from `catalog` services only. Keyword arguments:

    - `product_id: int`
    - `change: ProductChange` (below): the reading before and after, product-level.

    Receivers must not do slow work in the sender's process: they enqueue a job (`job_enqueue`) that takes the
    product id and re-reads what it needs. Suspect readings held by the data-quality guard are not sent until
    they are confirmed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.dispatch import Signal

product_changed = Signal()


@dataclass(frozen=True)
class ProductChange:
    """Price, stock and availability of one product before and after a reading (`old_*` is None when new)."""

    old_price: Decimal | None
    new_price: Decimal | None
    old_currency: str
    new_currency: str
    old_stock: int | None
    new_stock: int | None
    old_availability: str | None
    new_availability: str

    @property
    def price_changed(self) -> bool:
        return self.old_price != self.new_price or self.old_currency != self.new_currency

    @property
    def stock_changed(self) -> bool:
        return self.old_stock != self.new_stock or self.old_availability != self.new_availability

    def to_payload(self) -> dict[str, Any]:
        """A JSON-able form for job payloads (decimals as strings)."""
        return {key: str(value) if isinstance(value, Decimal) else value for key, value in asdict(self).items()}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ProductChange:
        values = dict(payload)
        for key in ("old_price", "new_price"):
            values[key] = Decimal(values[key]) if values.get(key) is not None else None
        return cls(**values)
