"""The business rollups (`BusinessDay`, `ListingPeriod`, `BusinessDataVersion`) computed in Python, for databases
without the PL/pgSQL trigger of analytics migration 0002 (the embedded SQLite default).

Same rows as the trigger and `analytics.services._REBUILD_SQL`: a day's figures belong to the listing's latest
APPLIED, UNCHANGED or HELD price decision made before the day began (00:00 UTC; ties by id), rule 0 and no name
without one; a HELD decision adds its guardrail and units sold × (price before − price after) as the held
difference. `ListingPeriod` sums each listing per day, ISO week (Monday) and calendar month.

On PostgreSQL the trigger keeps the rollups current in the writer's transaction; elsewhere the listings app's
`marketplace_data_changed` signal makes `analytics.receivers` call `business_rollups_rebuild_portable` for the
users whose rows changed.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from analytics.models import AnalyticsCache, BusinessDataVersion, BusinessDay, ListingPeriod
from listings.models import MarketplaceData, PriceDecision

FIGURES = ("views", "orders", "units_sold", "revenue", "cost", "fees", "refunds", "profit")
IN_FORCE = (PriceDecision.Outcome.APPLIED, PriceDecision.Outcome.UNCHANGED, PriceDecision.Outcome.HELD)
SPANS = ("day", "week", "month")
CENT = Decimal("0.01")
BATCH = 2000


@dataclass(frozen=True)
class _Decision:
    rule_id: int
    rule_name: str
    guardrail: str
    step: Decimal


NO_DECISION = _Decision(rule_id=0, rule_name="", guardrail="", step=Decimal(0))


@dataclass
class _Sums:
    figures: list[Any] = field(default_factory=lambda: [0, 0, 0] + [Decimal(0)] * 5)

    def add(self, row: dict[str, Any]) -> None:
        for index, name in enumerate(FIGURES):
            self.figures[index] += row[name]

    def as_fields(self) -> dict[str, Any]:
        return dict(zip(FIGURES, self.figures, strict=True))


@transaction.atomic
def business_rollups_rebuild_portable(*, user_ids: Iterable[int] | None = None) -> int:
    """Recompute the rollups of these users (None: everyone) from `MarketplaceData`, bump their data versions and
    drop their cached results. Returns the marketplace rows read."""
    ids = None if user_ids is None else sorted(set(user_ids))
    days, periods, cache = BusinessDay.objects.all(), ListingPeriod.objects.all(), AnalyticsCache.objects.all()
    if ids is not None:
        days, periods = days.filter(user_id__in=ids), periods.filter(user_id__in=ids)
        cache = cache.filter(user_id__in=ids)
    days.delete()
    periods.delete()
    cache.delete()
    rows = MarketplaceData.objects.all() if ids is None else MarketplaceData.objects.filter(listing__user_id__in=ids)
    read = _write_rollups(rows)
    _bump_versions(ids)
    return read


def _write_rollups(rows: Any) -> int:
    decisions = _decisions(rows)
    day_sums: dict[tuple[Any, ...], _Sums] = defaultdict(_Sums)
    held: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    names: dict[tuple[Any, ...], str] = {}
    period_sums: dict[tuple[Any, ...], _Sums] = defaultdict(_Sums)
    owners: dict[int, tuple[int, int, int]] = {}
    read = 0
    values = rows.values(
        "listing_id", "date", "currency", *FIGURES,
        user_id=F("listing__user_id"), store_id=F("listing__store_account_id"), product_id=F("listing__product_id"),
    )  # fmt: skip
    for row in values.order_by().iterator(chunk_size=BATCH):
        read += 1
        decision = _in_force(decisions.get(row["listing_id"], ()), row["date"])
        key = (row["user_id"], row["store_id"], row["date"], row["currency"], decision.rule_id, decision.guardrail)
        day_sums[key].add(row)
        held[key] += row["units_sold"] * decision.step
        names[key] = max(names.get(key, decision.rule_name), decision.rule_name)
        owners[row["listing_id"]] = (row["user_id"], row["store_id"], row["product_id"])
        for span in SPANS:
            period_sums[(row["listing_id"], span, span_start(span, row["date"]), row["currency"])].add(row)
    BusinessDay.objects.bulk_create(
        (
            BusinessDay(
                user_id=user_id, store_account_id=store_id, date=day, currency=currency, rule_id=rule_id,
                rule_name=names[key], guardrail=guardrail, held_difference=_cents(held[key]), **sums.as_fields(),
            )
            for key, sums in day_sums.items()
            for user_id, store_id, day, currency, rule_id, guardrail in [key]
        ),
        batch_size=BATCH,
    )  # fmt: skip
    ListingPeriod.objects.bulk_create(
        (
            ListingPeriod(
                listing_id=listing_id, user_id=owners[listing_id][0], store_account_id=owners[listing_id][1],
                product_id=owners[listing_id][2], span=span, start=start, currency=currency, **sums.as_fields(),
            )
            for (listing_id, span, start, currency), sums in period_sums.items()
        ),
        batch_size=BATCH,
    )  # fmt: skip
    return read


def decision_sums(rows: Any) -> list[dict[str, Any]]:
    """The rows' figures per rule and guardrail of the decision in force on their day, as `BusinessDay` holds them
    (`rule_id`, `rule_name`, `guardrail`, `held_difference` and the figures), for scopes its rows cannot narrow to
    (one listing, one product)."""
    decisions = _decisions(rows)
    sums: dict[tuple[int, str], _Sums] = defaultdict(_Sums)
    held: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    names: dict[tuple[int, str], str] = {}
    for row in rows.values("listing_id", "date", *FIGURES).order_by().iterator(chunk_size=BATCH):
        decision = _in_force(decisions.get(row["listing_id"], ()), row["date"])
        key = (decision.rule_id, decision.guardrail)
        sums[key].add(row)
        held[key] += row["units_sold"] * decision.step
        names[key] = max(names.get(key, decision.rule_name), decision.rule_name)
    return [
        {"rule_id": rule_id, "rule_name": names[key], "guardrail": guardrail, "held_difference": _cents(held[key]),
         **figures.as_fields()}
        for key, figures in sums.items()
        for rule_id, guardrail in [key]
    ]  # fmt: skip


def _decisions(rows: Any) -> dict[int, tuple[list[datetime], list[_Decision]]]:
    """Each listing's decisions that can be in force, oldest first (ties by id), with their creation times."""
    found: dict[int, tuple[list[datetime], list[_Decision]]] = defaultdict(lambda: ([], []))
    decisions = PriceDecision.objects.filter(listing_id__in=rows.values("listing_id"), outcome__in=IN_FORCE)
    fields = ("listing_id", "created_at", "rule_id", "rule_name", "outcome", "guardrail", "price_before", "price_after")
    for row in decisions.order_by("listing_id", "created_at", "id").values(*fields).iterator(chunk_size=BATCH):
        times, kept = found[row["listing_id"]]
        times.append(row["created_at"])
        kept.append(_decision(row))
    return found


