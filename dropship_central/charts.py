"""Charts in the admin: the data a page embeds for `static/dropship_central/charts.js` to draw with Chart.js.

A page renders `<canvas data-chart="ID">` and `{{ spec|json_script:"ID" }}` and includes `chart_media()`; the script
reads the JSON and draws it with the vendored Chart.js (`static/vendor/chartjs/`, see its README). Figures travel as
JSON only, never as script code, so no value from the database can break out of the page.

A spec is `{"kind": "line" | "bar", "labels": [...], "series": [...], "horizontal": bool, "y_title": str,
"y2_title": str, "title": str}`; each series is `{"label": str, "data": [number | decimal string | null],
"axis": "y" | "y2", "kind": "line" | "bar" | null, "stepped": bool, "fill_to_previous": bool}`. A null is a gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django import forms

CHARTJS_VERSION = "4.4.9"
CHART_SCRIPTS = ("vendor/chartjs/chart.umd.js", "dropship_central/charts.js")
CHART_STYLES = ("dropship_central/charts.css",)

Kind = Literal["line", "bar"]
Value = Decimal | int | float | None


@dataclass(frozen=True)
class Series:
    label: str
    data: Sequence[Value]
    axis: Literal["y", "y2"] = "y"
    kind: Kind | None = None
    stepped: bool = False
    fill_to_previous: bool = False


def chart_spec(
    *,
    kind: Kind,
    labels: Sequence[date | str],
    series: Sequence[Series],
    horizontal: bool = False,
    y_title: str = "",
    y2_title: str = "",
    title: str = "",
) -> dict[str, Any]:
    """A chart as JSON-ready data (dates as ISO strings; decimals stay exact, `json_script` writes them as strings)."""
    return {
        "kind": kind,
        "labels": [label.isoformat() if isinstance(label, date) else label for label in labels],
        "series": [{**asdict(one), "data": list(one.data)} for one in series],
        "horizontal": horizontal,
        "y_title": y_title,
        "y2_title": y2_title,
        "title": title,
    }


def chart_media() -> forms.Media:
    """The scripts and stylesheet a page with charts includes (in `extrahead`, or a ModelAdmin's media)."""
    return forms.Media(js=CHART_SCRIPTS, css={"all": CHART_STYLES})
