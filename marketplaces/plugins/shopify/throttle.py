"""Shopify's cost-based throttle (a leaky bucket per shop), as the GraphQL responses report it.

Every response carries `extensions.cost`: the `requestedQueryCost` of the document and the bucket's
`throttleStatus` (`currentlyAvailable`, `maximumAvailable`, `restoreRate` points per second). The last
reading is kept per shop in the shared cache, so every worker talking to the same shop plans with it: before a
request whose expected cost exceeds what the bucket holds now (the reading plus what has been restored since),
the caller waits the time the restore rate implies.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

STATE_TTL_SECONDS = 600


@dataclass(frozen=True)
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float
    observed_at: float

    @classmethod
    def from_cost(cls, cost: dict[str, Any], *, now: float) -> ThrottleStatus | None:
        status = cost.get("throttleStatus") if isinstance(cost, dict) else None
        if not isinstance(status, dict):
            return None
        try:
            return cls(
                maximum_available=float(status["maximumAvailable"]),
                currently_available=float(status["currentlyAvailable"]),
                restore_rate=float(status["restoreRate"]),
                observed_at=now,
            )
        except (KeyError, TypeError, ValueError):
            return None

    def available_at(self, now: float) -> float:
        restored = max(0.0, now - self.observed_at) * self.restore_rate
        return min(self.maximum_available, self.currently_available + restored)

    def wait_for(self, cost: float, *, now: float) -> float:
        """Seconds until the bucket holds `cost` points (never longer than refilling it completely takes)."""
        if self.restore_rate <= 0:
            return 0.0
        needed = min(cost, self.maximum_available) - self.available_at(now)
        return max(0.0, needed / self.restore_rate)


class CostBucket:
    """The throttle state of one shop, and the costs Shopify reported for each operation there."""

    def __init__(self, shop: str, *, clock: Callable[[], float] = time.time) -> None:
        self.shop = shop
        self.clock = clock

    @property
    def _key(self) -> str:
        return f"shopify:throttle:{self.shop}"

    def status(self) -> ThrottleStatus | None:
        raw = cache.get(self._key)
        return ThrottleStatus(**raw["status"]) if raw and raw.get("status") else None

    def expected_cost(self, operation: str, default: int) -> float:
        raw = cache.get(self._key) or {}
        return float(raw.get("costs", {}).get(operation, default))

    def wait_before(self, operation: str, default_cost: int) -> float:
        status = self.status()
        if status is None:
            return 0.0
        return status.wait_for(self.expected_cost(operation, default_cost), now=self.clock())

    def record(self, operation: str, cost: dict[str, Any]) -> ThrottleStatus | None:
        """Remember the bucket reading and the operation's requested cost from a response's `extensions.cost`."""
        status = ThrottleStatus.from_cost(cost, now=self.clock())
        raw = cache.get(self._key) or {}
        costs = dict(raw.get("costs", {}))
        requested = cost.get("requestedQueryCost") if isinstance(cost, dict) else None
        if isinstance(requested, int | float):
            costs[operation] = float(requested)
        state = {"status": status.__dict__ if status else raw.get("status"), "costs": costs}
        cache.set(self._key, state, STATE_TTL_SECONDS)
        return status
