"""About and method, and the API documentation page (/docs)."""

from __future__ import annotations

import pandas as pd

from barometer.publish.web.data import StoreData
from barometer.publish.web.i18n import t
from barometer.publish.web.pages.common import View, file_name, indicator_title, source_name


def about(store: StoreData, lang: str) -> View:
    defs = []
    sources: set[str] = set()
    for ind in store.indicator_ids():
        spec = store.definitions[ind]
        named = [
            source_name(store, s["source"], lang) for s in store.indicator_sources.get(ind, [])
        ]
        sources.update(spec.get("sources") or [])
        defs.append(
            {
                "id": ind,
                "title": indicator_title(store, ind, lang),
                "description": (spec.get("description") or {}).get(lang, ""),
                "sources": spec.get("sources") or [],
                "source_names": named,
                "unit": spec.get("unit"),
            }
        )
    run = {**store.meta, "tables": sorted(store.tables)}
    data = {
        "run": run,
        "definitions": defs,
        "sources": sorted(sources),
        "disclosure_threshold": store.settings.disclosure_threshold,
        "warning_margin": store.settings.warning_margin,
        "parameters": store.run.parameters,
        "notes": store.run.notes,
    }
    table = (
        pd.DataFrame(defs)
        .drop(columns=["source_names"])
        .assign(sources=lambda f: f["sources"].map(", ".join))
        if defs
        else pd.DataFrame()
    )
    return View(
        "about",
        "about.html",
        t("about_title", lang),
        data,
        table,
        download_name=file_name(t("definition", lang)),
    )


def docs(store: StoreData, lang: str) -> View:
    """How to use the open API: copy-ready examples, the endpoints, and the interactive
    reference (Swagger UI, served from the site's own files)."""
    example = next(
        (i for i in ("employment_rate_25_64", "population") if i in store.by_indicator),
        (store.indicator_ids() or ["population"])[0],
    )
    year = store.indicator_years.get(example, store.years or [2024])[-1]
    data = {
        "example": {"indicator": example, "area": "101", "year": year},
        "openapi": "/openapi.json",
        "endpoints": [
            "/api/v1/indicators",
            "/api/v1/areas",
            "/api/v1/observations",
            "/api/v1/goals",
            "/api/v1/housing",
        ],
    }
    return View(
        "docs",
        "docs.html",
        t("docs_title", lang),
        data,
        pd.DataFrame({"endpoint": data["endpoints"]}),
        download_name=file_name("api"),
    )
