"""Build, count and delete the demo behind `manage.py seed_demo`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert, Notification, PolicyRule
from analytics.demo.alerts import build_alerts
from analytics.demo.catalog import build_catalog
from analytics.demo.data import CATALOG
from analytics.demo.sales import build_sales
from analytics.demo.state import DAYS, Demo
from analytics.services import business_rollups_rebuild
from catalog.models import (
    PriceHistory,
    Product,
    ProductVariant,
    StockHistory,
    TrackedProduct,
)
from listings.models import Listing, MarketplaceData, PricingRule
from marketplaces.models import StoreAccount

DEMO_EMAIL = "demo@dropship.local"
DEMO_PASSWORD = "demo-dropship-2026"
ADMIN_EMAIL = "admin@dropship.local"
ADMIN_PASSWORD = "admin-dropship-2026"


@dataclass(frozen=True)
class DemoSeedResult:
    created: bool
    counts: dict[str, int]


def demo_seed(*, reset: bool = False, seed: int = 2026, now: datetime | None = None) -> DemoSeedResult:
    """Build the demo unless it exists; with `reset`, delete it and build it again."""
    with transaction.atomic():
        _ensure_admin(reset=reset)
        created = reset or not User.objects.filter(email=DEMO_EMAIL).exists()
        if created:
            demo_delete()
            _build(rng=random.Random(seed), now=now or timezone.now())  # noqa: S311  (demo data, not secrets)
    return DemoSeedResult(created=created, counts=demo_counts())


def demo_delete() -> None:
    """Remove the demo user (and with it everything it owns) and the demo catalog."""
    User.objects.filter(email=DEMO_EMAIL).delete()
    Product.objects.filter(_catalog_q()).delete()


def demo_counts() -> dict[str, int]:
    owned = {"user__email": DEMO_EMAIL}
    products = Product.objects.filter(_catalog_q())
    return {
        "products": products.count(),
        "variants": ProductVariant.objects.filter(product__in=products).count(),
        "price_history": PriceHistory.objects.filter(product__in=products).count(),
        "stock_history": StockHistory.objects.filter(product__in=products).count(),
        "tracked_products": TrackedProduct.objects.filter(**owned).count(),
        "store_accounts": StoreAccount.objects.filter(**owned).count(),
        "pricing_rules": PricingRule.objects.filter(**owned).count(),
        "listings": Listing.objects.filter(**owned).count(),
        "marketplace_days": MarketplaceData.objects.filter(listing__user__email=DEMO_EMAIL).count(),
        "policy_rules": PolicyRule.objects.filter(**owned).count(),
        "alerts": Alert.objects.filter(**owned).count(),
        "notifications": Notification.objects.filter(**owned).count(),
    }


def _catalog_q() -> Q:
    return reduce(or_, (Q(supplier__slug=p.supplier, external_id=p.external_id) for p in CATALOG))


def _ensure_admin(*, reset: bool) -> None:
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    if admin is None:
        admin = User.objects.create_superuser(ADMIN_EMAIL, ADMIN_PASSWORD, tier=User.Tier.ENTERPRISE)
    elif reset:
        admin.set_password(ADMIN_PASSWORD)
        admin.is_staff = admin.is_superuser = admin.is_active = True
        admin.save()
    EmailAddress.objects.get_or_create(user=admin, email=ADMIN_EMAIL, defaults={"verified": True, "primary": True})


def _build(*, rng: random.Random, now: datetime) -> None:
    user = User.objects.create_user(DEMO_EMAIL, DEMO_PASSWORD, tier=User.Tier.PRO, company="Northwind Gadgets")
    User.objects.filter(pk=user.pk).update(date_joined=now - timedelta(days=DAYS + 5))
    EmailAddress.objects.create(user=user, email=DEMO_EMAIL, verified=True, primary=True)
    demo = Demo(rng=rng, now=now, user=user)
    build_catalog(demo)
    build_sales(demo)
    build_alerts(demo)
    # The sales are bulk-inserted: without the PostgreSQL trigger (SQLite) only this fills the rollups.
    business_rollups_rebuild(user=user)
