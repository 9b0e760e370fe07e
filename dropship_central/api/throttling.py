from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle


class TierRateThrottle(UserRateThrottle):
    """Per-user request rate from the user's tier (`free`, `pro`, `enterprise` in THROTTLE_RATES)."""

    def allow_request(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return True
        self.scope = getattr(user, "tier", "free")
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self) -> str | None:
        if not getattr(self, "scope", None):
            return None
        return super().get_rate()
