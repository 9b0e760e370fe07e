"""Model fields whose values are encrypted at rest with Fernet keys from the environment."""

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must hold at least one Fernet key.")
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    """The MultiFernet for the configured keys: the first key encrypts, every key decrypts."""
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_str(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt_str(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("Cannot decrypt a stored secret: check FIELD_ENCRYPTION_KEYS.") from exc


class EncryptedTextField(models.TextField):
    """A text value stored as a Fernet token. Empty strings are stored as they are."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return decrypt_str(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt_str(value)


class EncryptedJSONField(models.TextField):
    """A JSON object stored as one Fernet token."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if not value:
            return {}
        return json.loads(decrypt_str(value))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value else {}
        return value if value is not None else {}

    def get_prep_value(self, value: Any) -> str:
        return encrypt_str(json.dumps(value or {}, sort_keys=True))

    def value_to_string(self, obj: models.Model) -> str:
        return "********"
