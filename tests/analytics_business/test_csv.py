import pytest

from tests.analytics_business.conftest import RANGE

pytestmark = pytest.mark.django_db

HEADER = "period,revenue,cost,fees,refunds,profit,margin_percent,orders,units_sold,views"


def lines(response) -> list[str]:
    return response.content.decode().split("\r\n")


def test_weekly_trends_as_csv(auth_client, shop):
    response = auth_client.get("/api/v1/analytics/trends", {**RANGE, "interval": "week", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="analytics-trends-2026-03-01-2026-03-10.csv"'
    assert lines(response) == [
        HEADER,
        "2026-02-23,0.00,0.00,0.00,0.00,0.00,,0,0,0",
        "2026-03-02,130.00,67.00,13.16,30.00,19.84,15.26,3,4,0",
        "2026-03-09,50.00,38.00,6.50,0.00,5.50,11.00,1,2,0",
        "",
    ]


def test_dashboard_csv_is_the_daily_series(auth_client, shop):
    response = auth_client.get("/api/v1/analytics/dashboard", {**RANGE, "format": "csv"})

    rows = lines(response)
    assert rows[0] == HEADER
    assert rows[2] == "2026-03-02,90.00,45.00,11.70,0.00,33.30,37.00,2,3,0"
    assert len(rows) == 12


def test_top_products_csv(auth_client, shop):
    response = auth_client.get("/api/v1/analytics/top-products", {**RANGE, "format": "csv"})

    assert lines(response)[:3] == [
        "id,name,revenue,cost,fees,refunds,profit,margin_percent,orders,units_sold,views",
        f"{shop.p1.pk},Desk lamp,130.00,67.00,13.16,30.00,19.84,15.26,3,4,0",
        f"{shop.p2.pk},Phone stand,50.00,38.00,6.50,0.00,5.50,11.00,1,2,0",
    ]


def test_revenue_csv_exports_the_breakdown(auth_client, shop):
    response = auth_client.get("/api/v1/analytics/revenue", {**RANGE, "format": "csv", "group_by": "product"})

    assert [row.split(",")[:3] for row in lines(response)[1:3]] == [
        [str(shop.p1.pk), "Desk lamp", "130.00"],
        [str(shop.p2.pk), "Phone stand", "50.00"],
    ]


def test_stock_outs_csv(auth_client, shop):
    response = auth_client.get("/api/v1/analytics/stock-outs", {**RANGE, "format": "csv"})

    assert lines(response)[:2] == [
        "product_id,title,open_days,stock_out_days,in_stock_days,average_daily_revenue,estimated_lost_revenue",
        f"{shop.p1.pk},Desk lamp,10,3,7,18.57,55.71",
    ]


def test_history_csv_has_price_and_stock_rows(auth_client, price_flicker):
    params = {"product": price_flicker.pk, "from": "2026-03-01", "to": "2026-03-10", "format": "csv"}
    response = auth_client.get("/api/v1/analytics/history", params)

    assert response["Content-Disposition"] == (
        f'attachment; filename="analytics-history-{price_flicker.pk}-2026-03-01-2026-03-10.csv"'
    )
    assert lines(response) == [
        "series,at,min,max,avg,readings",
        "price,2026-03-01T00:00:00Z,20.00,22.00,21.00,3",
        "price,2026-03-02T00:00:00Z,19.00,19.00,19.00,1",
        "stock,2026-03-04T00:00:00Z,12.00,12.00,12.00,1",
        "stock,2026-03-06T00:00:00Z,9.00,9.00,9.00,1",
        "",
    ]


def test_an_invalid_csv_request_answers_json_errors(auth_client, shop):
    response = auth_client.get("/api/v1/analytics/trends", {"interval": "year", "format": "csv"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["details"] == {"interval": ['"year" is not a valid choice.']}


def test_csv_of_another_users_history_is_a_json_404(other_client, shop):
    response = other_client.get("/api/v1/analytics/history", {"product": shop.p2.pk, "format": "csv"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
