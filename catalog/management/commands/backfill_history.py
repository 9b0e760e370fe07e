from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from catalog.backfill import COLUMNS, BackfillError, history_backfill


class Command(BaseCommand):
    help = (
        "Load price and stock history from a CSV file with PostgreSQL COPY, then rebuild the daily rollups of the "
        f"products it touches (unless --no-rollups). Columns: {','.join(COLUMNS)}."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8, with a header)")
        parser.add_argument(
            "--no-rollups",
            dest="rollups",
            action="store_false",
            help="load only, leaving the rollups as they are",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        try:
            with path.open(encoding="utf-8", newline="") as lines:
                result = history_backfill(lines=lines, rollups=options["rollups"])
        except BackfillError as exc:
            raise CommandError(f"nothing was loaded:\n{exc}") from None
        rate = result.rows / result.load_seconds if result.load_seconds else 0
        self.stdout.write(
            f"loaded {result.price_rows} price and {result.stock_rows} stock readings of {len(result.products)} "
            f"products in {result.load_seconds:.1f}s ({rate:,.0f} rows/s)"
        )
        if options["rollups"]:
            self.stdout.write(f"rebuilt their daily rollups in {result.rollup_seconds:.1f}s")
