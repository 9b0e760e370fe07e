"""Analytics writes: the results cache and the business rollups' rebuild."""

from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from analytics.models import AnalyticsCache, BusinessDay, ListingPeriod
from analytics.rollups_portable import business_rollups_rebuild_portable

PURGE_BATCH = 1000

# The same attribution as the trigger `analytics_business_add` (migration 0002): a day's figures belong to the
# listing's latest applied, unchanged or held price decision made before the day began (UTC).
_REBUILD_SQL = """
WITH figures AS (
    SELECT md.*, l.user_id, l.store_account_id, l.product_id,
           coalesce(d.rule_id, 0) AS d_rule, coalesce(d.rule_name, '') AS d_name,
           coalesce(d.guardrail, '') AS d_guardrail, coalesce(d.step, 0) AS d_step
      FROM listings_marketplacedata md
      JOIN listings_listing l ON l.id = md.listing_id
      LEFT JOIN LATERAL (
          SELECT pd.rule_id, pd.rule_name,
                 CASE WHEN pd.outcome = 'held' THEN pd.guardrail ELSE '' END AS guardrail,
                 CASE WHEN pd.outcome = 'held' THEN coalesce(pd.price_before - pd.price_after, 0) ELSE 0 END AS step
            FROM listings_pricedecision pd
           WHERE pd.listing_id = md.listing_id AND pd.outcome IN ('applied', 'unchanged', 'held')
             AND pd.created_at < (md.date::timestamp AT TIME ZONE 'UTC')
           ORDER BY pd.created_at DESC, pd.id DESC LIMIT 1
      ) d ON true
     WHERE %(user_id)s::bigint IS NULL OR l.user_id = %(user_id)s::bigint
), days AS (
    INSERT INTO analytics_businessday
        (user_id, store_account_id, date, currency, rule_id, rule_name, guardrail, held_difference,
         views, orders, units_sold, revenue, cost, fees, refunds, profit)
    SELECT user_id, store_account_id, date, currency, d_rule, max(d_name), d_guardrail, sum(units_sold * d_step),
           sum(views), sum(orders), sum(units_sold), sum(revenue), sum(cost), sum(fees), sum(refunds), sum(profit)
      FROM figures GROUP BY user_id, store_account_id, date, currency, d_rule, d_guardrail
), periods AS (
    INSERT INTO analytics_listingperiod
        (listing_id, user_id, store_account_id, product_id, span, start, currency,
         views, orders, units_sold, revenue, cost, fees, refunds, profit)
    SELECT listing_id, max(user_id), max(store_account_id), max(product_id), span, date_trunc(span, date)::date,
           currency, sum(views), sum(orders), sum(units_sold), sum(revenue), sum(cost), sum(fees), sum(refunds),
           sum(profit)
      FROM figures CROSS JOIN unnest(ARRAY['day', 'week', 'month']) AS span
     GROUP BY listing_id, span, date_trunc(span, date)::date, currency
)
SELECT count(*) FROM figures
"""


@transaction.atomic
def analytics_cache_store(
    *, user: User, kind: str, key: str, params: dict[str, Any], version: str, data: dict[str, Any], ttl: int
) -> AnalyticsCache:
    """Keep `data` under `key` for `ttl` seconds. Also drops the user's results of this kind computed for another
    data version, and a batch of anyone's expired results (so the table never keeps dead rows for long)."""
    now = timezone.now()
    AnalyticsCache.objects.filter(user=user, kind=kind).exclude(key=key).exclude(params__data_version=version).delete()
    analytics_cache_purge_expired(now=now)
    entry, _ = AnalyticsCache.objects.update_or_create(
        key=key,
        defaults={
            "user": user,
            "scope": f"user:{user.pk}",
            "kind": kind,
            "params": {**params, "data_version": version},
            "data": data,
            "expires_at": now + timedelta(seconds=ttl),
        },
    )
    return entry


def analytics_cache_purge_expired(*, now: Any = None, batch: int = PURGE_BATCH) -> int:
    """Delete up to `batch` expired cache rows (oldest expiry first); how many went."""
    expired = AnalyticsCache.objects.filter(expires_at__lte=now or timezone.now()).order_by("expires_at")
    ids = list(expired.values_list("pk", flat=True)[:batch])
    if not ids:
        return 0
    deleted, _ = AnalyticsCache.objects.filter(pk__in=ids).delete()
    return deleted


@transaction.atomic
def business_rollups_rebuild(*, user: User | None = None) -> int:
    """Recompute `BusinessDay` and `ListingPeriod` from `MarketplaceData` (one user's, or everyone's), bump the
    data versions and drop the cached results concerned. Returns the marketplace rows read. In SQL on PostgreSQL;
    elsewhere in Python (`analytics.rollups_portable`), with the same rows."""
    if connection.vendor != "postgresql":
        return business_rollups_rebuild_portable(user_ids=None if user is None else [user.pk])
    days, periods, cache = BusinessDay.objects.all(), ListingPeriod.objects.all(), AnalyticsCache.objects.all()
    if user is not None:
        days, periods, cache = days.filter(user=user), periods.filter(user=user), cache.filter(user=user)
    days.delete()
    periods.delete()
    cache.delete()
    with connection.cursor() as cursor:
        cursor.execute(_REBUILD_SQL, {"user_id": user.pk if user else None})
        (rows,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO analytics_businessdataversion (user_id, version, changed_at) "
            "SELECT DISTINCT user_id, 1, now() FROM analytics_businessday "
            "WHERE %(user_id)s::bigint IS NULL OR user_id = %(user_id)s::bigint "
            "ON CONFLICT (user_id) DO UPDATE SET version = analytics_businessdataversion.version + 1, "
            "changed_at = now()",
            {"user_id": user.pk if user else None},
        )
    return int(rows)
