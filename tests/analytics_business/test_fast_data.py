"""The business endpoints build their bodies with `fast_data`: it must give exactly what the serializers give."""

from datetime import date

import pytest

from analytics.api import business_serializers as s
from analytics.business import BusinessScope, business_dashboard, business_report, business_series, top_products
from analytics.earnings import business_earnings
from tests.analytics_business.test_earnings import priced  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def scope_of(user) -> BusinessScope:
    return BusinessScope(user=user, date_from=date(2026, 3, 1), date_to=date(2026, 3, 10), currency="USD")


@pytest.mark.parametrize("group_by", ["store", "listing", "product"])
def test_reports_match_their_serializer(shop, group_by):
    body = business_report(scope=scope_of(shop.user), interval="week", group_by=group_by, order_by="-profit")

    assert s.fast_data(s.BusinessReportSerializer, body) == s.BusinessReportSerializer(body).data


def test_the_dashboard_trends_and_top_products_match_their_serializers(shop):
    scope = scope_of(shop.user)
    trends = {**scope.params(), "interval": "day", "series": business_series(scope=scope, interval="day")}
    top = {
        **scope.params(),
        "order": "bottom",
        "limit": 2,
        "products": top_products(scope=scope, order="bottom", limit=2),
    }

    dashboard = business_dashboard(scope=scope)
    assert s.fast_data(s.BusinessDashboardSerializer, dashboard) == s.BusinessDashboardSerializer(dashboard).data
    assert s.fast_data(s.BusinessTrendsSerializer, trends) == s.BusinessTrendsSerializer(trends).data
    assert s.fast_data(s.BusinessTopProductsSerializer, top) == s.BusinessTopProductsSerializer(top).data


def test_the_rules_body_matches_its_serializer(user, priced):  # noqa: F811
    body = business_earnings(scope=scope_of(user))

    assert s.fast_data(s.EarningsSerializer, body) == s.EarningsSerializer(body).data
    assert all(body[table] for table in ("rules", "guardrails", "policies"))
