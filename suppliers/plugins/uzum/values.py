"""Reading the Uzum / KazanExpress JSON envelope and coercing its loosely typed values.

Every REST answer is `{"payload": …, "error": …}`; an error may also sit inside the payload (`payload.error`).
GraphQL answers are `{"data": …, "errors": […]}`. Numbers arrive as ints, floats or strings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from suppliers.plugins.base import ParseError, ProductNotFoundError


def decode(text: str, url: str) -> dict[str, Any]:
    """The JSON object of a response body; `ParseError` when the body is not a JSON object."""
    try:
        body = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise ParseError(f"{url} did not answer JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ParseError(f"{url} answered JSON that is not an object")
    return body


def payload(text: str, url: str) -> Any:
    """The `payload` of a REST answer; `ProductNotFoundError` when the answer carries an error instead."""
    body = decode(text, url)
    error = body.get("error") or body.get("errors")
    inner = body.get("payload")
    if isinstance(inner, Mapping):
        error = error or inner.get("error") or inner.get("errors")
    if error:
        raise ProductNotFoundError(f"{url} answered an error: {error_message(error)}")
    if "payload" not in body:
        raise ParseError(f"{url} answered JSON without a payload")
    return inner


def graphql_data(text: str, url: str) -> dict[str, Any]:
    """The `data` of a GraphQL answer; `ProductNotFoundError` when it carries errors and no data."""
    body = decode(text, url)
    data = body.get("data")
    if not isinstance(data, Mapping):
        errors = body.get("errors")
        if errors:
            raise ProductNotFoundError(f"{url} answered an error: {error_message(errors)}")
        raise ParseError(f"{url} answered GraphQL without data")
    return dict(data)


def error_message(error: Any) -> str:
    if isinstance(error, Mapping):
        return text(error.get("message")) or text(error.get("code")) or json.dumps(error, ensure_ascii=False)[:200]
    if isinstance(error, list) and error:
        return error_message(error[0])
    return str(error)[:200]


def as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def as_dicts(value: Any) -> list[dict[str, Any]]:
    return [dict(item) for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def text(value: Any) -> str:
    """A stripped string, or "" for anything that is not a string or a number."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, str | int | float | Decimal):
        return str(value).strip()
    return ""


def id_text(value: Any) -> str:
    """An id as text (`207847`); "" when it is not a whole number."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    candidate = text(value)
    return candidate if candidate.lstrip("-").isdigit() else ""


def money(value: Any) -> Decimal | None:
    """An amount rounded to cents, or None when absent or not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0:
        return None
    return amount.quantize(Decimal("0.01"))


def count(value: Any) -> int | None:
    """A non-negative whole number, or None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError):
        return None
    return number if number >= 0 else None


def rating(value: Any) -> Decimal | None:
    """A 1–5 star rating with two decimals; None when absent or out of range (the API answers 0 for unrated)."""
    stars = money(value)
    return stars if stars is not None and 0 < stars <= 5 else None
