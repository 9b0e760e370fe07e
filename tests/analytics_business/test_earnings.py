"""What each pricing rule earned, each guardrail kept and each policy protected: exact, hand-checked figures.

Range 2026-03-01 … 2026-03-10. User A, one store. Decisions are made before the sales they price are written
(as in production, where a day's figures land after the day began).

L1's decisions: 03-01 12:00 applied by Standard (30.00); 03-04 10:00 Premium's 24.00 held by price_drop (30.00
kept); 03-06 09:00 applied by Premium (28.00); 03-07 05:00 refused (changes nothing).

| L1 day | units | revenue | cost | fees | profit | decision in force at 00:00 |
|---|---|---|---|---|---|---|
| 03-01 | 1 | 30.00 | 20.00 | 0 | 10.00 | none yet → no rule |
| 03-02 | 2 | 60.00 | 40.00 | 6.00 | 14.00 | Standard |
| 03-04 | 1 | 30.00 | 20.00 | 3.00 | 7.00 | Standard (the hold came at 10:00) |
| 03-05 | 3 | 90.00 | 60.00 | 9.00 | 21.00 | Premium, held by price_drop: kept 3 × (30 − 24) = 18.00 |
| 03-07 | 2 | 56.00 | 40.00 | 5.60 | 10.40 | Premium |
| 03-08 | 1 | 28.00 | 20.00 | 2.80 | 5.20 | Premium (the refusal is ignored) |

L2 (Clearance from 02-20: price 20.00, cost 19.00, fee 10 % + 0.30, shipping 2.00, so a sale loses
20 × 0.9 − 0.30 − 21 = −3.30): 03-01 4 units 80.00; 03-06 5 units 100.00 (cost 171.00 in all). Paused for low margin
03-03 00:00 → 03-05 12:00 (2.5 days); quantity zeroed for out of stock from 03-08 00:00, never restored (3 days to
the range end). Unprotected: 10 − 5.5 = 4.5 days, 9 units → 2 units a day; 20.00 a unit.
"""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from analytics.business import BusinessScope
from analytics.earnings import guardrail_holds, policy_protection, rule_earnings
from dropship_central.models import AuditLog
from listings.models import Listing, PriceDecision, PricingRule
from tests.factories import ListingFactory, MarketplaceDataFactory, PricingRuleFactory, StoreAccountFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/rules"
RANGE = {"from": "2026-03-01", "to": "2026-03-10"}


def at(day: str, clock: str = "00:00") -> datetime:
    return datetime.fromisoformat(f"2026-{day}T{clock}").replace(tzinfo=UTC)


def decide(listing: Listing, when: datetime, outcome: str, rule: PricingRule | None, **fields: object) -> None:
    decision = PriceDecision.objects.create(
        listing=listing,
        trigger="product_changed",
        outcome=outcome,
        rule=rule,
        rule_name=rule.name if rule else "",
        currency="USD",
        explanation="test",
        **fields,
    )
    PriceDecision.objects.filter(pk=decision.pk).update(created_at=when)


def sale(listing: Listing, day: str, units: int, revenue: str, cost: str, fees: str = "0") -> None:
    profit = Decimal(revenue) - Decimal(cost) - Decimal(fees)
    MarketplaceDataFactory(
        listing=listing,
        date=date.fromisoformat(f"2026-{day}"),
        orders=1,
        units_sold=units,
        revenue=Decimal(revenue),
        cost=Decimal(cost),
        fees=Decimal(fees),
        refunds=Decimal(0),
        profit=profit,
    )


def audit(listing: Listing, when: datetime, changes: dict[str, list[object]]) -> None:
    entry = AuditLog.objects.create(
        action=AuditLog.Action.UPDATE,
        content_type=ContentType.objects.get_for_model(Listing),
        object_id=str(listing.pk),
        changes=changes,
    )
    AuditLog.objects.filter(pk=entry.pk).update(created_at=when)


