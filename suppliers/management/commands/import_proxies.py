from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from suppliers.models import Supplier
from suppliers.services import proxy_import_lines


class Command(BaseCommand):
    help = "Load proxies from a file, one scheme://user:pass@host:port a line. Bad lines are reported, good kept."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--supplier", help="Slug of the only supplier these proxies serve (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        supplier = None
        if options["supplier"]:
            supplier = Supplier.objects.filter(slug=options["supplier"]).first()
            if supplier is None:
                raise CommandError(f"Unknown supplier {options['supplier']!r}")
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        result = proxy_import_lines(lines=lines, supplier=supplier)
        for number, message in result.errors:
            self.stderr.write(f"{path}:{number}: {message}")
        self.stdout.write(
            f"{result.created} proxies added, {result.skipped} already known, {len(result.errors)} bad lines"
        )
        if result.errors and not result.created and not result.skipped:
            raise CommandError("No valid proxy lines.")
