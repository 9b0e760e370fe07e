from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alerts.models import PolicyRule
from alerts.services import policy_rule_import_terms
from dropship_central.api.exceptions import ServiceError


class Command(BaseCommand):
    help = "Import blocked brands or keywords (one a line, or CSV with the terms in the first column) into a rule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("rule_id", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument("--replace", action="store_true", help="Replace the rule's terms instead of merging.")

    def handle(self, *args: Any, rule_id: int, file: Path, replace: bool, **options: Any) -> None:
        rule = PolicyRule.objects.filter(pk=rule_id).first()
        if rule is None:
            raise CommandError(f"No policy rule {rule_id}.")
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            result = policy_rule_import_terms(rule=rule, text=text, actor=None, replace=replace)
        except ServiceError as exc:
            raise CommandError(f"{exc.detail} {exc.details}") from exc
        self.stdout.write(f"Read {result['read']} terms, added {result['added']}, the rule holds {result['total']}.")