@pytest.fixture
def priced(user, other_user):
    store = StoreAccountFactory(user=user)
    standard = PricingRuleFactory(user=user, name="Standard")
    premium = PricingRuleFactory(user=user, name="Premium")
    clearance = PricingRuleFactory(
        user=user, name="Clearance", fee_percent=Decimal("10"), fixed_fee=Decimal("0.30"), shipping_cost=Decimal("2")
    )
    l1 = ListingFactory(user=user, store_account=store, status=Listing.Status.ACTIVE)
    l2 = ListingFactory(user=user, store_account=store, status=Listing.Status.ACTIVE)

    decide(l1, at("03-01", "12:00"), "applied", standard, price_after=Decimal("30.00"), converted_cost=Decimal(20))
    decide(
        l1,
        at("03-04", "10:00"),
        "held",
        premium,
        guardrail="price_drop",
        price_before=Decimal("30.00"),
        price_after=Decimal("24.00"),
        converted_cost=Decimal(20),
    )
    decide(l1, at("03-06", "09:00"), "applied", premium, price_after=Decimal("28.00"), converted_cost=Decimal(20))
    decide(l1, at("03-07", "05:00"), "refused", None, refusal_code="no_price")
    decide(l2, at("02-20"), "applied", clearance, price_after=Decimal("20.00"), converted_cost=Decimal("19.00"))

    sale(l1, "03-01", 1, "30.00", "20.00")
    sale(l1, "03-02", 2, "60.00", "40.00", "6.00")
    sale(l1, "03-04", 1, "30.00", "20.00", "3.00")
    sale(l1, "03-05", 3, "90.00", "60.00", "9.00")
    sale(l1, "03-07", 2, "56.00", "40.00", "5.60")
    sale(l1, "03-08", 1, "28.00", "20.00", "2.80")
    sale(l1, "03-11", 5, "500.00", "100.00")  # after the range
    sale(l2, "03-01", 4, "80.00", "76.00")
    sale(l2, "03-06", 5, "100.00", "95.00")

    audit(l2, at("03-03"), {"status": ["active", "paused"], "status_reason": [None, "low_margin"]})
    audit(l2, at("03-05", "12:00"), {"status": ["paused", "active"], "status_reason": [None, "manual_resume"]})
    audit(l2, at("03-08"), {"quantity": [5, 0], "quantity_reason": ["", "out_of_stock"]})

    theirs = ListingFactory(user=other_user, status=Listing.Status.ACTIVE)
    their_rule = PricingRuleFactory(user=other_user, name="Standard")
    decide(theirs, at("02-01"), "held", their_rule, guardrail="below_cost", price_before=Decimal(9), price_after=1)
    sale(theirs, "03-05", 7, "700.00", "100.00")
    audit(theirs, at("03-02"), {"status": ["active", "paused"], "status_reason": [None, "low_margin"]})
    return {"standard": standard, "premium": premium, "clearance": clearance, "l1": l1, "l2": l2}


def scope_of(user) -> BusinessScope:
    return BusinessScope(user=user, date_from=date(2026, 3, 1), date_to=date(2026, 3, 10), currency="USD")


def test_each_rule_earns_the_days_its_decision_was_in_force_when_the_day_began(user, priced):
    rows = rule_earnings(scope=scope_of(user))

    figures = [
        (row["name"], row["units_sold"], row["revenue"], row["cost"], row["fees"], row["profit"]) for row in rows
    ]
    assert figures == [
        ("Premium", 6, Decimal("174.00"), Decimal("120.00"), Decimal("17.40"), Decimal("36.60")),
        ("Standard", 3, Decimal("90.00"), Decimal("60.00"), Decimal("9.00"), Decimal("21.00")),
        ("", 1, Decimal("30.00"), Decimal("20.00"), Decimal("0.00"), Decimal("10.00")),
        ("Clearance", 9, Decimal("180.00"), Decimal("171.00"), Decimal("0.00"), Decimal("9.00")),
    ]
    assert [row["rule_id"] for row in rows] == [
        priced["premium"].pk,
        priced["standard"].pk,
        None,
        priced["clearance"].pk,
    ]


def test_markup_is_revenue_over_the_cost_of_goods(user, priced):
    rows = {row["name"]: row for row in rule_earnings(scope=scope_of(user))}

    assert (rows["Premium"]["markup"], rows["Premium"]["markup_percent"]) == (Decimal("54.00"), Decimal("45.00"))
    assert (rows["Standard"]["markup"], rows["Standard"]["markup_percent"]) == (Decimal("30.00"), Decimal("50.00"))
    assert (rows["Clearance"]["markup"], rows["Clearance"]["markup_percent"]) == (Decimal("9.00"), Decimal("5.26"))
    assert rows["Premium"]["margin_percent"] == Decimal("21.03")


