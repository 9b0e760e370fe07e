"""Receivers for Django's auth signals: every session login (web, admin) is audited."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import User
from accounts.services import user_login_record


@receiver(user_logged_in, dispatch_uid="accounts.audit_session_login")
def audit_session_login(sender: type, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    user_login_record(user=user, request=request, method="session")
