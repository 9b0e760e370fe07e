from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.admin_dashboard import TOP, OperatorScope, dashboard_figures
from analytics.business import BusinessScope, business_series, business_totals, top_products
from tests.analytics_admin.conftest import RANGE, day, embedded_json, sale, series_by_label, staff_client
from tests.factories import ListingFactory, ProductFactory, UserFactory

URL = "/admin/analytics/dashboard/"
SERIES = "dashboard-series-chart"
TOP_PRODUCTS = "dashboard-top-products-chart"


def _page(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_lives_at_admin_analytics_dashboard():
    assert reverse("admin-analytics-dashboard") == URL


def test_anonymous_visitors_are_sent_to_the_admin_login(db):
    response = Client().get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?{REDIRECT_FIELD_NAME}={URL}"


def test_customers_who_are_not_staff_are_sent_to_the_admin_login(db):
    client = Client()
    client.force_login(UserFactory())

    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_the_marketplace_data_view_permission_are_refused(db):
    assert staff_client().get(URL).status_code == 403


def test_staff_who_may_view_marketplace_data_see_it(office):
    assert staff_client("view_marketplacedata").get(URL, RANGE).status_code == 200


def test_superusers_see_it(admin_client):
    response = admin_client.get(URL)

    assert response.status_code == 200
    assert response.templates[0].name == "admin/analytics/dashboard.html"


def test_all_customers_daily_revenue_profit_and_orders_are_embedded_exactly(admin_client, office):
    spec = embedded_json(_page(admin_client, **RANGE), SERIES)

    assert spec["kind"] == "line"
    assert spec["labels"] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert series_by_label(spec) == {
        "Revenue": ["90.00", "100.00", "0.00"],
        "Profit": ["33.30", "40.54", "-30.00"],
        "Orders": [2, 2, 0],
    }


def test_all_customers_totals_are_exact(admin_client, office):
    totals = admin_client.get(URL, RANGE).context["totals"]

    assert {name: str(value) for name, value in totals.items()} == {
        "revenue": "190.00",
        "cost": "97.00",
        "fees": "19.16",
        "refunds": "30.00",
        "profit": "43.84",
        "margin_percent": "23.07",
        "orders": "4",
        "units_sold": "6",
        "views": "0",
    }


def test_top_products_by_profit_across_all_customers(admin_client, office):
    spec = embedded_json(_page(admin_client, **RANGE), TOP_PRODUCTS)

    assert spec["horizontal"] is True
    assert spec["labels"] == ["Desk lamp", "Mug"]
    assert series_by_label(spec) == {"Profit": ["27.30", "16.54"], "Revenue": ["150.00", "40.00"]}


def test_top_customers_link_to_the_dashboard_filtered_by_each(admin_client, office):
    response = admin_client.get(URL, RANGE)

    assert [(row["name"], str(row["revenue"])) for row in response.context["customers"]] == [
        ("alice@example.com", "130.00"),
        ("bob@example.com", "60.00"),
    ]
    assert "user=alice%40example.com" in response.content.decode()


def test_the_customer_filter_shows_only_that_customers_figures(admin_client, office):
    html = _page(admin_client, **RANGE, user="alice@example.com")

    assert series_by_label(embedded_json(html, SERIES)) == {
        "Revenue": ["90.00", "40.00", "0.00"],
        "Profit": ["33.30", "16.54", "-30.00"],
        "Orders": [2, 1, 0],
    }
    top = embedded_json(html, TOP_PRODUCTS)
    assert top["labels"] == ["Mug", "Desk lamp"]
    assert series_by_label(top)["Profit"] == ["16.54", "3.30"]


def test_one_customers_figures_are_those_of_their_own_business_api(admin_client, office):
    response = admin_client.get(URL, {**RANGE, "user": "ALICE@example.com"})
    scope = BusinessScope(user=office.alice, date_from=day("03-01"), date_to=day("03-03"), currency="USD")

    assert response.context["totals"] == business_totals(scope=scope)
    assert response.context["series"] == business_series(scope=scope, interval="day")
    assert response.context["top_products"] == top_products(scope=scope, order="top", limit=TOP)


def test_one_customers_stores_link_to_the_store_filter(admin_client, office):
    response = admin_client.get(URL, {**RANGE, "user": "alice@example.com"})

    assert [(row["name"], str(row["profit"])) for row in response.context["stores"]] == [
        ("Alice on eBay", "3.30"),
        ("Alice on Shopify", "16.54"),
    ]
    assert f"store={office.a2.pk}" in response.content.decode()


def test_the_store_filter_narrows_to_one_store(admin_client, office):
    spec = embedded_json(_page(admin_client, **RANGE, store=office.b1.pk), SERIES)

    assert series_by_label(spec)["Revenue"] == ["0.00", "60.00", "0.00"]


def test_figures_are_in_one_currency_at_a_time(admin_client, office):
    spec = embedded_json(_page(admin_client, **RANGE, currency="EUR"), SERIES)

    assert series_by_label(spec)["Revenue"] == ["0.00", "0.00", "500.00"]


def test_a_customers_default_currency_is_the_default(admin_client, office):
    office.bob.default_currency = "EUR"
    office.bob.save()

    spec = embedded_json(_page(admin_client, **RANGE, user="bob@example.com"), SERIES)

    assert series_by_label(spec)["Revenue"] == ["0.00", "0.00", "500.00"]


def test_an_unknown_customer_is_a_form_error_and_no_figures(admin_client, office):
    response = admin_client.get(URL, {**RANGE, "user": "nobody@example.com"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"user": ["No customer has this email."]}
    assert "totals" not in response.context
    assert SERIES not in response.content.decode()


def test_a_range_longer_than_two_years_is_refused(admin_client, db):
    response = admin_client.get(URL, {"date_from": "2024-01-01", "date_to": "2026-03-01"})

    assert response.context["form"].errors == {"__all__": ["The range may span at most 731 days."]}


def test_from_after_to_is_refused(admin_client, db):
    response = admin_client.get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-01"})

    assert "__all__" in response.context["form"].errors


def test_the_default_range_is_the_last_30_days(admin_client, db):
    spec = embedded_json(_page(admin_client), SERIES)

    assert len(spec["labels"]) == 30


def test_only_the_top_ten_products_are_charted(admin_client, office):
    for n in range(TOP + 2):
        listing = ListingFactory(user=office.bob, store_account=office.b1, product=ProductFactory())
        sale(listing, "03-01", revenue=f"{n + 1}.00", profit=f"{n + 1}.00")

    spec = embedded_json(_page(admin_client, **RANGE), TOP_PRODUCTS)

    assert len(spec["labels"]) == TOP
    assert series_by_label(spec)["Profit"][:3] == ["27.30", "16.54", "12.00"]


def test_the_query_count_does_not_grow_with_products_or_days(admin_client, office):
    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(URL, params).status_code == 200
        return len(captured)

    queries(**RANGE)  # warms the research stats cache and per-process caches
    few = queries(**RANGE)
    for _ in range(5):
        listing = ListingFactory(user=office.bob, store_account=office.b1, product=ProductFactory())
        sale(listing, "03-02", revenue="5.00", profit="1.00")

    assert queries(date_from="2026-01-01", date_to="2026-03-03") == few


def test_a_product_title_cannot_break_out_of_the_embedded_json(admin_client, office):
    office.mug.title = '</script><script>alert("mug")</script>'
    office.mug.save()

    html = _page(admin_client, **RANGE)

    assert '<script>alert("mug")' not in html
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert" in html
    assert embedded_json(html, TOP_PRODUCTS)["labels"][1] == '</script><script>alert("mug")</script>'


def test_the_page_loads_the_vendored_chart_library_and_the_project_script(admin_client, db):
    html = _page(admin_client)

    assert '<script src="/static/vendor/chartjs/chart.umd.js">' in html
    assert '<script src="/static/dropship_central/charts.js">' in html
    assert "cdn" not in html.lower()


def test_the_admin_index_links_to_the_dashboard(admin_client):
    assert f'href="{URL}"' in admin_client.get(reverse("admin:index")).content.decode()


def test_the_analytics_app_page_links_to_the_dashboard(admin_client):
    html = admin_client.get(reverse("admin:app_list", args=["analytics"])).content.decode()

    assert f'href="{URL}"' in html


def test_staff_without_the_permission_see_no_link(db):
    assert f'href="{URL}"' not in staff_client().get(reverse("admin:index")).content.decode()


def test_operator_scope_uses_the_business_selectors_only_for_one_customer(office):
    everyone = OperatorScope(date_from=day("03-01"), date_to=day("03-03"), currency="USD")
    alice = OperatorScope(date_from=day("03-01"), date_to=day("03-03"), currency="USD", user=office.alice)

    assert everyone.business() is None
    assert dashboard_figures(scope=alice)["customers"] == []
    assert [row["name"] for row in dashboard_figures(scope=everyone)["customers"]] == [
        "alice@example.com",
        "bob@example.com",
    ]


def test_all_customers_figures_come_from_the_rollups_not_the_raw_rows(admin_client, office):
    with CaptureQueriesContext(connection) as queries:
        _page(admin_client, **RANGE)

    assert not [query["sql"] for query in queries if "listings_marketplacedata" in query["sql"]]
    assert any("analytics_businessday" in query["sql"] for query in queries)
    assert any("analytics_listingperiod" in query["sql"] for query in queries)
