"""Vega-Lite specifications, built on the server with their data inline.

Every chart on a page has a data table beside it (templates/_chart.html) with the same rows,
so the chart is an enhancement and never the only way to read a figure.
"""

from __future__ import annotations

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
# Colour-blind-safe palette (Okabe-Ito), all with ≥3:1 contrast on white for graphics.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


def _base(description: str, height: int = 260) -> dict:
    return {
        "$schema": SCHEMA,
        "description": description,
        "width": "container",
        "height": height,
        "autosize": {"type": "fit", "contains": "padding"},
        "config": {
            "font": "system-ui, sans-serif",
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#1a1a1a"},
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "orient": "bottom",
                "symbolOpacity": 1,
            },
        },
    }


def line_chart(
    rows: list[dict], *, y_title: str, description: str, series_title: str, domain: list[str]
) -> dict:
    """Lines over years, one per series, with a Wilson band where intervals exist."""
    spec = _base(description)
    color = {
        "field": "series",
        "type": "nominal",
        "title": series_title,
        "scale": {"domain": domain, "range": PALETTE[: len(domain)]},
    }
    x = {"field": "year", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}}
    spec["data"] = {"values": rows}
    band = {
        "mark": {"type": "area", "opacity": 0.2},
        "transform": [{"filter": "isValid(datum.ci_low)"}],
        "encoding": {
            "x": x,
            "y": {"field": "ci_low", "type": "quantitative", "stack": None},
            "y2": {"field": "ci_high"},
            "color": color,
        },
    }
    has_ci = any(r.get("ci_low") is not None for r in rows)
    spec["layer"] = [
        *([band] if has_ci else []),
        {
            "mark": {"type": "line", "point": True, "strokeWidth": 2},
            "transform": [{"filter": "isValid(datum.value)"}],
            "encoding": {
                "x": x,
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": y_title,
                    "scale": {"zero": False},
                },
                "color": color,
                "tooltip": [
                    {"field": "series", "title": series_title},
                    {"field": "year"},
                    {"field": "label", "title": y_title},
                ],
            },
        },
    ]
    return spec


def bar_chart(
    rows: list[dict], *, x_title: str, description: str, highlight: str | None = None
) -> dict:
    """Horizontal bars sorted by value, with Wilson error bars; one bar may be highlighted."""
    height = max(120, 16 * len(rows))
    spec = _base(description, height)
    y = {
        "field": "name",
        "type": "nominal",
        "sort": {"field": "value", "op": "max", "order": "descending"},
        "title": None,
    }
    spec["data"] = {"values": rows}
    has_ci = any(r.get("ci_low") is not None for r in rows)
    spec["layer"] = [
        {
            "mark": {"type": "bar"},
            "transform": [{"filter": "isValid(datum.value)"}],
            "encoding": {
                "y": y,
                "x": {"field": "value", "type": "quantitative", "title": x_title},
                "color": {
                    "condition": {
                        "test": f"datum.code === {_js(highlight)}",
                        "value": PALETTE[1],
                    },
                    "value": PALETTE[0],
                },
                "tooltip": [{"field": "name"}, {"field": "label", "title": x_title}],
            },
        },
    ]
    if not has_ci:
        return spec
    spec["layer"].append(
        {
            "mark": {"type": "rule", "color": "#1a1a1a"},
            "transform": [{"filter": "isValid(datum.ci_low)"}],
            "encoding": {
                "y": y,
                "x": {"field": "ci_low", "type": "quantitative"},
                "x2": {"field": "ci_high"},
            },
        }
    )
    return spec


def _js(value: str | None) -> str:
    if value is None:
        return "null"
    return "'" + value.replace("\\", "").replace("'", "") + "'"
