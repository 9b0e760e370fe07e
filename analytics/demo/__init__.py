"""A believable demo for `manage.py seed_demo`.

Deterministic (seeded random, times relative to now), written with bulk inserts, idempotent: an existing demo
is left alone unless `reset` rebuilds it. Prices and stock follow a random walk that changes every few days,
and history holds a row only where the reading changed, exactly as ingest writes it.
"""

from analytics.demo.seed import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DEMO_EMAIL,
    DEMO_PASSWORD,
    DemoSeedResult,
    demo_counts,
    demo_delete,
    demo_seed,
)
from analytics.demo.state import STOCKOUTS

__all__ = [
    "ADMIN_EMAIL",
    "ADMIN_PASSWORD",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "STOCKOUTS",
    "DemoSeedResult",
    "demo_counts",
    "demo_delete",
    "demo_seed",
]
