"""Reads of listings and pricing rules, always scoped to their owner."""

from django.db.models import QuerySet

from accounts.models import User
from listings.models import Listing, PricingRule

STORE_SECRET_FIELDS = ("store_account__credentials", "store_account__access_token", "store_account__refresh_token")


def listings_for_user(*, user: User) -> QuerySet[Listing]:
    """The user's listings with their store and product loaded; store secrets are never read."""
    return Listing.objects.filter(user=user).select_related("store_account", "product").defer(*STORE_SECRET_FIELDS)


def pricing_rules_for_user(*, user: User) -> QuerySet[PricingRule]:
    return PricingRule.objects.filter(user=user)
