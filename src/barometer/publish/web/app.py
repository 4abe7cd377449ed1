"""The ASGI app: server-rendered pages, their JSON twins and downloads, and the open API.

Every page answers at ``/path`` (HTML), ``/path.json`` (its JSON twin) and ``/path.csv``,
``.xlsx``, ``.jsonstat`` (the data behind it). The API lives under ``/api/v1`` and is documented
at ``/openapi.json``. Danish is the default language; ``?lang=en`` switches to English.
Responses are cached in memory: the store is read-only, so a page never changes while served.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Mount

from barometer.codes import ORIGIN_GROUPS, SEXES
from barometer.publish import export, goal_notes
from barometer.publish.web import views
from barometer.publish.web.assets import Assets
from barometer.publish.web.compress import Compress
from barometer.publish.web.data import StoreData, load
from barometer.publish.web.i18n import (
    LANGS,
    LIGHT_LABELS,
    LOCALE_SYMBOLS,
    MOVEMENT_LABELS,
    ORIGIN_LABELS,
    SEX_LABELS,
    TARGET_LABELS,
    fmt_date,
    fmt_value,
    label,
    number,
    t,
)
from barometer.publish.web.middleware import CacheEntries, ResponseCache, SecurityHeaders
from barometer.publish.web.pages.common import link_for
from barometer.settings import ServeSettings
from barometer.store.schema import OBSERVATION_COLUMNS

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
PAGE_FORMATS = ("json", "csv", "xlsx", "jsonstat")
DOWNLOADS = ("csv", "xlsx", "jsonstat")
CACHE_SIZE = ServeSettings().cache_entries
CACHE_BYTES = ServeSettings().cache_bytes
API_MAX_LIMIT = 10_000  # rows per page of /api/v1/observations (about 2 MB of JSON)
API_DEFAULT_LIMIT = 1_000
STREAM_ROWS = 20_000  # a CSV download of more rows than this is streamed in parts
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
            "required": ["status", "message"],
        }
    },
    "required": ["error"],
}
API_ERRORS = {
    404: {
        "description": "Unknown indicator, area, goal set or year (no data for it)",
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    },
    422: {
        "description": "Malformed parameter (year format, origin group, sex, limit, …)",
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    },
}


# --- JSON ------------------------------------------------------------------------------------


def jsontext(o: object) -> Markup:
    """JSON as the text of an HTML element (a <template>): only &, < and > escaped."""
    text = dumps(o).decode("utf-8")
    return Markup(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _default(o: object) -> object:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return None if math.isnan(o) else float(o)
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, datetime | date | pd.Timestamp):
        return o.isoformat()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if o is pd.NA or o is pd.NaT:
        return None
    return str(o)


def _nan_to_none(o: object) -> object:
    if isinstance(o, float) and math.isnan(o):
        return None
    if isinstance(o, dict):
        return {k: _nan_to_none(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_nan_to_none(v) for v in o]
    return o


def dumps(payload: object) -> bytes:
    return json.dumps(
        _nan_to_none(payload), default=_default, ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def json_response(payload: object, status: int = 200) -> Response:
    return Response(dumps(payload), status_code=status, media_type="application/json")


# --- language and links ----------------------------------------------------------------------


def get_lang(request: Request) -> str:
    lang = request.query_params.get("lang", "da")
    return lang if lang in LANGS else "da"


def switch_url(request: Request, lang: str) -> str:
    other = "en" if lang == "da" else "da"
    q = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    if other != "da":
        q.append(("lang", other))
    return request.url.path + ("?" + urlencode(q) if q else "")


def with_suffix(request: Request, fmt: str) -> str:
    path = request.url.path
    base = "/index" if path == "/" else path
    query = request.url.query
    return f"{base}.{fmt}" + (f"?{query}" if query else "")


# --- errors ----------------------------------------------------------------------------------


class Problem(Exception):  # noqa: N818 — an HTTP problem with a status
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path == "/openapi.json":
        return True
    return any(path.endswith("." + f) for f in PAGE_FORMATS)


# --- the app ---------------------------------------------------------------------------------


def create_app(
    store_path: str | Path,
    *,
    cache_size: int = CACHE_SIZE,
    cache_bytes: int = CACHE_BYTES,
    prewarm: bool = False,
) -> FastAPI:
    """The whole site for one store, loaded into memory now.

    ``prewarm`` renders the main pages (every municipality, indicator and section, both
    languages) into the response cache in a background thread, so that the first visitors do
    not wait for first renders.
    """
    store = load(Path(store_path))
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        t=t,
        label=label,
        fmt_value=fmt_value,
        fmt_date=fmt_date,
        number=number,
        ORIGIN_LABELS=ORIGIN_LABELS,
        SEX_LABELS=SEX_LABELS,
        MOVEMENT_LABELS=MOVEMENT_LABELS,
        LIGHT_LABELS=LIGHT_LABELS,
        TARGET_LABELS=TARGET_LABELS,
        SEXES=SEXES,
        tojson=lambda o: dumps(o).decode("utf-8").replace("</", "<\\/"),
    )
    assets = Assets(HERE / "static")
    env.globals["static_url"] = assets.url
    env.filters["jsontext"] = jsontext
    app = FastAPI(
        title="Integrationsbarometer API",
        version="1",
        description=(
            "Open data from the integration barometer: indicators per municipality, year, "
            "origin group and sex, goal status and housing lists. Every HTML page also has a "
            "JSON twin at the same address plus `.json`. Values of suppressed cells are null "
            "with status `suppressed_primary` or `suppressed_secondary`."
            + (" " + store.meta["notice"] if store.synthetic else "")
        ),
        docs_url=None,  # Swagger UI would load its scripts from a CDN; see /openapi.json
        redoc_url=None,
    )
    app.state.store = store
    app.state.response_cache = CacheEntries(cache_size, cache_bytes) if cache_size else None
    app.router.redirect_slashes = False  # ResponseCache redirects /x/ to /x, relatively
    app.mount("/static", assets, name="static")
    # Query parameters each page reads besides lang (the API's come from their signatures);
    # ResponseCache drops every other parameter before routing.
    declared: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def render_page(request: Request, view: views.View, lang: str, status: int = 200) -> Response:
        template = env.get_template(view.template)
        html = template.render(
            view=view,
            d=view.data,
            ctx=view.ctx,
            charts=view.charts,
            lang=lang,
            link=link_for(lang),
            switch_url=switch_url(request, lang),
            twin_url=with_suffix(request, "json"),
            download_urls={f: with_suffix(request, f) for f in DOWNLOADS},
            store=store,
            meta=store.meta,
            number_symbols=LOCALE_SYMBOLS[lang],
            page=view.page,
            request=request,
        )
        return HTMLResponse(html, status_code=status)

    def respond(request: Request, view: views.View, fmt: str | None, lang: str) -> Response:
        if fmt is None or fmt == "html":
            return render_page(request, view, lang)
        if fmt == "json":
            payload = {
                "page": view.page,
                "title": view.title,
                "lang": lang,
                "run": store.meta,
                "html": str(request.url.path).rsplit(".", 1)[0] or "/",
                **view.data,
            }
            return json_response(payload)
        if fmt in DOWNLOADS:
            name = view.download_name or f"barometer-{view.page}"
            ext = "json" if fmt == "jsonstat" else fmt
            headers = {"Content-Disposition": f'attachment; filename="{name}.{ext}"'}
            table = view.table.reset_index(drop=True)
            if fmt == "csv" and len(table) > STREAM_ROWS:  # never the whole file in memory
                return StreamingResponse(
                    export.iter_csv(table, STREAM_ROWS),
                    media_type=export.MEDIA_TYPES[fmt],
                    headers=headers,
                )
            body = export.render(
                table,
                fmt,
                store.meta,
                label=view.title,
                labels=views.dimension_labels(store, view.table, lang),
            )
            return Response(body, media_type=export.MEDIA_TYPES[fmt], headers=headers)
        raise Problem(404, f"unknown format {fmt!r}; use one of {', '.join(PAGE_FORMATS)}")

    def cached(request: Request, build) -> Response:
        """Build a response, turning unknown values into 404 and malformed ones into 422."""
        try:
            return build()
        except views.NotFound as exc:
            raise Problem(404, str(exc)) from None
        except views.Invalid as exc:
            raise Problem(422, str(exc)) from None

    def split_fmt(raw: str) -> tuple[str, str | None]:
        if "." in raw:
            base, fmt = raw.rsplit(".", 1)
            if fmt not in PAGE_FORMATS:
                raise Problem(404, f"unknown format {fmt!r}; use one of {', '.join(PAGE_FORMATS)}")
            return base, fmt
        return raw, None

    # --- error handlers ---

    def error_response(request: Request, status: int, message: str) -> Response:
        if _wants_json(request):
            return json_response({"error": {"status": status, "message": message}}, status)
        lang = get_lang(request)
        view = views.View(
            "error", "error.html", t("error", lang), {"message": message}, pd.DataFrame()
        )
        view.ctx = {"status": status}
        return render_page(request, view, lang, status)

    # Handlers are plain functions: Starlette runs them in its thread pool, so rendering a page
    # never blocks the event loop that serves cache hits and other clients.

    @app.exception_handler(Problem)
    def _problem(request: Request, exc: Problem) -> Response:
        return error_response(request, exc.status, exc.message)

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404:
            message = f"no page at {request.url.path}"
        response = error_response(request, exc.status_code, message)
        response.headers.update(exc.headers or {})  # e.g. Allow on 405
        if exc.status_code == 405 and "GET" in response.headers.get("allow", ""):
            response.headers["allow"] = "GET, HEAD"  # ResponseCache answers HEAD as GET
        return response

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors():
            loc = ".".join(str(p) for p in e.get("loc", []) if p not in ("query", "path"))
            parts.append(f"{loc}: {e.get('msg')}")
        return error_response(request, 422, "; ".join(parts) or "invalid request")

    # --- pages ---

    def page(path: str, handler, params: tuple[str, ...] = (), multi: tuple[str, ...] = ()) -> None:
        """Register ``path`` and ``path.{fmt}`` for a handler(request, fmt) that reads the
        query parameters ``params`` (and lang); those in ``multi`` may repeat."""

        def plain(request: Request) -> Response:
            return cached(request, lambda: handler(request, None))

        def suffixed(request: Request, fmt: str) -> Response:
            if fmt not in PAGE_FORMATS:
                raise Problem(404, f"unknown format {fmt!r}; use one of {', '.join(PAGE_FORMATS)}")
            return cached(request, lambda: handler(request, fmt))

        twin = "/index" if path == "/" else path
        declared[path] = declared[twin + ".{fmt}"] = (("lang", *params), multi)
        app.add_api_route(twin + ".{fmt}", suffixed, methods=["GET"], include_in_schema=False)
        app.add_api_route(path, plain, methods=["GET"], include_in_schema=False)

    def q(request: Request, name: str) -> str | None:
        return request.query_params.get(name)

    geo_url = assets.url("geo/municipalities.geojson")
    page(
        "/",
        lambda r, f: respond(r, views.front(store, get_lang(r), geo_url=geo_url), f, get_lang(r)),
    )
    page(
        "/indicators",
        lambda r, f: respond(r, views.indicators_index(store, get_lang(r)), f, get_lang(r)),
    )
    page(
        "/compare",
        lambda r, f: respond(
            r,
            views.compare(
                store,
                [*r.query_params.getlist("areas"), *r.query_params.getlist("area")],
                [*r.query_params.getlist("indicator"), *r.query_params.getlist("indicators")],
                q(r, "origin_group"),
                q(r, "sex"),
                get_lang(r),
                reference=q(r, "reference"),
            ),
            f,
            get_lang(r),
        ),
        params=("areas", "area", "indicator", "indicators", "reference", "origin_group", "sex"),
        multi=("areas", "area", "indicator", "indicators"),
    )
    page(
        "/goals",
        lambda r, f: respond(
            r,
            views.goals(
                store,
                q(r, "area"),
                get_lang(r),
                goal_set=q(r, "goal_set"),
                committee=q(r, "committee"),
                year=q(r, "year"),
            ),
            f,
            get_lang(r),
        ),
        params=("area", "goal_set", "committee", "year"),
    )
    page(
        "/housing",
        lambda r, f: respond(r, views.housing(store, q(r, "year"), get_lang(r)), f, get_lang(r)),
        params=("year",),
    )
    page("/about", lambda r, f: respond(r, views.about(store, get_lang(r)), f, get_lang(r)))
    page("/docs", lambda r, f: respond(r, views.docs(store, get_lang(r)), f, get_lang(r)))

    declared["/municipality/{code}"] = (("lang", "origin_group", "sex"), ())

    @app.get("/municipality/{code}", include_in_schema=False)
    def municipality_page(request: Request, code: str) -> Response:
        def build() -> Response:
            base, fmt = split_fmt(code)
            lang = get_lang(request)
            view = views.municipality(
                store, base, q(request, "origin_group"), q(request, "sex"), lang
            )
            return respond(request, view, fmt, lang)

        return cached(request, build)

    declared["/indicator/{ind}"] = (("lang", "area", "origin_group", "sex", "year"), ())

    @app.get("/indicator/{ind}", include_in_schema=False)
    def indicator_page(request: Request, ind: str) -> Response:
        def build() -> Response:
            base, fmt = split_fmt(ind)
            lang = get_lang(request)
            view = views.indicator(
                store,
                base,
                q(request, "area"),
                q(request, "origin_group"),
                q(request, "sex"),
                q(request, "year"),
                lang,
                geo_url=geo_url,
            )
            return respond(request, view, fmt, lang)

        return cached(request, build)

    def search(request: Request, fmt: str | None) -> Response:
        lang = get_lang(request)
        query = q(request, "q") or ""
        hits = views.search(store, query, lang)
        link = link_for(lang)
        hx = bool(request.headers.get("hx-request"))
        if not hx and fmt is None:
            exact = [h for h in hits if h["name"].lower() == query.strip().lower()]
            exact = exact or [
                h for h in hits if h["code"] in (query.strip(), query.strip().zfill(3))
            ]
            if len(exact) == 1 or len(hits) == 1:
                return RedirectResponse(link(f"/municipality/{(exact or hits)[0]['code']}"), 303)
        view = views.View(
            "search",
            "search.html",
            t("search_results", lang),
            {"query": query, "results": hits},
            pd.DataFrame(hits, columns=["code", "name"]),
        )
        if hx and fmt is None:
            return HTMLResponse(
                env.get_template("_search_results.html").render(
                    d=view.data, lang=lang, link=link, t=t
                )
            )
        return respond(request, view, fmt, lang)

    page("/search", search, params=("q",))

    # --- API ---

    @app.get("/api/v1/indicators", tags=["api"], summary="Indicators with their metadata")
    def api_indicators() -> Response:
        out = []
        for ind in store.indicator_ids():
            years = store.indicator_years.get(ind, [])
            out.append(
                {
                    **store.definitions[ind],
                    "id": ind,
                    "years": years,
                    "origin_groups": store.indicator_groups.get(ind, []),
                    "links": {"html": f"/indicator/{ind}", "json": f"/indicator/{ind}.json"},
                }
            )
        return json_response({"run": store.meta, "indicators": out})

    @app.get("/api/v1/areas", tags=["api"], summary="Denmark, the regions and municipalities")
    def api_areas() -> Response:
        areas = [a for code, a in store.areas.items() if code in store.by_area]
        return json_response({"run": store.meta, "areas": areas})

    @app.get(
        "/api/v1/observations",
        tags=["api"],
        responses=API_ERRORS,
        summary="Observations, filtered",
        description=(
            "Each filter takes one value or a comma-separated list. `year` also takes an "
            "inclusive range such as `2015-2024`. Fields are those of the CSV export. "
            f"Paged: at most {API_MAX_LIMIT:,} observations per request (`limit`, default "
            f"{API_DEFAULT_LIMIT:,}); `total` is the number selected and `next` the address of "
            "the next page (null on the last). "
            "Unknown indicators, areas or years give 404; malformed values give 422."
        ),
    )
    def api_observations(
        request: Request,
        indicator: Annotated[str | None, Query(description="indicator id(s)")] = None,
        area: Annotated[str | None, Query(description="area code(s): 000, 081-085, 101…")] = None,
        year: Annotated[str | None, Query(description="YYYY, YYYY-YYYY or a list")] = None,
        origin_group: Annotated[
            str | None, Query(description=f"one or more of {', '.join(ORIGIN_GROUPS)}")
        ] = None,
        sex: Annotated[str | None, Query(description="all, male, female")] = None,
        source: Annotated[
            str | None,
            Query(
                description="source(s), e.g. registers or statbank:RAS200; 'preferred' for "
                "each indicator's preferred source only"
            ),
        ] = None,
        limit: Annotated[
            int, Query(ge=1, le=API_MAX_LIMIT, description=f"at most {API_MAX_LIMIT:,}")
        ] = API_DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Response:
        def build() -> Response:
            payload = observations_payload(
                store, indicator, area, year, origin_group, sex, limit, offset, source
            )
            if offset + limit < payload["total"]:
                query = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
                payload["next"] = (
                    f"{request.url.path}?{urlencode([*query, ('offset', offset + limit)])}"
                )
            else:
                payload["next"] = None
            return json_response(payload)

        return cached(request, build)

    @app.get("/api/v1/goals", tags=["api"], summary="Goal status per area", responses=API_ERRORS)
    def api_goals(
        request: Request,
        area: Annotated[str | None, Query(description="area code; default all areas")] = None,
        year: Annotated[str | None, Query(description="evaluation year")] = None,
        goal_set: Annotated[str | None, Query(description="e.g. national")] = None,
    ) -> Response:
        def build() -> Response:
            gs, detail = store.goal_status, store.goal_indicator_status
            if area:
                code = views.check_area(store, area)
                gs = gs[gs["area_code"] == code]
                detail = detail[detail["area_code"] == code]
            y = views.parse_year(year)
            if y is None:
                y = store.goal_year
            elif y not in store.goal_years:
                raise views.NotFound(f"no goal status for year {y} (years: {store.goal_years})")
            gs = gs[gs["year"] == y]
            if goal_set:
                if goal_set not in store.goal_sets:
                    raise views.NotFound(f"unknown goal set {goal_set!r}")
                gs = gs[gs["goal_set"] == goal_set]
            keys = ["goal_set", "goal_id", "area_code", "origin_group", "year"]
            detail = detail.merge(gs[keys].drop_duplicates(), on=keys)
            return json_response(
                {
                    "run": store.meta,
                    "available": not store.goal_status.empty,
                    "year": y,
                    "years": store.goal_years,
                    "goals": _frame_records(gs),
                    "indicators": _frame_records(detail),
                    "goal_sets": goal_notes.set_listing(store.goal_sets),
                }
            )

        return cached(request, build)

    @app.get(
        "/api/v1/housing",
        tags=["api"],
        summary="Housing area lists by year",
        responses=API_ERRORS,
    )
    def api_housing(
        request: Request,
        year: Annotated[str | None, Query(description="list year")] = None,
        municipality: Annotated[str | None, Query(description="municipality code")] = None,
    ) -> Response:
        def build() -> Response:
            ha = store.housing_areas
            y = views.parse_year(year)
            code = views.check_area(store, municipality) if municipality else None
            if ha.empty:
                return json_response({"run": store.meta, "available": False, "areas": []})
            years = sorted(int(v) for v in ha["list_year"].unique())
            if y is not None:
                if y not in years:
                    raise views.NotFound(f"no housing list for year {y} (list years: {years})")
                ha = ha[ha["list_year"] == y]
            if code:
                ha = ha[ha["municipality_code"] == code]
            return json_response(
                {"run": store.meta, "available": True, "years": years, "areas": _frame_records(ha)}
            )

        return cached(request, build)

    app.add_middleware(
        ResponseCache, entries=app.state.response_cache, params_for=route_parameters(app, declared)
    )
    app.add_middleware(Compress)  # outside the cache, which keeps plain bodies
    app.add_middleware(SecurityHeaders)  # outermost: cached responses get the headers too
    if prewarm and cache_size:
        threading.Thread(
            target=_prewarm, args=(app, warm_urls(store)), name="prewarm", daemon=True
        ).start()
    return app


def route_parameters(app: FastAPI, declared: dict):
    """For ResponseCache: the query parameters a path's route reads (an API route's from its
    signature, a page's as declared), or None for a path no route answers."""
    table = []
    for route in app.routes:
        if isinstance(route, Mount) or not hasattr(route, "path_regex"):
            continue
        dependant = getattr(route, "dependant", None)
        names = {p.alias or p.name for p in dependant.query_params} if dependant else set()
        known, multi = declared.get(route.path, ((), ()))
        table.append((route.path_regex, frozenset(names | set(known)), frozenset(multi)))

    def params_for(path: str) -> tuple[frozenset[str], frozenset[str]] | None:
        for regex, known, multi in table:
            if regex.match(path):
                return known, multi
        return None

    return params_for


