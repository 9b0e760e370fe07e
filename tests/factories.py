"""factory-boy factories shared by every test package."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert, Notification, PolicyRule
from catalog.models import (
    Availability,
    PriceHistory,
    Product,
    ProductVariant,
    StockHistory,
    SuspectReading,
    TrackedProduct,
)
from dropship_central.models import Job
from listings.models import Listing, MarketplaceData, PricingRule
from marketplaces.models import StoreAccount
from suppliers.models import Proxy, Supplier


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    tier = User.Tier.PRO
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ("slug",)

    slug = "amazon"
    name = factory.LazyAttribute(lambda o: o.slug.title())


class ProxyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proxy

    host = factory.Sequence(lambda n: f"10.0.{n // 250}.{n % 250 + 1}")
    port = 8080


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    supplier = factory.SubFactory(SupplierFactory)
    external_id = factory.Sequence(lambda n: f"B0{n:08d}")
    title = factory.Sequence(lambda n: f"Product {n}")
    brand = "Acme"
    currency = "USD"
    price = Decimal("19.99")
    availability = Availability.IN_STOCK
    stock_quantity = 25
    last_scraped_at = factory.LazyFunction(timezone.now)


class ProductVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU{n}")
    currency = "USD"
    price = Decimal("19.99")
    availability = Availability.IN_STOCK
    stock_quantity = 10


class PriceHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceHistory

    product = factory.SubFactory(ProductFactory)
    price = Decimal("19.99")
    currency = "USD"
    recorded_at = factory.LazyFunction(timezone.now)


class StockHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockHistory

    product = factory.SubFactory(ProductFactory)
    stock_quantity = 25
    availability = Availability.IN_STOCK
    recorded_at = factory.LazyFunction(timezone.now)


class SuspectReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuspectReading

    product = factory.SubFactory(ProductFactory)
    reasons = factory.LazyFunction(lambda: ["price_drop"])
    reading = factory.LazyAttribute(lambda o: {"external_id": o.product.external_id, "price": "1.00"})
    proxy = "10.0.0.1:8080"


class TrackedProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackedProduct

    user = factory.SubFactory(UserFactory)
    product = factory.SubFactory(ProductFactory)


class StoreAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoreAccount

    user = factory.SubFactory(UserFactory)
    marketplace = StoreAccount.Marketplace.EBAY
    name = factory.Sequence(lambda n: f"Store {n}")
    status = StoreAccount.Status.CONNECTED
    credentials = factory.LazyFunction(lambda: {"client_id": "app-id", "client_secret": "app-secret"})
    access_token = "v^1.1#access-token"
    refresh_token = "v^1.1#refresh-token"


class PricingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PricingRule

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Rule {n}")
    markup_percent = Decimal("30")
    fee_percent = Decimal("13.25")
    fixed_fee = Decimal("0.30")


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    user = factory.SubFactory(UserFactory)
    store_account = factory.SubFactory(StoreAccountFactory, user=factory.SelfAttribute("..user"))
    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"DS-{n:06d}")
    title = factory.LazyAttribute(lambda o: o.product.title)
    price = Decimal("29.99")
    quantity = 5


class MarketplaceDataFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketplaceData

    listing = factory.SubFactory(ListingFactory)
    date = factory.LazyFunction(date.today)
    orders = 2
    units_sold = 2
    revenue = Decimal("59.98")
    cost = Decimal("39.98")
    fees = Decimal("8.25")
    profit = Decimal("11.75")


class PolicyRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyRule

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Policy {n}")
    kind = PolicyRule.Kind.LOW_STOCK
    threshold = Decimal("5")


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    user = factory.SubFactory(UserFactory)
    type = "low_stock"
    message = factory.Sequence(lambda n: f"Stock is low on product {n}")


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    alert = factory.SubFactory(AlertFactory, user=factory.SelfAttribute("..user"))
    channel = Notification.Channel.EMAIL
    destination = factory.LazyAttribute(lambda o: o.user.email)


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    user = factory.SubFactory(UserFactory)
    type = "catalog.jobs.product_import"
    queue = "scrape"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Category"

    supplier = factory.SubFactory(SupplierFactory)
    external_id = factory.Sequence(lambda n: f"cat{n}")
    name = factory.Sequence(lambda n: f"Category {n}")
    path = factory.LazyAttribute(lambda o: o.name)


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Seller"

    supplier = factory.SubFactory(SupplierFactory)
    external_id = factory.Sequence(lambda n: f"seller{n}")
    name = factory.Sequence(lambda n: f"Seller {n}")


class ApiKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.ApiKey"

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Key {n}")
    prefix = factory.Sequence(lambda n: f"pfx{n:06d}")
    hashed_key = factory.Sequence(lambda n: f"{n:064x}")


class AuditLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "core.AuditLog"

    action = "update"
    object_repr = factory.Sequence(lambda n: f"object {n}")


class AnalyticsCacheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "analytics.AnalyticsCache"

    key = factory.Sequence(lambda n: f"revenue:user:{n}")
    scope = "user:1"
    kind = "revenue"
    data = factory.LazyFunction(lambda: {"total": "10.00"})
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
