"""`python -m benchmarks [name ...]`: run the named benchmarks (all by default) and print their figures."""

import argparse
import importlib
import os
import pkgutil
import sys
import time
import warnings
from pathlib import Path
from types import ModuleType

PREFIX = "bench_"
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def discover() -> dict[str, str]:
    """Benchmark name -> module name, for every `benchmarks/bench_<name>.py`."""
    package_dir = str(Path(__file__).resolve().parent)
    return {
        info.name.removeprefix(PREFIX): f"benchmarks.{info.name}"
        for info in sorted(pkgutil.iter_modules([package_dir]), key=lambda info: info.name)
        if info.name.startswith(PREFIX)
    }


def parse_args(names: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="name", help=f"one of: {', '.join(names)}, all (default)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every benchmark's sizes (default 1.0)")
    parser.add_argument("--keepdb", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()
    unknown = set(args.names) - {*names, "all"}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(names)}")
    if not args.names or "all" in args.names:
        args.names = names
    return args


def main() -> int:
    available = discover()
    args = parse_args(list(available))
    # Always the benchmark settings: a run must never reach the development database.
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    # Static files are not collected for benchmarks; whitenoise would warn on every request.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from benchmarks.report import format_table, write_json

    if connection.vendor != "postgresql":
        print("benchmarks need PostgreSQL: set BENCH_DATABASE_URL or DATABASE_URL to a postgres:// URL")
        return 2
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    print(f"benchmark database: {connection.settings_dict['NAME']}")
    figures = []
    try:
        for name in args.names:
            figures += _run(name, importlib.import_module(available[name]), scale=args.scale)
    finally:
        _empty_queues()
        if not args.keepdb:
            teardown_databases(old_config, verbosity=0)
    print()
    print(format_table(figures))
    path = RESULTS_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}.json"
    write_json(figures, path)
    print(f"\nsaved to {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0


def _run(name: str, module: ModuleType, *, scale: float) -> list:
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    print(f"running {name}: {module.DESCRIPTION}", flush=True)
    started = time.perf_counter()
    figures = module.run(scale=scale)
    print(f"  done in {time.perf_counter() - started:.1f}s", flush=True)
    return figures


def _empty_queues() -> None:
    import django_rq
    from django.conf import settings

    for queue in settings.RQ_QUEUES:
        try:
            django_rq.get_queue(queue).empty()
        except Exception as exc:  # Redis may be down; the benchmark figures still stand.
            print(f"could not empty queue {queue}: {exc}")


if __name__ == "__main__":
    sys.exit(main())
