"""Catalog background jobs (RQ, through `dropship_central.jobs`): take ids, call one service."""

from typing import Any

from catalog.imports import product_import_run


def product_import(*, supplier: str, external_id: str, user_id: int) -> dict[str, Any]:
    """Import one supplier product for a user (and a batch of other waiting imports with it)."""
    return product_import_run(supplier=supplier, external_id=external_id, user_id=user_id)
