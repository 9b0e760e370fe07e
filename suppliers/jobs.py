"""Background jobs of the suppliers app (RQ): plain functions that call one service, safe to run twice."""

from __future__ import annotations

from suppliers import services


def proxies_recheck(*, limit: int = services.RECHECK_BATCH) -> dict[str, int]:
    """Re-check quarantined proxies whose quarantine ran out: working ones return to the pool, dead ones stay out."""
    return services.proxies_recheck(limit=limit)
