"""Plugin discovery: an entry-point group read once into a registry keyed by each plugin's `meta.slug`.

An app that owns a kind of plugin (scrapers, marketplace clients) builds one `PluginRegistry` in its
`registry.py`, naming its base class, its metadata class and the settings that configure it:

- `<group_setting>`: the entry-point group to read (declared in `pyproject.toml` by every distribution
  that ships plugins, so adding a plugin never touches core code);
- `<paths_setting>`: when set to a list of dotted class paths, those classes are loaded instead of the
  entry points (tests use it to swap the registry, as saleor's `PLUGINS` list);
- `PLUGINS_EXCLUDE`: slugs never loaded (an excluded entry point is not even imported).

Loading never raises: a plugin that fails to import or carries bad metadata is left out and recorded as a
`PluginProblem`, which the system check in `dropship_central.checks` reports with a stable id.
Changing any of those settings (e.g. `override_settings`) resets the registry; `reset()` does it by hand.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from importlib import import_module, metadata
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

P = TypeVar("P")

SLUG_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
VERSION_RE = re.compile(r"^\d+\.\d+(?:\.\d+)?(?:[-+.]?[0-9A-Za-z.]+)?$")
HOST_RE = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
# Metadata fields that bound load on a remote service: each must be a positive integer when present.
LIMIT_FIELDS = ("requests_per_minute", "concurrency", "bulk_limit")

# Stable ids of the problems (reported as `dropship_central.<id>` by the system check).
IMPORT_FAILED = "E001"
NOT_A_PLUGIN = "E002"
META_MISSING = "E003"
BAD_SLUG = "E004"
BAD_NAME = "E005"
BAD_VERSION = "E006"
BAD_LIMIT = "E007"
DUPLICATE_SLUG = "E008"
NAME_MISMATCH = "E009"
ABSTRACT_METHODS = "E010"
BAD_HOST = "E011"


class UnknownPluginError(LookupError):
    """No plugin with that slug is installed (or it is excluded, or it failed its checks)."""


@dataclass(frozen=True)
class PluginProblem:
    id: str
    origin: str
    message: str
    hint: str = ""


@dataclass(frozen=True)
class _Candidate:
    """One thing to load: an entry point (`name` is its name) or a dotted path from settings (`name` is None)."""

    origin: str
    target: str
    name: str | None = None


@dataclass
class _Loaded(Generic[P]):
    plugins: dict[str, type[P]] = field(default_factory=dict)
    problems: list[PluginProblem] = field(default_factory=list)


_registries: weakref.WeakSet[PluginRegistry[Any]] = weakref.WeakSet()


class PluginRegistry(Generic[P]):
    """The plugins of one kind, loaded once on first use (the start-up system check is the first use)."""

    def __init__(self, *, kind: str, base: type[P], meta_type: type, group_setting: str, paths_setting: str) -> None:
        self.kind = kind
        self.base = base
        self.meta_type = meta_type
        self.group_setting = group_setting
        self.paths_setting = paths_setting
        self._loaded: _Loaded[P] | None = None
        self._lock = threading.RLock()  # a plugin module may look up the registry while it is imported
        _registries.add(self)

    @property
    def settings_names(self) -> frozenset[str]:
        return frozenset({self.group_setting, self.paths_setting, "PLUGINS_EXCLUDE"})

    def plugins(self) -> dict[str, type[P]]:
        """Every usable plugin class by slug."""
        return dict(self._load().plugins)

    def problems(self) -> list[PluginProblem]:
        return list(self._load().problems)

    def get(self, slug: str) -> type[P]:
        plugins = self._load().plugins
        try:
            return plugins[slug]
        except KeyError:
            known = ", ".join(sorted(plugins)) or "none"
            raise UnknownPluginError(f"no {self.kind} plugin {slug!r} is installed (known: {known})") from None

    def reset(self) -> None:
        """Forget what was loaded; the next use reads the entry points (or the paths setting) again."""
        with self._lock:
            self._loaded = None

    def _load(self) -> _Loaded[P]:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._discover()
            return self._loaded

    def _discover(self) -> _Loaded[P]:
        loaded: _Loaded[P] = _Loaded()
        excluded = set(getattr(settings, "PLUGINS_EXCLUDE", ()))
        origins: dict[str, str] = {}
        for candidate in self._candidates():
            if candidate.name in excluded:
                continue
            cls = self._import(candidate, loaded.problems)
            if cls is None:
                continue
            slug = cls.meta.slug  # type: ignore[attr-defined]
            if isinstance(slug, str) and slug in excluded:
                continue
            problems = self._validate(cls, candidate)
            if not problems and slug in origins:
                problems.append(
                    PluginProblem(
                        DUPLICATE_SLUG,
                        candidate.origin,
                        f"{self.kind} slug {slug!r} is already taken by {origins[slug]}",
                        "Give each plugin its own slug, or exclude one through PLUGINS_EXCLUDE.",
                    )
                )
            loaded.problems.extend(problems)
            if not problems:
                origins[slug] = candidate.origin
                loaded.plugins[slug] = cls
        return loaded

    def _candidates(self) -> Iterator[_Candidate]:
        paths = getattr(settings, self.paths_setting, None)
        if paths is not None:
            for path in paths:
                yield _Candidate(origin=f"{self.paths_setting}: {path}", target=path)
            return
        group = getattr(settings, self.group_setting)
        for entry_point in sorted(metadata.entry_points(group=group), key=lambda ep: ep.name):
            yield _Candidate(
                origin=f"entry point {entry_point.name!r} in group {group!r}",
                target=entry_point.value,
                name=entry_point.name,
            )

    def _import(self, candidate: _Candidate, problems: list[PluginProblem]) -> type[P] | None:
        try:
            obj = _import_target(candidate.target)
        except Exception as exc:  # a broken plugin must not stop the site from starting
            problems.append(
                PluginProblem(
                    IMPORT_FAILED,
                    candidate.origin,
                    f"{self.kind} plugin {candidate.target!r} failed to import: {type(exc).__name__}: {exc}",
                    "Fix the plugin, or exclude it through PLUGINS_EXCLUDE.",
                )
            )
            return None
        if not (isinstance(obj, type) and issubclass(obj, self.base)):
            problems.append(
                PluginProblem(
                    NOT_A_PLUGIN,
                    candidate.origin,
                    f"{candidate.target!r} is not a subclass of {self.base.__module__}.{self.base.__qualname__}",
                )
            )
            return None
        if not isinstance(getattr(obj, "meta", None), self.meta_type):
            problems.append(
                PluginProblem(
                    META_MISSING,
                    candidate.origin,
                    f"{candidate.target!r} has no `meta` of type {self.meta_type.__qualname__}",
                    "Declare `meta = ...` on the class with slug, name and version.",
                )
            )
            return None
        return obj

    def _validate(self, cls: type[P], candidate: _Candidate) -> list[PluginProblem]:
        """What is wrong with a loaded plugin class: its metadata, its name, its unimplemented methods."""
        meta = cls.meta  # type: ignore[attr-defined]
        problems = [PluginProblem(code, candidate.origin, message) for code, message in meta_problems(meta)]
        if candidate.name is not None and candidate.name != meta.slug:
            problems.append(
                PluginProblem(
                    NAME_MISMATCH,
                    candidate.origin,
                    f"entry point name {candidate.name!r} differs from the plugin's slug {meta.slug!r}",
                    "Name the entry point after `meta.slug`, so PLUGINS_EXCLUDE and look-ups agree.",
                )
            )
        abstract = sorted(getattr(cls, "__abstractmethods__", ()))
        if abstract:
            problems.append(
                PluginProblem(
                    ABSTRACT_METHODS, candidate.origin, f"{cls.__qualname__} leaves {', '.join(abstract)} unimplemented"
                )
            )
        return problems


def meta_problems(meta: Any) -> list[tuple[str, str]]:
    """(problem id, message) for each malformed field of a plugin's declarative metadata."""
    problems: list[tuple[str, str]] = []
    slug = getattr(meta, "slug", None)
    if not (isinstance(slug, str) and SLUG_RE.match(slug)):
        problems.append((BAD_SLUG, f"slug {slug!r} must be lower-case letters and digits joined by - or _"))
    name = getattr(meta, "name", None)
    if not (isinstance(name, str) and name.strip()):
        problems.append((BAD_NAME, f"name {name!r} must be a non-empty string"))
    version = getattr(meta, "version", None)
    if not (isinstance(version, str) and VERSION_RE.match(version)):
        problems.append((BAD_VERSION, f"version {version!r} must look like 1.2 or 1.2.3"))
    declared = {f.name for f in fields(meta)} if is_dataclass(meta) else set(vars(meta))
    for limit in LIMIT_FIELDS:
        value = getattr(meta, limit, None)
        if limit in declared and not (isinstance(value, int) and not isinstance(value, bool) and value > 0):
            problems.append((BAD_LIMIT, f"{limit} {value!r} must be a positive integer"))
    hosts = getattr(meta, "hosts", ())
    bad_hosts = [h for h in hosts if not (isinstance(h, str) and HOST_RE.match(h))] if isinstance(hosts, tuple) else []
    if not isinstance(hosts, tuple) or bad_hosts:
        problems.append((BAD_HOST, f"hosts must be a tuple of bare lower-case host names; bad: {bad_hosts or hosts!r}"))
    return problems


def _import_target(target: str) -> Any:
    """`pkg.module:Class` (entry-point syntax) or `pkg.module.Class` (dotted path)."""
    module_name, sep, attr = target.partition(":")
    if not sep:
        module_name, _, attr = target.rpartition(".")
    obj: Any = import_module(module_name.strip())
    for part in attr.strip().split("."):
        obj = getattr(obj, part)
    return obj


@receiver(setting_changed)
def _reset_on_setting_change(*, setting: str, **kwargs: Any) -> None:
    for registry in list(_registries):
        if setting in registry.settings_names:
            registry.reset()