def test_a_held_decision_counts_the_revenue_its_guardrail_kept(user, priced):
    (held,) = guardrail_holds(scope=scope_of(user))

    assert (held["guardrail"], held["units_sold"], held["revenue"], held["profit"], held["kept"]) == (
        "price_drop",
        3,
        Decimal("90.00"),
        Decimal("21.00"),
        Decimal("18.00"),
    )


def test_policies_count_protected_days_and_the_sales_and_losses_they_stopped(user, priced):
    rows = policy_protection(scope=scope_of(user))

    assert rows == [
        {
            "policy": "pause",
            "reason": "low_margin",
            "listings": 1,
            "protected_days": Decimal("2.50"),
            "estimated_units": Decimal("5.00"),
            "estimated_revenue": Decimal("100.00"),
            "estimated_loss_avoided": Decimal("16.50"),
        },
        {
            "policy": "quantity_zero",
            "reason": "out_of_stock",
            "listings": 1,
            "protected_days": Decimal("3.00"),
            "estimated_units": Decimal("6.00"),
            "estimated_revenue": Decimal("120.00"),
            "estimated_loss_avoided": Decimal("19.80"),
        },
    ]


def test_a_sale_that_still_makes_money_avoids_no_loss(user, priced):
    PriceDecision.objects.filter(listing=priced["l2"]).update(converted_cost=Decimal("10.00"))

    rows = policy_protection(scope=scope_of(user))

    assert [row["estimated_loss_avoided"] for row in rows] == [Decimal("0.00"), Decimal("0.00")]
    assert [row["estimated_units"] for row in rows] == [Decimal("5.00"), Decimal("6.00")]


def test_a_protection_outside_the_range_counts_nothing(user, priced):
    scope = BusinessScope(user=user, date_from=date(2026, 2, 1), date_to=date(2026, 2, 28), currency="USD")

    assert policy_protection(scope=scope) == []


def test_the_rules_endpoint_shows_only_your_figures(auth_client, user, priced):
    response = auth_client.get(URL, RANGE)

    assert response.status_code == 200
    body = response.json()
    assert [row["name"] for row in body["rules"]] == ["Premium", "Standard", "", "Clearance"]
    assert body["rules"][0]["revenue"] == "174.00"
    assert [(row["guardrail"], row["kept"]) for row in body["guardrails"]] == [("price_drop", "18.00")]
    assert [(row["reason"], row["estimated_loss_avoided"]) for row in body["policies"]] == [
        ("low_margin", "16.50"),
        ("out_of_stock", "19.80"),
    ]
    assert response["X-Analytics-Cache"] == "miss"
    assert auth_client.get(URL, RANGE)["X-Analytics-Cache"] == "hit"


def test_the_rules_endpoint_exports_the_table_asked_for_as_csv(auth_client, priced):
    response = auth_client.get(URL, {**RANGE, "format": "csv", "table": "guardrails"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="analytics-rules-guardrails-2026-03-01-2026-03-10.csv"' in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0].split(",")[:3] == ["revenue", "cost", "fees"]
    assert len(lines) == 2
    assert "price_drop" in lines[1]
    assert "18.00" in lines[1]


def test_the_rules_endpoint_narrows_to_a_store(auth_client, user, priced):
    elsewhere = StoreAccountFactory(user=user)

    body = auth_client.get(URL, {**RANGE, "store": elsewhere.pk}).json()

    assert (body["rules"], body["guardrails"], body["policies"]) == ([], [], [])


def test_one_listings_rules_and_guardrails_are_its_own(user, priced):
    scope = replace(scope_of(user), listing_id=priced["l1"].pk)

    rules = [(row["name"], row["units_sold"], row["revenue"], row["profit"]) for row in rule_earnings(scope=scope)]
    held = [(row["guardrail"], row["units_sold"], row["kept"]) for row in guardrail_holds(scope=scope)]

    assert rules == [
        ("Premium", 6, Decimal("174.00"), Decimal("36.60")),
        ("Standard", 3, Decimal("90.00"), Decimal("21.00")),
        ("", 1, Decimal("30.00"), Decimal("10.00")),
    ]
    assert held == [("price_drop", 3, Decimal("18.00"))]


def test_the_rules_endpoint_narrows_to_a_product(auth_client, priced):
    body = auth_client.get(URL, {**RANGE, "product": priced["l2"].product_id}).json()

    assert [(row["name"], row["revenue"]) for row in body["rules"]] == [("Clearance", "180.00")]
    assert body["guardrails"] == []