def warm_urls(store: StoreData) -> list[str]:
    """The pages people open first: sections, every municipality and indicator, both languages."""
    paths = ["/", "/indicators", "/goals", "/housing", "/about", "/compare", "/docs"]
    paths += [f"/municipality/{code}" for code in sorted(store.by_area)]
    paths += [f"/indicator/{ind}" for ind in store.indicator_ids()]
    return [*paths, *(f"{p}?lang=en" for p in paths), "/index.json", "/api/v1/indicators"]


def _prewarm(app, urls: list[str]) -> None:
    async def get(url: str) -> None:
        path, _, query = url.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"prewarm")],
            "client": ("127.0.0.1", 0),
            "server": ("prewarm", 80),
        }

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            return None

        await app(scope, receive, send)

    async def run() -> None:
        for url in urls:
            try:
                await get(url)
            except Exception as exc:  # a failed warm-up must never stop the server
                log.warning("pre-warming %s failed: %s", url, exc)
            await asyncio.sleep(0)

    asyncio.run(run())


def _frame_records(frame: pd.DataFrame) -> list[dict]:
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.to_dict("records")


def _split(value: str | None) -> list[str]:
    if value is None:
        return []
    return [p.strip() for p in value.split(",") if p.strip()]


def observations_payload(
    store: StoreData,
    indicator: str | None,
    area: str | None,
    year: str | None,
    origin_group: str | None,
    sex: str | None,
    limit: int,
    offset: int,
    source: str | None = None,
) -> dict:
    inds = [views.check_indicator(store, i) for i in _split(indicator)]
    sources = _split(source)
    known = set(store.obs["source"].cat.categories)
    unknown = [x for x in sources if x != "preferred" and x not in known]
    if unknown:
        raise views.NotFound(f"unknown source {unknown[0]!r} (sources: {', '.join(sorted(known))})")
    areas = [views.check_area(store, a) for a in _split(area)]
    groups = [views.check_origin(store, g) for g in _split(origin_group)]
    sexes = [views.check_sex(s) for s in _split(sex)]
    ranges = [views.parse_year_range(y) for y in _split(year)]
    if ranges and not any(lo <= y <= hi for lo, hi in ranges for y in store.years):
        span = f"{store.years[0]}-{store.years[-1]}" if store.years else "none"
        raise views.NotFound(f"no observations for year {year} (years: {span})")
    if len(inds) == 1:
        frame = store.by_indicator[inds[0]]
    elif len(areas) == 1:
        frame = store.by_area[areas[0]]
    else:
        frame = store.obs
    mask = np.ones(len(frame), dtype=bool)
    if inds:
        mask &= frame["indicator_id"].isin(inds).to_numpy()
    if areas:
        mask &= frame["area_code"].isin(areas).to_numpy()
    if groups:
        mask &= frame["origin_group"].isin(groups).to_numpy()
    if sexes:
        mask &= frame["sex"].isin(sexes).to_numpy()
    if sources:
        named = [x for x in sources if x != "preferred"]
        chosen = frame["source"].isin(named).to_numpy()
        if "preferred" in sources:
            chosen |= frame["preferred"].to_numpy()
        mask &= chosen
    if ranges:
        years = frame["year"].to_numpy()
        ymask = np.zeros(len(frame), dtype=bool)
        for lo, hi in ranges:
            ymask |= (years >= lo) & (years <= hi)
        mask &= ymask
    sel = frame[mask]
    total = len(sel)
    page = sel.iloc[offset : offset + limit][[*OBSERVATION_COLUMNS]]
    return {
        "run": store.meta,
        "total": total,
        "offset": offset,
        "limit": limit,
        "fields": list(OBSERVATION_COLUMNS),
        "observations": _frame_records(page),
    }


