"""Coercions for AliExpress page data, whose values arrive as numbers, numeric strings or absent."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

_THUMBNAIL_SUFFIX = re.compile(r"(\.(?:jpe?g|png|webp|gif))_[^/]+$", re.IGNORECASE)
_COUNT = re.compile(r"\d[\d.,\s]*")
_CENT = Decimal("0.01")
_MAX_RATING = Decimal(5)


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def module(data: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The first of the named page modules present (names changed between page generations)."""
    for name in names:
        value = data.get(name)
        if isinstance(value, dict):
            return value
    return {}


def first(*values: Any) -> Any:
    return next((value for value in values if value not in (None, "")), None)


def id_text(value: Any) -> str:
    return "" if value is None or isinstance(value, bool) else str(value).strip()


def text(value: Any) -> str | None:
    return (str(value).strip() or None) if value is not None else None


def decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def money(value: Any) -> Decimal | None:
    number = decimal(value)
    return number.quantize(_CENT, rounding=ROUND_HALF_UP) if number is not None and number >= 0 else None


def amount(value: Any) -> Decimal | None:
    """The money in an amount object (`{"currency": "EUR", "value": 97.39, "formatedAmount": "€ 97,39"}`)."""
    return money(value.get("value")) if isinstance(value, dict) else None


def count(value: Any) -> int | None:
    """A non-negative integer from 6, "6", "2.000+" or "1,200+ sold"; None when there is no number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value) if value >= 0 else None
    match = _COUNT.search(str(value))
    if match is None:
        return None
    digits = re.sub(r"\D", "", match.group(0))
    return int(digits) if digits else None


def rating(value: Any, review_count: int | None) -> Decimal | None:
    """A 0–5 rating only when someone rated: AliExpress shows 0.0 for unrated items."""
    number = decimal(value)
    if number is None or not 0 <= number <= _MAX_RATING or (not number and not review_count):
        return None
    return number


def availability(stock: int | None) -> str:
    if stock is None:
        return "unknown"
    return "in_stock" if stock > 0 else "out_of_stock"


def https(url: str) -> str:
    return f"https:{url}" if url.startswith("//") else url


def image_urls(urls: Any) -> list[str]:
    """Full-size https URLs, thumbnail suffixes (`.jpg_220x220q75.jpg_.avif`) removed, duplicates dropped."""
    images: list[str] = []
    for url in urls if isinstance(urls, list) else []:
        if not isinstance(url, str) or not url.strip():
            continue
        full = _THUMBNAIL_SUFFIX.sub(r"\1", https(url.strip()))
        if full not in images:
            images.append(full)
    return images
