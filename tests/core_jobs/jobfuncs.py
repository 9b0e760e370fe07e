"""Tiny job functions the job tests enqueue by dotted path."""

import os
import signal
import time
from decimal import Decimal

from django.conf import settings
from redis import Redis


class PermanentError(Exception):
    permanent = True


def _calls(key: str) -> int:
    return int(Redis.from_url(settings.REDIS_URL).incr(key))


def add(*, a: int, b: int) -> dict:
    return {"sum": a + b, "price": Decimal("1.50")}


def fail(*, message: str) -> None:
    raise RuntimeError(message)


def fail_permanently(*, message: str) -> None:
    raise PermanentError(message)


def fail_times(*, key: str, times: int) -> dict:
    """Fails the first `times` calls (counted in Redis), then succeeds."""
    calls = _calls(key)
    if calls <= times:
        raise RuntimeError(f"call {calls} failed")
    return {"calls": calls}


def hang_first_time(*, key: str) -> dict:
    """The first call hangs (its worker gets killed meanwhile); later calls succeed."""
    if _calls(key) == 1:
        time.sleep(120)
    return {"recovered": True}


def die_first_time(*, key: str) -> dict:
    """The first call kills the process running it (a work horse lost to OOM or a crash)."""
    if _calls(key) == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return {"survived": True}


def returns_object() -> object:
    return object()