def compose(dashboard, mounts: dict[str, object] | None = None):
    """The dashboard with other ASGI apps beside it (prefix → app): a request under a prefix
    is routed to that app alone, before the dashboard and its response cache see it."""
    if not mounts:
        return dashboard
    from starlette.applications import Starlette

    routes = [Mount(prefix, app=sub) for prefix, sub in mounts.items()]
    return Starlette(routes=[*routes, Mount("/", app=dashboard)])


def serve(
    store: str | Path,
    settings: ServeSettings | None = None,
    *,
    mounts: dict[str, object] | None = None,
) -> None:
    """Serve the site for ``store`` with uvicorn until interrupted.

    ``mounts`` puts other ASGI apps beside the dashboard (prefix → app, e.g. the programme
    module at /programme): requests under a prefix go to that app alone, so the dashboard's
    response cache never sees them. With ``settings.prewarm`` the main pages are rendered into
    the cache in the background after start. A port in use is a clear error, not a traceback.
    """
    import socket

    import uvicorn

    from barometer.errors import BarometerError

    settings = settings or ServeSettings()
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host, settings.port))
        except OSError as exc:
            raise BarometerError(
                f"cannot listen on {settings.host}:{settings.port} ({exc.strerror}); "
                "choose another port with --port or PORT=…"
            ) from None
    app = create_app(
        store,
        cache_size=settings.cache_entries,
        cache_bytes=settings.cache_bytes,
        prewarm=settings.prewarm,
    )
    app = compose(app, mounts)
    url = f"http://{settings.host}:{settings.port}/"
    print(f"Integrationsbarometer on {url} (store {store})", flush=True)
    for prefix in mounts or {}:
        print(f"  {prefix.strip('/')} on {url}{prefix.strip('/')}/", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
