"""Account reads, scoped to the user who asks."""

from django.db.models import QuerySet

from accounts.models import ApiKey, User


def api_keys_for_user(*, user: User, include_revoked: bool = False) -> QuerySet[ApiKey]:
    """The user's API keys, newest first; revoked keys only when asked for."""
    keys = ApiKey.objects.filter(user=user)
    if not include_revoked:
        keys = keys.filter(revoked_at__isnull=True)
    return keys.order_by("-created_at")
