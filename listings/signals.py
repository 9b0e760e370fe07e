"""Signals the listings app sends to the apps built on it. This module documents each one.

All are sent after the transaction that wrote the listings commits (never for a rolled-back one), from
`listings` services and jobs only, with `sender=Listing`. Receivers must not do slow work in the sender's
process: they enqueue a job (`job_enqueue`) that takes the ids and re-reads what it needs.

`listings_repriced`
    Sent once per product by the repricing job (`listings.jobs.listings_reprice_for_product`) after every open
    listing of the product has been repriced for a new supplier price, whatever the outcomes (a held or unchanged
    price still needs its margin judged at the new cost). Keyword arguments:

    - `product_id: int`

    The alerts app runs the product's low-margin rules on it: judged before the reprice, a margin would compare
    the new cost with the old price.

`price_held`
    Sent when a repricing records a HELD decision (a guardrail kept the old price: a drop past
    `PRICING_MAX_DROP_PERCENT`, or a price below cost), so the customer can look at it and accept it
    (`listings.services.listing_price_accept`). Keyword arguments:

    - `listing_id: int`
    - `decision_id: int`: the HELD `PriceDecision`.

`marketplace_data_changed`
    Sent by the order import (`listings.reconcile.store_account_orders_import`) when it changed `MarketplaceData`
    rows (written with `bulk_create` and queryset `update()`, so no model signal fires). Keyword arguments:

    - `user_ids: list[int]`: the owners of the listings whose rows changed.

    The analytics app rebuilds those users' business rollups on databases without the rollup trigger (not
    PostgreSQL); on PostgreSQL the trigger already did it in the import's transaction.
"""

from django.db import transaction
from django.dispatch import Signal

from listings.models import Listing

listings_repriced = Signal()
price_held = Signal()
marketplace_data_changed = Signal()


def listings_repriced_send(*, product_id: int) -> None:
    """Send `listings_repriced` for the product once the current transaction commits (now, outside one)."""
    transaction.on_commit(lambda: listings_repriced.send(sender=Listing, product_id=product_id), robust=True)


def price_held_send(*, listing_id: int, decision_id: int) -> None:
    """Send `price_held` for the decision once the current transaction commits (now, outside one)."""
    transaction.on_commit(
        lambda: price_held.send(sender=Listing, listing_id=listing_id, decision_id=decision_id), robust=True
    )


def marketplace_data_changed_send(*, user_ids: list[int]) -> None:
    """Send `marketplace_data_changed` for the users once the current transaction commits (now, outside one)."""
    ids = sorted(set(user_ids))
    transaction.on_commit(lambda: marketplace_data_changed.send(sender=Listing, user_ids=ids), robust=True)
