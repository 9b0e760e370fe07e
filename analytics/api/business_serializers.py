"""Query parameters and response bodies of the business analytics endpoints."""

import functools
from collections.abc import Callable
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from rest_framework import serializers

DEFAULT_DAYS = 30
MAX_RANGE_DAYS = 731
MAX_FINE_RANGE_DAYS = 92
CENT = Decimal("0.01")


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=20, decimal_places=2, **kwargs)


def _percent() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)


class FromToSerializer(serializers.Serializer):
    """Exposes `date_from` and `date_to` as `from` and `to` (Python keywords, so they cannot be declared)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("date_from")
        fields["to"] = fields.pop("date_to")
        return fields


class DateRangeSerializer(FromToSerializer):
    """`from` and `to` (inclusive dates, default the last 30 days up to today)."""

    date_from = serializers.DateField(required=False, help_text="First day (inclusive). Default: 29 days before `to`.")
    date_to = serializers.DateField(required=False, help_text="Last day (inclusive). Default: today.")
    max_days = MAX_RANGE_DAYS

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        date_to = attrs.pop("to", None) or timezone.localdate()
        date_from = attrs.pop("from", None) or date_to - timedelta(days=DEFAULT_DAYS - 1)
        if date_from > date_to:
            raise serializers.ValidationError({"from": ["Must not be after `to`."]})
        if (date_to - date_from).days + 1 > self.max_days:
            raise serializers.ValidationError({"from": [f"The range may span at most {self.max_days} days."]})
        return {**attrs, "date_from": date_from, "date_to": date_to}


class BusinessQuerySerializer(DateRangeSerializer):
    store = serializers.IntegerField(required=False, min_value=1, help_text="Only this store account.")
    listing = serializers.IntegerField(required=False, min_value=1, help_text="Only this listing.")
    product = serializers.IntegerField(required=False, min_value=1, help_text="Only listings of this product.")
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", required=False, help_text="Figures in this currency only. Default: your default currency."
    )


class EarningsQuerySerializer(BusinessQuerySerializer):
    table = serializers.ChoiceField(
        choices=["rules", "guardrails", "policies"], default="rules", help_text="The rows `?format=csv` exports."
    )


class IntervalQuerySerializer(BusinessQuerySerializer):
    interval = serializers.ChoiceField(choices=["day", "week", "month"], default="day")


class BreakdownQuerySerializer(IntervalQuerySerializer):
    group_by = serializers.ChoiceField(
        choices=["store", "listing", "product"], default="store", help_text="The breakdown's rows."
    )


class TopProductsQuerySerializer(BusinessQuerySerializer):
    order = serializers.ChoiceField(choices=["top", "bottom"], default="top", help_text="Most or least profit first.")
    limit = serializers.IntegerField(default=10, min_value=1, max_value=100)


class HistoryQuerySerializer(DateRangeSerializer):
    product = serializers.IntegerField(min_value=1, help_text="A product you track.")
    variant = serializers.IntegerField(
        required=False, min_value=1, help_text="One of the product's SKUs (its id); default the product itself."
    )
    resolution = serializers.ChoiceField(choices=["raw", "hourly", "daily"], default="daily")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        days = (attrs["date_to"] - attrs["date_from"]).days + 1
        if attrs["resolution"] != "daily" and days > MAX_FINE_RANGE_DAYS:
            raise serializers.ValidationError(
                {"resolution": [f"Raw and hourly history span at most {MAX_FINE_RANGE_DAYS} days; use daily."]}
            )
        return attrs


class BusinessFiguresSerializer(serializers.Serializer):
    revenue = _money()
    cost = _money(help_text="Cost of goods sold.")
    fees = _money()
    refunds = _money()
    profit = _money()
    margin_percent = _percent()
    orders = serializers.IntegerField()
    units_sold = serializers.IntegerField()
    views = serializers.IntegerField()


class BusinessGrowthSerializer(serializers.Serializer):
    """Change against the previous period of equal length, in %; null when that period had nothing."""

    revenue = _percent()
    cost = _percent()
    fees = _percent()
    refunds = _percent()
    profit = _percent()
    orders = _percent()
    units_sold = _percent()
    margin_points = _percent()


class BusinessSeriesPointSerializer(BusinessFiguresSerializer):
    period = serializers.DateField(help_text="First day of the day, week (Monday) or month.")


class BusinessGroupFiguresSerializer(BusinessFiguresSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BusinessRangeSerializer(FromToSerializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    currency = serializers.CharField()
    store = serializers.IntegerField(allow_null=True)
    listing = serializers.IntegerField(allow_null=True)
    product = serializers.IntegerField(allow_null=True)


class BusinessDashboardSerializer(BusinessRangeSerializer):
    totals = BusinessFiguresSerializer()
    previous = BusinessFiguresSerializer(help_text="The period of equal length just before.")
    growth = BusinessGrowthSerializer()
    top_products = BusinessGroupFiguresSerializer(many=True, help_text="The 5 products with the most profit.")
    series = BusinessSeriesPointSerializer(many=True, help_text="One point per day.")


class BusinessReportSerializer(BusinessRangeSerializer):
    interval = serializers.CharField()
    group_by = serializers.CharField()
    totals = BusinessFiguresSerializer()
    previous = BusinessFiguresSerializer()
    growth = BusinessGrowthSerializer()
    breakdown = BusinessGroupFiguresSerializer(many=True)
    series = BusinessSeriesPointSerializer(many=True)


class BusinessTrendsSerializer(BusinessRangeSerializer):
    interval = serializers.CharField()
    series = BusinessSeriesPointSerializer(many=True)


class BusinessTopProductsSerializer(BusinessRangeSerializer):
    order = serializers.CharField()
    limit = serializers.IntegerField()
    products = BusinessGroupFiguresSerializer(many=True)


class StockOutSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    title = serializers.CharField()
    open_days = serializers.IntegerField(help_text="Days of the range a listing of it was open.")
    stock_out_days = serializers.IntegerField()
    in_stock_days = serializers.IntegerField()
    average_daily_revenue = _money(help_text="Average revenue on the open in-stock days.")
    estimated_lost_revenue = _money(help_text="Average daily revenue × stock-out days.")


class StockOutsSerializer(BusinessRangeSerializer):
    products = StockOutSerializer(many=True)


class ProductHistoryPointSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="The reading's time, or the start of its hour or day.")
    min = serializers.DecimalField(max_digits=20, decimal_places=2)
    max = serializers.DecimalField(max_digits=20, decimal_places=2)
    avg = serializers.DecimalField(max_digits=20, decimal_places=2)
    readings = serializers.IntegerField()


class ProductHistorySeriesSerializer(serializers.Serializer):
    min = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    max = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    avg = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    readings = serializers.IntegerField()
    points = ProductHistoryPointSerializer(many=True)


class ProductHistoryProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    currency = serializers.CharField()


class ProductHistoryVariantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    title = serializers.CharField()


class ProductHistorySerializer(FromToSerializer):
    product = ProductHistoryProductSerializer()
    variant = ProductHistoryVariantSerializer(allow_null=True, help_text="The SKU asked for; null: the product.")
    resolution = serializers.CharField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    price = ProductHistorySeriesSerializer()
    stock = ProductHistorySeriesSerializer(help_text="Stock quantity readings.")


class RuleEarningsSerializer(BusinessFiguresSerializer):
    rule_id = serializers.IntegerField(allow_null=True, help_text="Null: days before the listing's first decision.")
    name = serializers.CharField()
    markup = _money(help_text="Revenue − cost of goods.")
    markup_percent = _percent()


class GuardrailHoldSerializer(BusinessFiguresSerializer):
    guardrail = serializers.CharField()
    kept = _money(help_text="Units sold while held × (held price − proposed price).")


class PolicyProtectionSerializer(serializers.Serializer):
    policy = serializers.ChoiceField(choices=["pause", "quantity_zero"])
    reason = serializers.CharField(help_text="The status or quantity reason, e.g. low_margin, out_of_stock.")
    listings = serializers.IntegerField()
    protected_days = _money(help_text="Listing-days under the policy in the range (hours / 24).")
    estimated_units = _money(help_text="Units a day on unprotected days × protected days.")
    estimated_revenue = _money(help_text="Estimated units × average unit revenue in the range.")
    estimated_loss_avoided = _money(help_text="Estimated units × the loss per unit when protection began.")


class EarningsSerializer(FromToSerializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    currency = serializers.CharField()
    store = serializers.IntegerField(allow_null=True)
    rules = RuleEarningsSerializer(many=True)
    guardrails = GuardrailHoldSerializer(many=True)
    policies = PolicyProtectionSerializer(many=True)


def fast_data(serializer_class: type[serializers.Serializer], instance: dict[str, Any]) -> dict[str, Any]:
    """Exactly `serializer_class(instance).data` for the plain dicts the business selectors return, without DRF's
    per-field machinery (a breakdown of 2,000 listings took ~100 ms through it)."""
    return _converter(serializer_class)(instance)


@functools.cache
def _converter(serializer_class: type[serializers.Serializer]) -> Callable[[Any], Any]:
    return _field_converter(serializer_class())


def _field_converter(field: serializers.Field) -> Callable[[Any], Any]:
    if isinstance(field, serializers.ListSerializer):
        child = _field_converter(field.child)
        return lambda values: [child(value) for value in values]
    if isinstance(field, serializers.Serializer):
        parts = [(name, sub.source, _field_converter(sub)) for name, sub in field.fields.items()]
        return lambda value: {
            name: None if value[source] is None else part(value[source]) for name, source, part in parts
        }
    if isinstance(field, serializers.DecimalField):
        return lambda value: format(Decimal(value).quantize(CENT, ROUND_HALF_UP), "f")
    if isinstance(field, serializers.DateField):
        return lambda value: value if isinstance(value, str) else value.isoformat()
    if isinstance(field, serializers.IntegerField):
        return int
    if isinstance(field, serializers.CharField | serializers.ChoiceField):
        return str
    return field.to_representation
