"""Reads of store accounts, always scoped to their owner."""

from django.db.models import QuerySet

from accounts.models import User
from marketplaces.models import StoreAccount


def store_accounts_for_user(*, user: User) -> QuerySet[StoreAccount]:
    return StoreAccount.objects.filter(user=user)


def store_account_count_for_quota(*, user: User) -> int:
    """Store accounts that count against the tier quota: disconnected ones are kept only for history."""
    return store_accounts_for_user(user=user).exclude(status=StoreAccount.Status.DISCONNECTED).count()
