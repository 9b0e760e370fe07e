from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from redis import Redis
from rest_framework.test import APIClient

from tests.factories import UserFactory

SHARED_DIR = Path(settings.BASE_DIR).parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    """`../shared` beside the checkout; tests that need it skip with a reason when it is absent."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"{SHARED_DIR} is absent: shared fixtures and contracts are read from there, never copied")
    return SHARED_DIR


@pytest.fixture
def redis_conn() -> Iterator[Redis]:
    """The test Redis database, emptied before and after the test."""
    conn = Redis.from_url(settings.REDIS_URL)
    conn.flushdb()
    yield conn
    conn.flushdb()


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def auth_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def other_client(other_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(other_user)
    return client


@pytest.fixture
def loopback() -> Iterator[Any]:
    """A real HTTP server on 127.0.0.1 with programmable routes."""
    from tests.loopback import LoopbackServer

    server = LoopbackServer().start()
    yield server
    server.stop()


@pytest.fixture
def loopback_proxy() -> Iterator[Any]:
    """A real forward HTTP proxy on 127.0.0.1 that relays to loopback servers."""
    from tests.loopback import LoopbackProxy

    proxy = LoopbackProxy().start()
    yield proxy
    proxy.stop()
