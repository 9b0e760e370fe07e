from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle


class TierRateThrottle(UserRateThrottle):
    """Per-user request rate from the user's tier (`free`, `pro`, `enterprise` in DEFAULT_THROTTLE_RATES).

    Rates are read from the settings at request time, so changing them (or overriding them in a test) takes effect
    without a restart. Anonymous requests are left to `AnonRateThrottle`.
    """

    scope = "tier"  # a placeholder until the request's user is known; UserRateThrottle's "user" has no rate

    def allow_request(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return True
        self.scope = getattr(user, "tier", "free")
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self) -> str | None:
        if self.scope == TierRateThrottle.scope:
            return None
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError as exc:
            raise ImproperlyConfigured(f"No throttle rate for tier {self.scope!r} in DEFAULT_THROTTLE_RATES.") from exc
