from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


class PlainTextParser(BaseParser):
    """A text body, decoded as UTF-8: a list of terms, one a line."""

    media_type = "text/plain"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> str:
        try:
            return stream.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError("The body must be UTF-8 text.") from exc


class CsvTextParser(PlainTextParser):
    """A CSV body: the first column holds the terms."""

    media_type = "text/csv"
