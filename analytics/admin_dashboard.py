"""The operators' dashboard in the admin: every customer's business figures, or one customer's, as charts and tables.

Narrowed to one customer, the figures are exactly those the customer's own API shows (`analytics.business`). Across
all customers the same sums are read from the business rollups (`BusinessDay` for totals, series and customers,
`ListingPeriod` months, weeks and days for top products), never the raw rows: money in one currency at a time, never
converted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from analytics.business import (
    BusinessScope,
    business_breakdown,
    business_series,
    business_totals,
    figure_sums,
    listing_period_sums,
    top_products,
    with_margin,
    zero_figures,
)
from analytics.models import BusinessDay
from analytics.research import research_stats
from catalog.models import Product
from dropship_central.charts import Series, chart_spec

DEFAULT_DAYS = 30
MAX_DAYS = 731
TOP = 10
LABEL_CHARS = 60
STATS_CACHE_KEY = "analytics:admin-dashboard:research-stats"
STATS_CACHE_SECONDS = 300


class DashboardFilterForm(forms.Form):
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.RegexField(
        r"^[A-Z]{3}$", required=False, max_length=3, help_text="Default: the customer's currency, else USD."
    )
    user = forms.EmailField(required=False, label="Customer (email)")
    store = forms.IntegerField(required=False, min_value=1, label="Store account id")

    def clean_user(self) -> User | None:
        email = self.cleaned_data.get("user")
        if not email:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError("No customer has this email.")
        return user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date_to = data.get("date_to") or timezone.localdate()
        date_from = data.get("date_from") or date_to - timedelta(days=DEFAULT_DAYS - 1)
        if date_from > date_to:
            raise forms.ValidationError("“From” must not be after “To”.")
        if (date_to - date_from).days + 1 > MAX_DAYS:
            raise forms.ValidationError(f"The range may span at most {MAX_DAYS} days.")
        return {**data, "date_from": date_from, "date_to": date_to}


@dataclass(frozen=True)
class OperatorScope:
    """Which days (inclusive), in which currency, for every customer or one, narrowed to a store."""

    date_from: date
    date_to: date
    currency: str
    user: User | None = None
    store_id: int | None = None

    @classmethod
    def from_form(cls, data: dict[str, Any]) -> OperatorScope:
        user = data.get("user")
        currency = data.get("currency") or (user.default_currency if user else "USD")
        return cls(
            date_from=data["date_from"],
            date_to=data["date_to"],
            currency=currency,
            user=user,
            store_id=data.get("store"),
        )

    def business(self) -> BusinessScope | None:
        if self.user is None:
            return None
        return BusinessScope(
            user=self.user,
            date_from=self.date_from,
            date_to=self.date_to,
            currency=self.currency,
            store_id=self.store_id,
        )

    def days(self) -> list[date]:
        return [self.date_from + timedelta(days=n) for n in range((self.date_to - self.date_from).days + 1)]


def operator_days(*, scope: OperatorScope) -> QuerySet[BusinessDay]:
    """Every customer's daily rollup rows in the range and currency (narrowed to the scope's store)."""
    rows = BusinessDay.objects.filter(currency=scope.currency, date__gte=scope.date_from, date__lte=scope.date_to)
    if scope.store_id is not None:
        rows = rows.filter(store_account_id=scope.store_id)
    return rows


def operator_totals(*, scope: OperatorScope) -> dict[str, Any]:
    return with_margin(operator_days(scope=scope).aggregate(**figure_sums()))


def operator_series(*, scope: OperatorScope) -> list[dict[str, Any]]:
    """One point per day of the range (days without sales are zeros)."""
    rows = operator_days(scope=scope).values("date").annotate(**figure_sums()).order_by()
    by_day = {row.pop("date"): row for row in rows}
    return [{"period": day, **with_margin(by_day.get(day) or zero_figures())} for day in scope.days()]


def operator_customers(*, scope: OperatorScope) -> list[dict[str, Any]]:
    """The `TOP` customers by revenue, as `id`, `name` (their email) and figures."""
    rows = operator_days(scope=scope).values("user_id", "user__email").annotate(**figure_sums())
    top = rows.order_by("-revenue", "user_id")[:TOP]
    return [with_margin({"id": row.pop("user_id"), "name": row.pop("user__email"), **row}) for row in top]


def operator_top_products(*, scope: OperatorScope) -> list[dict[str, Any]]:
    """The `TOP` products by profit across customers, from the listing rollups' months, weeks and days."""
    sums = listing_period_sums(
        rollup_key="product_id",
        date_from=scope.date_from,
        date_to=scope.date_to,
        currency=scope.currency,
        store_id=scope.store_id,
    )
    top = sorted(sums.items(), key=lambda item: (-item[1]["profit"], item[0]))[:TOP]
    titles = dict(Product.objects.filter(pk__in=[product_id for product_id, _ in top]).values_list("pk", "title"))
    return [with_margin({"id": product_id, "name": titles.get(product_id), **figures}) for product_id, figures in top]


def dashboard_figures(*, scope: OperatorScope) -> dict[str, Any]:
    """Totals, the daily series, the top products by profit, and the top customers (or the customer's stores)."""
    business = scope.business()
    if business is not None:
        return {
            "totals": business_totals(scope=business),
            "series": business_series(scope=business, interval="day"),
            "top_products": top_products(scope=business, order="top", limit=TOP),
            "stores": business_breakdown(scope=business, group_by="store", limit=TOP),
            "customers": [],
        }
    return {
        "totals": operator_totals(scope=scope),
        "series": operator_series(scope=scope),
        "top_products": operator_top_products(scope=scope),
        "stores": [],
        "customers": operator_customers(scope=scope),
    }


def _short(name: str | None) -> str:
    name = name or "—"
    return name if len(name) <= LABEL_CHARS else f"{name[: LABEL_CHARS - 1]}…"


def series_chart(*, series: list[dict[str, Any]], currency: str) -> dict[str, Any]:
    return chart_spec(
        kind="line",
        labels=[point["period"] for point in series],
        series=[
            Series(label="Revenue", data=[point["revenue"] for point in series]),
            Series(label="Profit", data=[point["profit"] for point in series]),
            Series(label="Orders", data=[point["orders"] for point in series], axis="y2", kind="bar"),
        ],
        y_title=currency,
        y2_title="orders",
    )


def top_products_chart(*, products: list[dict[str, Any]], currency: str) -> dict[str, Any]:
    return chart_spec(
        kind="bar",
        labels=[_short(product["name"]) for product in products],
        series=[
            Series(label="Profit", data=[product["profit"] for product in products]),
            Series(label="Revenue", data=[product["revenue"] for product in products]),
        ],
        horizontal=True,
        y_title=currency,
    )


def cached_research_stats() -> dict[str, Any]:
    """The research stats overview; counted at most every `STATS_CACHE_SECONDS` (they count whole tables)."""
    return cache.get_or_set(STATS_CACHE_KEY, research_stats, STATS_CACHE_SECONDS)
