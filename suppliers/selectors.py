"""Supplier reads. Suppliers are shared, not tenant data: every user sees the active ones."""

from django.db.models import QuerySet

from suppliers.models import Supplier


def suppliers_active() -> QuerySet[Supplier]:
    return Supplier.objects.filter(is_active=True)


def supplier_active_by_slug(*, slug: str) -> Supplier | None:
    return suppliers_active().filter(slug=slug).first()
