"""Database settings: PostgreSQL connections run without JIT compilation unless DATABASE_JIT asks for it."""

import pytest
from django.db import connection

from dropship_central.settings.base import database_config


def test_postgresql_connections_turn_jit_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_JIT", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db.example:5432/shop")

    config = database_config()

    assert config["NAME"] == "shop"
    assert config["OPTIONS"]["options"] == "-c jit=off"


def test_options_in_the_url_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_JIT", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db.example:5432/shop?options=-c%20statement_timeout%3D5000")

    assert database_config()["OPTIONS"]["options"] == "-c statement_timeout=5000 -c jit=off"


def test_database_jit_keeps_the_server_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_JIT", "true")
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db.example:5432/shop")

    assert "options" not in database_config().get("OPTIONS", {})


def test_sqlite_gets_no_postgresql_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_JIT", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/dc.sqlite3")

    assert database_config().get("OPTIONS", {}) == {}


@pytest.mark.django_db
def test_the_test_database_runs_without_jit() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
