"""`?format=csv` for analytics endpoints: the view hands the renderer a `CsvTable`; errors stay JSON."""

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView


@dataclass
class CsvTable:
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: dict[str, Any] | None = None
    ) -> bytes:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=data.columns, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({name: _cell(row.get(name)) for name in data.columns} for row in data.rows)
        return buffer.getvalue().encode(self.charset)


def _cell(value: Any) -> Any:
    return "" if value is None else value


class CsvExportMixin(APIView):
    """Adds the CSV renderer (chosen by `?format=csv` or `Accept: text/csv`) and keeps error bodies in JSON."""

    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]

    def wants_csv(self) -> bool:
        return isinstance(getattr(self.request, "accepted_renderer", None), CSVRenderer)

    def csv_response(self, table: CsvTable, *, filename: str) -> Response:
        return Response(table, headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'})

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if self.wants_csv():
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return response
