"""Account verbs: sign-up, API keys, tier quotas."""

from django.conf import settings
from rest_framework import status

from accounts.models import User
from dropship_central.api.exceptions import ServiceError


def quota_limit(*, user: User, resource: str) -> int:
    """How many `resource` objects ("tracked_products", "listings", "store_accounts") the tier allows."""
    return settings.TIER_QUOTAS[user.tier][resource]


def quota_check(*, user: User, resource: str, current: int, adding: int = 1) -> None:
    """Refuse with a `quota_exceeded` error when `current + adding` would pass the tier's limit."""
    limit = quota_limit(user=user, resource=resource)
    if current + adding > limit:
        raise ServiceError(
            f"Your {user.tier} plan allows {limit} {resource.replace('_', ' ')}.",
            code="quota_exceeded",
            status_code=status.HTTP_403_FORBIDDEN,
            details={"resource": resource, "limit": limit, "current": current},
        )