def _decision(row: dict[str, Any]) -> _Decision:
    held = row["outcome"] == PriceDecision.Outcome.HELD
    step = Decimal(0)
    if held and row["price_before"] is not None and row["price_after"] is not None:
        step = row["price_before"] - row["price_after"]
    return _Decision(
        rule_id=row["rule_id"] or 0,
        rule_name=row["rule_name"] or "",
        guardrail=(row["guardrail"] or "") if held else "",
        step=step,
    )


def _in_force(decisions: tuple[list[datetime], list[_Decision]] | tuple[()], day: date) -> _Decision:
    """The latest decision made strictly before the day's 00:00 UTC."""
    if not decisions:
        return NO_DECISION
    times, kept = decisions
    index = bisect_left(times, datetime.combine(day, time(0), tzinfo=UTC))
    return kept[index - 1] if index else NO_DECISION


def span_start(span: str, day: date) -> date:
    """`date_trunc(span, day)`: the day itself, its ISO week's Monday or its month's first day."""
    if span == "week":
        return day - timedelta(days=day.weekday())
    if span == "month":
        return day.replace(day=1)
    return day


def _cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def _bump_versions(ids: list[int] | None) -> None:
    """Like the SQL rebuild: every user left with `BusinessDay` rows gets version 1, or one more than before."""
    users = BusinessDay.objects.all() if ids is None else BusinessDay.objects.filter(user_id__in=ids)
    user_ids = set(users.values_list("user_id", flat=True).distinct())
    if not user_ids:
        return
    now = timezone.now()
    existing = BusinessDataVersion.objects.filter(user_id__in=user_ids)
    existing.update(version=F("version") + 1, changed_at=now)
    missing = user_ids - set(existing.values_list("user_id", flat=True))
    BusinessDataVersion.objects.bulk_create(
        [BusinessDataVersion(user_id=user_id, version=1, changed_at=now) for user_id in sorted(missing)]
    )
