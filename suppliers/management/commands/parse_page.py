"""`manage.py parse_page SUPPLIER FILE [--url URL]`: what the scraper reads from a saved page.

Exit 0: the record as one JSON object on stdout, with the keys in `RECORD_KEYS` (absent values null; decimal
amounts as JSON strings such as "35.99", so no digit is lost; counts as integers).
Exit 3: the page is a block page; its kind (`captcha`, `error_page`, `login_wall`, `not_found`) on one line.
Exit 4: the page could not be parsed (e.g. no price in page); the error kind and message on stderr.
Exit 1 (CommandError): unknown supplier or unreadable file.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dropship_central.plugins import UnknownPluginError
from suppliers.plugins.base import BlockedError, ProductData, ProductNotFoundError, ScraperError
from suppliers.services import page_parse

RECORD_KEYS = (
    "external_id",
    "parent_id",
    "title",
    "brand",
    "price",
    "currency",
    "list_price",
    "availability",
    "stock_quantity",
    "rating",
    "review_count",
    "seller",
    "images",
    "variations",
    "bullets",
    "category_path",
)
EXIT_BLOCKED = 3
EXIT_PARSE_ERROR = 4


class Command(BaseCommand):
    help = "Parse a saved supplier page and print the record as JSON (exit 3: block page, exit 4: parse error)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("supplier", help="Scraper slug (amazon, aliexpress, …).")
        parser.add_argument("file", type=Path, help="The saved page (HTML or JSON).")
        parser.add_argument(
            "--url", default="", help="Where the page came from (storefront, id); default: read from the page itself."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        text = path.read_bytes().decode("utf-8", errors="replace")
        try:
            record = page_parse(supplier_slug=options["supplier"], text=text, url=options["url"])
        except (BlockedError, ProductNotFoundError) as exc:
            self.stdout.write(exc.kind)
            sys.exit(EXIT_BLOCKED)
        except ScraperError as exc:
            self.stderr.write(f"{exc.kind}: {exc}")
            sys.exit(EXIT_PARSE_ERROR)
        except UnknownPluginError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(page_record(record), ensure_ascii=False, default=_json_default))


def page_record(data: ProductData) -> dict[str, Any]:
    values = data.to_dict()
    return {key: values.get(key) for key in RECORD_KEYS}


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
