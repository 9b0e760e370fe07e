"""When products are checked next: tier bounds, volatility, listing demand, and spread."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Product
from catalog.schedule import (
    best_tiers,
    failure_interval,
    next_interval,
    product_schedule_for_tracker,
    products_listed_set,
    spread,
    tier_bounds,
)
from catalog.services import tracked_product_link
from tests.factories import ProductFactory, TrackedProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("tier", "current", "changed", "expected"),
    [
        ("pro", 3600, True, 1800),
        ("pro", 3600, False, 4500),
        ("pro", 1000, True, 900),  # not below the tier's minimum
        ("pro", 20000, False, 21600),  # not above its maximum
        ("free", 3600, True, 3600),
        ("enterprise", 900, True, 450),
        ("enterprise", 7000, False, 7200),
    ],
)
def test_the_interval_halves_on_change_and_grows_while_quiet_within_the_tier(tier, current, changed, expected):
    assert next_interval(current, tier_bounds(tier), changed=changed) == expected


def test_a_listed_product_is_checked_at_least_twice_as_often_as_its_tier_base():
    bounds = tier_bounds("pro", listed=True)
    assert (bounds.base, bounds.min, bounds.max) == (1800, 900, 1800)
    assert next_interval(1800, bounds, changed=False) == 1800
    assert tier_bounds("enterprise", listed=True).max == 450


def test_failures_back_off_from_the_minimum_doubling_to_the_maximum():
    bounds = tier_bounds("pro")
    assert [failure_interval(n, bounds) for n in (1, 2, 3, 4, 5, 6)] == [900, 1800, 3600, 7200, 14400, 21600]


def test_checks_scheduled_at_one_moment_are_spread_evenly_over_the_jitter_window():
    now = timezone.now()
    rng = random.Random(7)
    offsets = [(spread(3600, now=now, rng=rng) - now).total_seconds() for _ in range(2000)]
    assert min(offsets) >= 3600 * 0.8
    assert max(offsets) <= 3600 * 1.2
    buckets = Counter(int((offset - 2880) // 144) for offset in offsets)  # ten buckets of 144 s
    assert len(buckets) == 10
    assert max(buckets.values()) < 2000 / 10 * 1.3  # no spike: no bucket holds 30 % more than its share


def test_the_best_tier_among_trackers_wins():
    product = ProductFactory()
    TrackedProductFactory(product=product, user=UserFactory(tier="free"))
    TrackedProductFactory(product=product, user=UserFactory(tier="enterprise"))
    TrackedProductFactory(product=product, user=UserFactory(tier="pro"))
    alone = ProductFactory()
    TrackedProductFactory(product=alone, user=UserFactory(tier="pro"))
    assert best_tiers([product.pk, alone.pk, ProductFactory().pk]) == {product.pk: "enterprise", alone.pk: "pro"}


def test_the_first_tracker_schedules_a_product_within_its_tiers_base():
    product = ProductFactory(next_check_at=None)
    tracked_product_link(user=UserFactory(tier="pro"), product=product)
    product.refresh_from_db()
    offset = (product.next_check_at - timezone.now()).total_seconds()
    assert 3600 * 0.8 - 5 <= offset <= 3600 * 1.2
    assert product.check_interval_seconds == 3600


def test_a_better_tier_tracker_brings_the_next_check_closer_but_a_worse_one_does_not_delay_it():
    product = ProductFactory(next_check_at=timezone.now() + timedelta(hours=6))
    tracked_product_link(user=UserFactory(tier="enterprise"), product=product)
    product.refresh_from_db()
    soon = product.next_check_at
    assert soon <= timezone.now() + timedelta(seconds=900 * 1.2)

    tracked_product_link(user=UserFactory(tier="free"), product=product)
    product.refresh_from_db()
    assert product.next_check_at == soon


def test_a_product_being_checked_keeps_its_claim_when_someone_tracks_it():
    claimed_until = timezone.now() + timedelta(seconds=200)
    product = ProductFactory(next_check_at=claimed_until)
    product_schedule_for_tracker(product=product, tier="enterprise")
    product.refresh_from_db()
    assert product.next_check_at == claimed_until


def test_listing_a_product_brings_its_check_forward_and_unlisting_clears_the_flag():
    product = ProductFactory(next_check_at=timezone.now() + timedelta(hours=5), is_listed=False)
    TrackedProductFactory(product=product, user=UserFactory(tier="pro"))

    assert products_listed_set(product_ids=[product.pk], listed=True) == 1
    product.refresh_from_db()
    assert product.is_listed
    assert product.next_check_at <= timezone.now() + timedelta(seconds=1800 * 1.2)

    assert products_listed_set(product_ids=[product.pk], listed=True) == 0
    assert products_listed_set(product_ids=[product.pk], listed=False) == 1
    assert not Product.objects.get(pk=product.pk).is_listed


def test_listing_state_changes_keep_the_products_selling_flag_true():
    from listings.services import listing_activate, listing_end
    from tests.factories import ListingFactory

    listing = ListingFactory(status="pending")
    Product.objects.filter(pk=listing.product_id).update(is_listed=False)

    listing_activate(listing=listing)
    assert Product.objects.get(pk=listing.product_id).is_listed

    listing_end(listing=listing)
    assert not Product.objects.get(pk=listing.product_id).is_listed
