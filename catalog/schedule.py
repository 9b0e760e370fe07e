"""When each product is checked next: tier bounds, volatility, listing demand, and spread.

A product is checked at an interval that starts at the `base` of the best tier among its trackers
(`settings.TRACKING_TIERS`), halves each time a check finds a change (`TRACKING_CHANGED_FACTOR`) and grows
while checks find nothing (`TRACKING_QUIET_FACTOR`), always within the tier's `min` and `max`. A product an
open listing sells is never checked less often than `TRACKING_LISTED_MAX_FACTOR` x base. Every next check
lands at interval x (1 +/- `TRACKING_JITTER`), so products imported in one burst drift apart instead of
coming due in one spike. A product nobody tracks or lists is not scheduled (`next_check_at` is NULL).

PostgreSQL's `next_check_at` is the source of truth: a claimed product's `next_check_at` is pushed to the
end of its claim, so a worker that dies leaves it due again when the claim runs out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from catalog.models import Product, TrackedProduct

TIER_ORDER = ("free", "pro", "enterprise")


@dataclass(frozen=True)
class Bounds:
    base: int
    min: int
    max: int


def tier_bounds(tier: str, *, listed: bool = False) -> Bounds:
    """The interval bounds of a tier; a listed product's upper bound is pulled down to its selling cap."""
    config = settings.TRACKING_TIERS[tier]
    bounds = Bounds(base=config["base"], min=config["min"], max=config["max"])
    if listed:
        cap = max(bounds.min, int(bounds.base * settings.TRACKING_LISTED_MAX_FACTOR))
        bounds = Bounds(base=min(bounds.base, cap), min=bounds.min, max=min(bounds.max, cap))
    return bounds


def next_interval(current: int, bounds: Bounds, *, changed: bool) -> int:
    """The interval after a check: shorter after a change, longer after a quiet check, within bounds."""
    factor = settings.TRACKING_CHANGED_FACTOR if changed else settings.TRACKING_QUIET_FACTOR
    return int(min(max(current * factor, bounds.min), bounds.max))


def failure_interval(failures: int, bounds: Bounds) -> int:
    """After `failures` failed checks in a row: the tier's minimum, doubling, up to its maximum."""
    return int(min(bounds.min * 2 ** max(failures - 1, 0), bounds.max))


def spread(interval: int, *, now: datetime | None = None, rng: random.Random | None = None) -> datetime:
    """`now` + interval x (1 +/- TRACKING_JITTER)."""
    jitter = settings.TRACKING_JITTER
    factor = (rng or random).uniform(1 - jitter, 1 + jitter)
    return (now or timezone.now()) + timedelta(seconds=interval * factor)


def best_tiers(product_ids: list[int]) -> dict[int, str]:
    """The best tier among each product's trackers (products nobody tracks are absent)."""
    tiers: dict[int, str] = {}
    rows = TrackedProduct.objects.filter(product_id__in=product_ids).values_list("product_id", "user__tier")
    for product_id, tier in rows.distinct():
        if tier in TIER_ORDER and TIER_ORDER.index(tier) >= TIER_ORDER.index(tiers.get(product_id, tier)):
            tiers[product_id] = tier
    return tiers


def product_bounds(product: Product, tiers: dict[int, str]) -> Bounds | None:
    """The bounds a product is scheduled within, or None when nobody tracks or lists it."""
    tier = tiers.get(product.pk)
    if tier is None:
        if not product.is_listed:
            return None
        tier = TIER_ORDER[0]
    return tier_bounds(tier, listed=product.is_listed)


def product_schedule_for_tracker(*, product: Product, tier: str) -> None:
    """A new tracker: schedule an unscheduled product, or bring its next check within the tracker's tier.

    One conditional UPDATE; a product claimed by a running check keeps its claim.
    """
    bounds = tier_bounds(tier, listed=product.is_listed)
    target = spread(bounds.base)
    Product.objects.filter(pk=product.pk).filter(Q(next_check_at__isnull=True) | Q(next_check_at__gt=target)).update(
        next_check_at=target, check_interval_seconds=bounds.base
    )


def products_listed_set(*, product_ids: list[int], listed: bool) -> int:
    """Listings say whether an open listing sells these products; a newly listed one is checked soon."""
    changed = Product.objects.filter(pk__in=product_ids).exclude(is_listed=listed).update(is_listed=listed)
    if listed and changed:
        for product in Product.objects.filter(pk__in=product_ids).only("pk", "is_listed", "next_check_at"):
            tier = best_tiers([product.pk]).get(product.pk, TIER_ORDER[0])
            product_schedule_for_tracker(product=product, tier=tier)
    return changed
