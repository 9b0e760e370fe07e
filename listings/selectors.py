"""Reads of listings and pricing rules, always scoped to their owner."""

import copy

from django.db.models import QuerySet

from accounts.models import User
from listings.models import OPEN_STATUSES, Listing, PriceDecision, PricingRule
from listings.proposals import PriceProposal, price_proposal

STORE_SECRET_FIELDS = ("store_account__credentials", "store_account__access_token", "store_account__refresh_token")


def listings_for_user(*, user: User) -> QuerySet[Listing]:
    """The user's listings with their store and product loaded; store secrets are never read."""
    return Listing.objects.filter(user=user).select_related("store_account", "product").defer(*STORE_SECRET_FIELDS)


def pricing_rules_for_user(*, user: User) -> QuerySet[PricingRule]:
    return PricingRule.objects.filter(user=user)


def price_decisions_for_listing(*, listing: Listing) -> QuerySet[PriceDecision]:
    """The listing's pricing trail, newest first (callers reach the listing through `listings_for_user`)."""
    return PriceDecision.objects.filter(listing=listing).order_by("-created_at", "-id")


def pricing_rule_preview(*, user: User, rule: PricingRule) -> list[PriceProposal]:
    """What `rule` (saved or an unsaved draft) would do to the user's open listings, writing nothing.

    The rule competes with the user's other active rules exactly as repricing would (a saved rule's stored
    version is replaced by `rule`); only the listings it would win are returned. An inactive rule is
    previewed as if it were switched on.
    """
    rule = copy.copy(rule)
    rule.is_active = True
    others = [saved for saved in PricingRule.objects.filter(user=user, is_active=True) if saved.pk != rule.pk]
    rules = [*others, rule]
    listings = listings_in_rule_scope(rule=rule).filter(user=user).select_related("product", "variant")
    proposals = (price_proposal(listing=listing, rules=rules) for listing in listings.order_by("pk"))
    return [proposal for proposal in proposals if proposal.rule is rule]


def pricing_rule_listing_ids(*, rule: PricingRule) -> list[int]:
    """The open listings a saved rule wins against its owner's other active rules: the rows of its preview."""
    return [proposal.listing.pk for proposal in pricing_rule_preview(user=rule.user, rule=rule)]


def latest_price_decision(*, listing: Listing) -> PriceDecision | None:
    """The listing's newest price decision, if any."""
    return price_decisions_for_listing(listing=listing).first()


def listings_in_rule_scope(*, rule: PricingRule) -> QuerySet[Listing]:
    """The open listings a rule could price: its owner's, narrowed to its store and product when set."""
    listings = Listing.objects.filter(user_id=rule.user_id, status__in=OPEN_STATUSES)
    if rule.store_account_id is not None:
        listings = listings.filter(store_account_id=rule.store_account_id)
    if rule.product_id is not None:
        listings = listings.filter(product_id=rule.product_id)
    return listings
