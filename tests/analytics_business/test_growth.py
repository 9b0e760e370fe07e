from decimal import Decimal

import pytest

from analytics.business import growth_percent
from tests.analytics_business.conftest import RANGE

pytestmark = pytest.mark.django_db


def test_growth_against_the_previous_ten_days(auth_client, shop):
    growth = auth_client.get("/api/v1/analytics/dashboard", RANGE).json()["growth"]

    assert growth == {
        "revenue": "227.27",
        "cost": "208.82",
        "fees": "174.97",
        "refunds": None,
        "profit": "82.96",
        "orders": "100.00",
        "units_sold": "200.00",
        "margin_points": "-11.10",
    }


def test_growth_is_none_without_a_previous_figure():
    assert growth_percent(Decimal("10"), Decimal("0")) is None


def test_growth_from_a_loss_is_measured_against_its_size():
    assert growth_percent(Decimal("5"), Decimal("-10")) == Decimal("150.00")
    assert growth_percent(Decimal("-15"), Decimal("-10")) == Decimal("-50.00")
