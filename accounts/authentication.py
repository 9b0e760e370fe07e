"""`Authorization: Api-Key <key>` authentication for integrations."""

from typing import Any

from rest_framework import authentication, exceptions
from rest_framework.request import Request


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(f"{self.keyword} "):
            return None
        raw_key = header[len(self.keyword) + 1 :].strip()
        if not raw_key:
            raise exceptions.AuthenticationFailed("Empty API key.")
        from accounts.services import api_key_authenticate

        api_key = api_key_authenticate(raw_key=raw_key)
        if api_key is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        return api_key.user, api_key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
