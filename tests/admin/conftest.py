from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.test import Client
from django.utils import timezone

from analytics.models import BusinessDataVersion, BusinessDay, ListingPeriod
from catalog.models import ChargedPrice, HistoryDay, HistorySeries, PriceHistory
from catalog.rollups import history_record
from tests import factories as f
from tests.alerts_notifications import factories as alert_factories
from tests.listings_pricing.factories import PriceDecisionFactory
from tests.listings_reconcile.factories import ImportedOrderFactory
from tests.listings_sync.factories import ListingPushFactory


def _history_product() -> Any:
    """A product with one price reading, recorded (with its rollups) the way ingest records it."""
    product = f.ProductFactory()
    history_record(
        rows=[PriceHistory(product=product, price=Decimal("9.99"), currency="USD", recorded_at=timezone.now())]
    )
    return product


def _sale_listing_day() -> dict[str, Any]:
    """A marketplace row (the trigger rolls it up): its listing and day."""
    row = f.MarketplaceDataFactory()
    return {"listing": row.listing, "start": row.date}


def _sale_day() -> dict[str, Any]:
    listing_day = _sale_listing_day()
    return {"user": listing_day["listing"].user, "date": listing_day["start"]}


PROJECT_APPS = ("accounts", "core", "suppliers", "catalog", "marketplaces", "listings", "alerts", "analytics")

# One factory per registered project model: the object a change page is opened on.
FACTORIES = {
    "accounts.user": f.UserFactory,
    "accounts.apikey": f.ApiKeyFactory,
    "core.job": f.JobFactory,
    "core.auditlog": f.AuditLogFactory,
    "suppliers.supplier": f.SupplierFactory,
    "suppliers.proxy": f.ProxyFactory,
    "catalog.category": f.CategoryFactory,
    "catalog.seller": f.SellerFactory,
    "catalog.product": f.ProductFactory,
    "catalog.productvariant": f.ProductVariantFactory,
    "catalog.pricehistory": f.PriceHistoryFactory,
    "catalog.stockhistory": f.StockHistoryFactory,
    "catalog.trackedproduct": f.TrackedProductFactory,
    "catalog.suspectreading": f.SuspectReadingFactory,
    "listings.listingpush": ListingPushFactory,
    "marketplaces.importedorder": ImportedOrderFactory,
    "marketplaces.storeaccount": f.StoreAccountFactory,
    "listings.pricingrule": f.PricingRuleFactory,
    "listings.listing": f.ListingFactory,
    "listings.marketplacedata": f.MarketplaceDataFactory,
    "listings.pricedecision": PriceDecisionFactory,
    "alerts.policyrule": f.PolicyRuleFactory,
    "alerts.alert": f.AlertFactory,
    "alerts.notification": f.NotificationFactory,
    "alerts.notificationattempt": alert_factories.NotificationAttemptFactory,
    "alerts.notificationsettings": alert_factories.NotificationSettingsFactory,
    "alerts.policystate": alert_factories.PolicyStateFactory,
    "analytics.analyticscache": f.AnalyticsCacheFactory,
    "catalog.historyday": lambda: HistoryDay.objects.get(product=_history_product()),
    "catalog.historyseries": lambda: HistorySeries.objects.get(product=_history_product()),
    "catalog.chargedprice": lambda: ChargedPrice.objects.get(product=_history_product()),
    "analytics.businessday": lambda: BusinessDay.objects.get(**_sale_day()),
    "analytics.listingperiod": lambda: ListingPeriod.objects.get(span="day", **_sale_listing_day()),
    "analytics.businessdataversion": lambda: BusinessDataVersion.objects.get(
        user=f.MarketplaceDataFactory().listing.user
    ),
}


@pytest.fixture
def superuser(db):
    return f.UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def form_data(response: Any) -> dict[str, Any]:
    """The POST body that submits the admin change form exactly as the page rendered it."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict[str, Any] = {}
    for form in forms:
        for bound in form:
            widget = bound.field.widget
            if isinstance(widget, RelatedFieldWidgetWrapper):
                widget = widget.widget
            context = widget.get_context(bound.html_name, bound.value(), {})["widget"]
            for name, value in _widget_values(context):
                data.setdefault(name, []).append(value)
    data["_save"] = "Save"
    return data


def _widget_values(context: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    if context.get("subwidgets"):
        for sub in context["subwidgets"]:
            yield from _widget_values(sub)
        return
    if context.get("type") == "checkbox":
        if context["attrs"].get("checked"):
            yield context["name"], "on"
        return
    value = context.get("value")
    if isinstance(value, list):
        for item in value:
            yield context["name"], item
    elif value is not None:
        yield context["name"], value
