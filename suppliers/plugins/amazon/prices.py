"""Locale-aware money parsing for Amazon storefronts.

Handles symbols before or after the amount (`$1,049.00`, `52,41 €`, `R$ 303,05`), decimal commas, dot or space
thousands separators, Indian digit grouping (`₹1,00,000.00`) and currencies without minor units (`￥3,980`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

# Longest first, so "R$" wins over "$".
SYMBOLS: tuple[tuple[str, str], ...] = (
    ("R$", "BRL"),
    ("US$", "USD"),
    ("CA$", "CAD"),
    ("CDN$", "CAD"),
    ("C$", "CAD"),
    ("AU$", "AUD"),
    ("A$", "AUD"),
    ("MX$", "MXN"),
    ("S$", "SGD"),
    ("Rs.", "INR"),
    ("₹", "INR"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("￥", "JPY"),
    ("¥", "JPY"),
    ("zł", "PLN"),
    ("₺", "TRY"),
    ("AED", "AED"),
    ("SAR", "SAR"),
    ("EGP", "EGP"),
)
ISO_CODES = frozenset(
    {"USD", "EUR", "GBP", "INR", "BRL", "JPY", "CAD", "AUD", "MXN", "SGD", "PLN", "TRY", "SEK", "AED", "SAR", "EGP"}
)
ZERO_DECIMAL = frozenset({"JPY"})

# Storefront domain suffix -> currency; the currency a bare "$" or "¥" means there.
DOMAIN_CURRENCY: tuple[tuple[str, str], ...] = (
    ("amazon.com.br", "BRL"),
    ("amazon.com.mx", "MXN"),
    ("amazon.com.au", "AUD"),
    ("amazon.com.tr", "TRY"),
    ("amazon.com.be", "EUR"),
    ("amazon.co.uk", "GBP"),
    ("amazon.co.jp", "JPY"),
    ("amazon.com", "USD"),
    ("amazon.ca", "CAD"),
    ("amazon.in", "INR"),
    ("amazon.de", "EUR"),
    ("amazon.fr", "EUR"),
    ("amazon.it", "EUR"),
    ("amazon.es", "EUR"),
    ("amazon.nl", "EUR"),
    ("amazon.ie", "EUR"),
    ("amazon.sg", "SGD"),
    ("amazon.pl", "PLN"),
    ("amazon.se", "SEK"),
    ("amazon.ae", "AED"),
    ("amazon.sa", "SAR"),
    ("amazon.eg", "EGP"),
)

_NUMBER = re.compile(r"\d(?:[\d.,'\s\u00a0\u202f]*\d)?")
_SEPARATORS = re.compile(r"[.,'\s\u00a0\u202f]")


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str | None


def domain_currency(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").lower()
    for suffix, currency in DOMAIN_CURRENCY:
        if host == suffix or host.endswith("." + suffix):
            return currency
    return None


def currency_of(text: str, *, domain_default: str | None = None) -> str | None:
    """The ISO code a price text names; a bare "$" or "¥" takes the storefront's own currency when it is one."""
    for code in ISO_CODES:
        if re.search(rf"(?<![A-Z]){code}(?![A-Z])", text):
            return code
    for symbol, code in SYMBOLS:
        if symbol in text:
            if symbol in {"¥", "￥"} and domain_default == "CNY":
                return "CNY"
            return code
    if "$" in text:
        return domain_default if domain_default in {"USD", "CAD", "MXN", "AUD", "SGD"} else "USD"
    return None


def parse_amount(number: str, *, currency: str | None = None) -> Decimal | None:
    """A number with locale separators -> Decimal.

    Mixed separators: the last one is the decimal mark (`1.234,56`, `1,00,000.00`). One kind repeated: thousands
    (`1.234.567`, `1,00,000`). One separator alone: decimal unless exactly three digits follow it (`49,990`).
    """
    separators = [(match.start(), match.group()) for match in _SEPARATORS.finditer(number)]
    if not separators:
        return _decimal(number)
    position, last = separators[-1]
    kinds = {separator for _, separator in separators}
    if currency in ZERO_DECIMAL or last not in ".,":
        is_decimal = False
    elif len(kinds) > 1:
        is_decimal = True
    elif len(separators) > 1:
        is_decimal = False
    else:
        is_decimal = len(number) - position - 1 != 3
    if is_decimal:
        return _decimal(_SEPARATORS.sub("", number[:position]) + "." + number[position + 1 :])
    return _decimal(_SEPARATORS.sub("", number))


def parse_money(text: str | None, *, domain_default: str | None = None) -> Money | None:
    """The first amount in `text` with its currency, or None when there is no number."""
    if not text:
        return None
    text = text.replace("&nbsp;", " ").replace("&euro;", "€")
    match = _NUMBER.search(text)
    if match is None:
        return None
    currency = currency_of(text, domain_default=domain_default) or domain_default
    amount = parse_amount(match.group(), currency=currency)
    if amount is None:
        return None
    return Money(amount=amount, currency=currency)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
