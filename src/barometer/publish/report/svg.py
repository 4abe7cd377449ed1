"""The report's charts as SVG, rendered by vl-convert (Vega-Lite in embedded Deno; no browser).

The specifications are the shared ones of publish/charts.py (print theme). The SVG goes into
the HTML as a data URI in an ``<img>`` with alt text, which keeps the HTML self-contained and
gives the tagged PDF a figure with an alternative description.
"""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import vl_convert as vlc


@cache
def _locale(lang: str) -> dict | str:
    return vlc.get_format_locale("da-DK") if lang == "da" else "en-GB"


def to_svg(spec: dict, lang: str) -> str:
    return vlc.vegalite_to_svg(spec, format_locale=_locale(lang))


class Pending:
    """Charts to render later, all at once in threads (vl-convert releases the GIL)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[dict, str, dict, str]] = []

    def add(self, target: dict, key: str, spec: dict, lang: str) -> None:
        self.jobs.append((target, key, spec, lang))

    def render(self, workers: int = 4) -> None:
        if not self.jobs:
            return
        with ThreadPoolExecutor(max_workers=min(workers, len(self.jobs))) as pool:
            svgs = list(pool.map(lambda job: to_svg(job[2], job[3]), self.jobs))
        for (target, key, _, _), svg in zip(self.jobs, svgs, strict=True):
            target[key] = data_uri(svg)
        self.jobs.clear()


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
