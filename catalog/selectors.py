"""Catalog reads. A customer sees a shared product only through their own TrackedProduct."""

from django.db.models import F, FilteredRelation, Prefetch, Q, QuerySet

from accounts.models import User
from catalog.models import PriceHistory, Product, ProductVariant, StockHistory


def products_for_user(*, user: User) -> QuerySet[Product]:
    """The products `user` tracks, each annotated with the tracking link's `tracked_since`, `label`, `notes`."""
    return (
        Product.objects.annotate(tracking=FilteredRelation("trackers", condition=Q(trackers__user=user)))
        .filter(tracking__isnull=False)
        .annotate(
            tracked_since=F("tracking__created_at"),
            label=F("tracking__label"),
            notes=F("tracking__notes"),
        )
        .select_related("supplier")
    )


def product_for_user(*, user: User, product_id: int) -> Product | None:
    """One tracked product with what its detail shows (seller, category, variants); None when not tracked."""
    return (
        products_for_user(user=user)
        .select_related("seller", "category")
        .prefetch_related(Prefetch("variants", queryset=ProductVariant.objects.order_by("sku")))
        .filter(pk=product_id)
        .first()
    )


def price_history_for_product(*, product: Product) -> QuerySet[PriceHistory]:
    """Every price reading of `product` (product-level and per variant); callers narrow by time and variant."""
    return PriceHistory.objects.filter(product=product).annotate(variant_sku=F("variant__sku"))


def stock_history_for_product(*, product: Product) -> QuerySet[StockHistory]:
    """Every stock reading of `product` (product-level and per variant); callers narrow by time and variant."""
    return StockHistory.objects.filter(product=product).annotate(variant_sku=F("variant__sku"))
