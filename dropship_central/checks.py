"""System checks registered at start-up.

Plugin metadata: each app that owns a plugin registry calls `register_plugin_checks(registry)` from its
`AppConfig.ready()`; every problem found while loading the registry becomes an error with the stable id
`dropship_central.<id>` listed in `dropship_central.plugins` (E001 import failed … E011 bad host).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks

from dropship_central.plugins import PluginRegistry

CheckFunction = Callable[..., list[checks.CheckMessage]]


def plugin_check_messages(registry: PluginRegistry[Any]) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"{problem.origin}: {problem.message}",
            hint=problem.hint or None,
            obj=f"{registry.kind} plugins",
            id=f"dropship_central.{problem.id}",
        )
        for problem in registry.problems()
    ]


def register_plugin_checks(registry: PluginRegistry[Any]) -> CheckFunction:
    """Register a system check (tag `plugins`) that loads the registry and reports its problems."""

    def check_plugins(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
        return plugin_check_messages(registry)

    check_plugins.__name__ = f"check_{registry.kind.replace(' ', '_')}_plugins"
    checks.register(check_plugins, "plugins")
    return check_plugins
