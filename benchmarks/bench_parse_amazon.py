"""Parse time per real Amazon page (product and search), median and p95 in milliseconds.

    python -m benchmarks.bench_parse_amazon [--repeat 20] [--shared ../shared] [--baseline]

Reads the pages under `../shared/fixtures/amazon/{dp,search}` (never copied into the project), parses each one
`--repeat` times after a warm-up, and prints one line per page kind and one for all pages together. The parser
touches no database. `run(scale=...)` gives the same figures to the `python -m benchmarks` runner.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
DESCRIPTION = "Amazon parse time per real page (product and search pages), median and p95"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()


def _pages(shared: Path, kind: str) -> list[tuple[str, str, str]]:
    folder = shared / "fixtures" / "amazon" / kind
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    pages = []
    for name, facts in truth.items():
        site = facts.get("site") or facts["shows"].split()[0]
        url = f"https://www.{site}/dp/{facts['asin']}" if kind == "dp" else f"https://www.{site}/s?k=query"
        pages.append((name, (folder / name).read_text(encoding="utf-8"), url))
    return pages


def _time_pages(pages: list[tuple[str, str, str]], parse: Callable[[str, str], Any], repeat: int) -> list[float]:
    """Per page, the median of `repeat` timed runs (ms), after one untimed warm-up run.

    Parsing is CPU-bound, so this counts the process's CPU time: other work on a shared machine does not inflate it.
    """
    per_page = []
    for _name, html, url in pages:
        parse(html, url)
        runs = []
        for _ in range(repeat):
            started = time.process_time()
            parse(html, url)
            runs.append((time.process_time() - started) * 1000)
        per_page.append(statistics.median(runs))
    return per_page


def _parsel_full_parse(html: str, url: str) -> Any:
    """The reference point: build the whole page tree and read a few fields from it."""
    from parsel import Selector

    selector = Selector(text=html)
    return (
        selector.css("#productTitle::text").get(),
        selector.css("#corePrice_feature_div .a-offscreen::text").get(),
        selector.css("#availability span::text").get(),
    )


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _line(label: str, values: list[float]) -> str:
    return f"{label:<14} pages={len(values):>3}  median={statistics.median(values):6.2f} ms  p95={_p95(values):6.2f} ms"


def _measure(shared: Path, repeat: int) -> dict[str, list[float]]:
    from suppliers.plugins.amazon.parser import parse_product
    from suppliers.plugins.amazon.search import parse_search

    return {
        "product": _time_pages(_pages(shared, "dp"), parse_product, repeat),
        "search": _time_pages(_pages(shared, "search"), parse_search, repeat),
    }


def run(*, scale: float = 1.0) -> list[Any]:
    """Figures for the benchmarks runner: median and p95 ms per page, for product, search and all pages."""
    from benchmarks.report import Figure

    timings = _measure(DEFAULT_SHARED, max(3, round(20 * scale)))
    timings["all"] = timings["product"] + timings["search"]
    return [
        Figure("parse_amazon", f"{kind} {label}", round(value(times), 2), "ms/page", f"{len(times)} real pages")
        for kind, times in timings.items()
        for label, value in (("median", statistics.median), ("p95", _p95))
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--baseline", action="store_true", help="also time a plain full-page parsel parse")
    args = parser.parse_args(argv)
    if not (args.shared / "fixtures" / "amazon").is_dir():
        print(f"{args.shared}/fixtures/amazon is absent", file=sys.stderr)
        return 2
    _setup_django()
    timings = _measure(args.shared, args.repeat)
    product, search = timings["product"], timings["search"]
    print(_line("amazon product", product))
    print(_line("amazon search", search))
    print(_line("amazon all", product + search))
    if args.baseline:
        print(_line("parsel full dp", _time_pages(_pages(args.shared, "dp"), _parsel_full_parse, args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
