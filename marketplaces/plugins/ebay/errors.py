"""eBay-specific typed errors, and reading eBay's `errors[]` bodies."""

from __future__ import annotations

from typing import Any, ClassVar

from marketplaces.plugins.base import InvalidDataError

PREREQUISITE_LABELS = {
    "fulfillment_policy": "a fulfillment (shipping) policy",
    "payment_policy": "a payment policy",
    "return_policy": "a return policy",
    "inventory_location": "an enabled inventory location",
}


class EbayRequestError(InvalidDataError):
    """eBay refused the request (4xx). `errors` holds eBay's own error objects, messages kept verbatim."""

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None, response: Any = None) -> None:
        super().__init__(message, response=response)
        self.errors = errors or []

    def error_ids(self) -> set[int]:
        return {int(error["errorId"]) for error in self.errors if str(error.get("errorId", "")).isdigit()}

    def parameter(self, name: str) -> str:
        for error in self.errors:
            for parameter in error.get("parameters") or []:
                if isinstance(parameter, dict) and parameter.get("name") == name:
                    return str(parameter.get("value") or "")
        return ""


class PrerequisitesMissingError(InvalidDataError):
    """The seller's eBay account lacks what a listing needs; `missing` names each absent piece exactly."""

    kind: ClassVar[str] = "prerequisites_missing"

    def __init__(self, *, missing: list[str], marketplace_id: str) -> None:
        wanted = ", ".join(PREREQUISITE_LABELS.get(item, item) for item in missing)
        super().__init__(f"The eBay account needs {wanted} for {marketplace_id} before it can publish.")
        self.missing = missing
        self.marketplace_id = marketplace_id


def errors_message(errors: list[dict[str, Any]], *, status: int) -> str:
    """eBay's own words: `errorId: message` for each error, joined."""
    parts = []
    for error in errors:
        text = error.get("longMessage") or error.get("message") or "unknown error"
        parts.append(f"{error.get('errorId', '?')}: {text}")
    return "; ".join(parts) or f"eBay answered HTTP {status} without details."
