"""The web layer the case modules share: login and logout, server-side sessions, CSRF tokens,
login throttling, security headers, error pages, the page frame and the login page.

A module builds its app with :class:`CaseWeb` and adds only its own pages and API. Routes are
relative (``/login``, ``/api/v1/…``); links come from the request's root path, so one app works
mounted in the dashboard and standalone (:func:`standalone_app`). Pages without a session
redirect to the login page and the API answers 401; a user whose role belongs to another
module gets 403, so neither module's staff sees the other's people. Every response carries
``Cache-Control: no-store`` and a strict Content-Security-Policy: person data are never cached.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from barometer.casework import access_log, auth
from barometer.casework.db import (
    DatabaseError,
    check_current,
    create_db_engine,
    is_synthetic,
    make_sessionmaker,
)
from barometer.casework.i18n import LANGS
from barometer.casework.models import LoginSession, User

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


class Denied(Exception):  # noqa: N818 (control flow, not an error)
    """Answer with ``status``: a redirect to the login page for 401, else an error page or,
    under ``/api/``, a JSON error."""

    def __init__(self, status: int, message: str = "") -> None:
        self.status, self.message = status, message


@dataclass
class Ctx:
    """One request's database session, user, login session and language."""

    request: Request
    db: Session
    user: User | None
    login: LoginSession | None
    lang: str

    @property
    def actor(self) -> access_log.Actor:
        return access_log.Actor(self.user.id, self.user.username, self.user.role)


@dataclass(frozen=True)
class WebSettings:
    """What every case module's app is given; a module's settings add their own."""

    mount_prefix: str = "/"  # the cookie path, and where standalone serving mounts
    secure_cookies: bool = True
    demo: bool = False  # the demo login (refused unless the database is flagged synthetic)
    auth: auth.AuthSettings = field(default_factory=auth.AuthSettings)
    today: Callable[[], date] = date.today


def standalone_app(inner: FastAPI, mount_prefix: str) -> FastAPI:
    """``inner`` mounted at its prefix, with ``/`` redirecting there."""
    outer = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @outer.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(mount_prefix + "/", status_code=303)

    outer.mount(mount_prefix, inner)
    return outer


def is_api(request: Request) -> bool:
    return "/api/" in request.url.path


def base(request: Request) -> str:
    """Where the app is mounted: every link starts here."""
    return request.scope.get("root_path", "").rstrip("/")


def need_role(ctx: Ctx, *allowed: str) -> None:
    if ctx.user.role not in allowed:
        raise Denied(403)


def api(payload, status: int = 200) -> JSONResponse:
    """A JSON answer; dates and other values become strings."""
    return JSONResponse(json.loads(json.dumps(payload, default=str)), status_code=status)


async def form_of(ctx: Ctx) -> dict[str, str]:
    """A posted form's fields, once its CSRF token matches the session's."""
    form = await ctx.request.form()
    data = {k: str(v) for k, v in form.items()}
    if not auth.csrf_matches(ctx.login.csrf_token, data.get("csrf_token")):
        raise Denied(403, "CSRF token missing or wrong")
    return data


async def json_of(ctx: Ctx) -> dict:
    """A posted JSON object, once the X-CSRF-Token header matches the session's token."""
    if not auth.csrf_matches(ctx.login.csrf_token, ctx.request.headers.get("x-csrf-token")):
        raise Denied(403, "X-CSRF-Token header missing or wrong")
    try:
        body = await ctx.request.json()
    except ValueError:
        raise Denied(422, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise Denied(422, "the body is a JSON object")
    return body


def redirect(ctx: Ctx, path: str) -> RedirectResponse:
    return RedirectResponse(base(ctx.request) + path, status_code=303)


class CaseWeb:
    """One case module's app with the shared plumbing installed: the headers, the error pages,
    ``/static``, the login, demo-login and logout routes.

    ``name`` prefixes the cookies (``<name>_session``, ``<name>_login_csrf``, ``<name>_lang``);
    ``roles`` are the module's own roles, the only ones it lets in; ``templates`` and
    ``static`` are the module's folders (its templates come before the shared ``base.html``,
    ``login.html`` and ``error.html``); ``t`` gives the module's words, the shared ones
    included; ``pages`` lists each role's menu; ``admit`` checks a logged-in user further (a
    scope, say) and may raise :class:`Denied`; ``page_globals`` adds names for the templates
    in a language.
    """

    def __init__(
        self,
        db: str | Engine,
        settings: WebSettings,
        *,
        name: str,
        title: str,
        roles: tuple[str, ...],
        foreign_role: str,
        templates: Path,
        static: Path,
        stylesheet: str,
        t: Callable[[str, str], str],
        pages: Mapping[str, tuple[str, ...]],
        ctx_type: type[Ctx] = Ctx,
        admit: Callable[[Ctx], None] | None = None,
        page_globals: Callable[[str], dict] | None = None,
    ) -> None:
        self.settings = settings
        self.roles, self.foreign_role = roles, foreign_role
        self.t, self.pages, self.ctx_type = t, pages, ctx_type
        self.admit, self.page_globals = admit, page_globals
        self.stylesheet = stylesheet
        self.session_cookie = f"{name}_session"
        self.login_csrf_cookie = f"{name}_login_csrf"
        self.lang_cookie = f"{name}_lang"
        engine = create_db_engine(db) if isinstance(db, str) else db
        check_current(engine, name)
        self.maker = make_sessionmaker(engine)
        with self.maker() as s:
            self.synthetic = is_synthetic(s)
        if settings.demo and not self.synthetic:
            raise DatabaseError("the demo login works only on a database flagged synthetic")
        self.app = FastAPI(
            title=title, docs_url=None, redoc_url=None, openapi_url="/api/v1/openapi.json"
        )
        self.env = Environment(
            loader=ChoiceLoader(
                [FileSystemLoader(templates), FileSystemLoader(HERE / "templates")]
            ),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.app.mount("/static", StaticFiles(directory=static), name="static")
        self._install_plumbing()
        self._install_login()

    # --- requests ----------------------------------------------------------------------------

    def lang_of(self, request: Request) -> str:
        q = request.query_params.get("lang")
        if q in LANGS:
            return q
        c = request.cookies.get(self.lang_cookie)
        return c if c in LANGS else "da"

    def cookie_path(self) -> str:
        return self.settings.mount_prefix or "/"

    def context(self, request: Request) -> Ctx:
        """The logged-in user of this module, else 401; a role of another module gets 403."""
        session = self.maker()
        loaded = auth.load_session(
            session, request.cookies.get(self.session_cookie), self.settings.auth
        )
        session.commit()
        if not loaded:
            session.close()
            raise Denied(401)
        ctx = self.ctx_type(request, session, loaded[1], loaded[0], self.lang_of(request))
        try:
            if ctx.user.role not in self.roles:
                raise Denied(403, self.foreign_role)
            if self.admit is not None:
                self.admit(ctx)
        except Denied:
            session.close()
            raise
        return ctx

    @contextlib.contextmanager
    def opened(self, request: Request) -> Iterator[Ctx]:
        """:meth:`context` for the length of a ``with`` block; its session closes after."""
        ctx = self.context(request)
        try:
            yield ctx
        finally:
            ctx.db.close()

    def bare(self, request: Request) -> Ctx:
        """A context without a session or user: the login and error pages."""
        return self.ctx_type(request, None, None, None, self.lang_of(request))  # type: ignore[arg-type]

    def render(self, ctx: Ctx, template: str, status: int = 200, **kw) -> HTMLResponse:
        lang, t = ctx.lang, self.t
        html = self.env.get_template(template).render(
            base=base(ctx.request),
            lang=lang,
            t=lambda key: t(key, lang),
            user=ctx.user,
            csrf=ctx.login.csrf_token if ctx.login else "",
            synthetic=self.synthetic,
            pages=self.pages.get(ctx.user.role, ()) if ctx.user else (),
            path=ctx.request.url.path,
            stylesheet=self.stylesheet,
            role_label=lambda r: auth.ROLES[r].label_en if lang == "en" else auth.ROLES[r].label_da,
            **(self.page_globals(lang) if self.page_globals else {}),
            **kw,
        )
        return HTMLResponse(html, status_code=status)

    # --- headers and errors ------------------------------------------------------------------

    def _install_plumbing(self) -> None:
        app, settings = self.app, self.settings

        @app.middleware("http")
        async def headers(request: Request, call_next):
            response = await call_next(request)
            for k, v in SECURITY_HEADERS.items():
                response.headers.setdefault(k, v)
            q = request.query_params.get("lang")
            if q in LANGS:
                response.set_cookie(
                    self.lang_cookie,
                    q,
                    path=self.cookie_path(),
                    samesite="lax",
                    secure=settings.secure_cookies,
                    httponly=True,
                )
            return response

        @app.exception_handler(Denied)
        async def denied(request: Request, exc: Denied):
            if exc.status == 401:
                if is_api(request):
                    return JSONResponse({"error": {"status": 401, "message": "log in"}}, 401)
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(
                    f"{base(request)}/login?next={quote(target, safe='')}", status_code=303
                )
            if is_api(request):
                msg = exc.message or "forbidden"
                return JSONResponse({"error": {"status": exc.status, "message": msg}}, exc.status)
            ctx = self.bare(request)
            title = self.t("forbidden", ctx.lang) if exc.status == 403 else str(exc.status)
            return self.render(
                ctx,
                "error.html",
                exc.status,
                title=title,
                message=exc.message or self.t("forbidden_text", ctx.lang),
            )

        @app.exception_handler(StarletteHTTPException)
        async def http_error(request: Request, exc: StarletteHTTPException):
            if is_api(request):
                return JSONResponse(
                    {"error": {"status": exc.status_code, "message": str(exc.detail)}},
                    exc.status_code,
                )
            ctx = self.bare(request)
            return self.render(
                ctx,
                "error.html",
                exc.status_code,
                title=str(exc.status_code),
                message=self.t("not_found", ctx.lang),
            )

    # --- login and logout --------------------------------------------------------------------

    def _login_page(self, request: Request, error: str | None = None, status: int = 200):
        token = secrets.token_urlsafe(24)
        demo_users = []
        if self.settings.demo and self.synthetic:
            with self.maker() as s:
                demo_users = list(
                    s.scalars(
                        select(User)
                        .where(User.is_demo, User.role.in_(self.roles))
                        .order_by(User.id)
                    )
                )
        resp = self.render(
            self.bare(request),
            "login.html",
            status,
            login_csrf=token,
            error=error,
            next=request.query_params.get("next", ""),
            demo_users=demo_users,
        )
        resp.set_cookie(
            self.login_csrf_cookie,
            token,
            path=self.cookie_path(),
            httponly=True,
            samesite="strict",
            secure=self.settings.secure_cookies,
        )
        return resp

    def _start(self, request: Request, session: Session, user: User, target: str) -> Response:
        token, _csrf = auth.start_session(session, user, self.settings.auth)
        access_log.record(session, access_log.Actor(user.id, user.username, user.role), "login")
        session.commit()
        b = base(request)
        if not (target.startswith(b + "/") and not target.startswith("//") and "\\" not in target):
            target = b + "/"  # only a page of this app, never another site
        resp = RedirectResponse(target, status_code=303)
        resp.set_cookie(
            self.session_cookie,
            token,
            path=self.cookie_path(),
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
        )
        resp.delete_cookie(self.login_csrf_cookie, path=self.cookie_path())
        return resp

    def _login_csrf_ok(self, request: Request, form) -> bool:
        """The login forms carry a double-submit token: the form's must match the cookie's."""
        return auth.csrf_matches(
            request.cookies.get(self.login_csrf_cookie, ""), str(form.get("csrf_token", ""))
        )

    def _install_login(self) -> None:
        app, settings, maker = self.app, self.settings, self.maker

        @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
        def login_form(request: Request):
            return self._login_page(request)

        @app.post("/login", include_in_schema=False)
        async def login(request: Request):
            form = await request.form()
            lang = self.lang_of(request)
            if not self._login_csrf_ok(request, form):
                return self._login_page(request, "CSRF", 403)
            username = str(form.get("username", "")).strip()
            password = str(form.get("password", ""))
            client = request.client.host if request.client else "unknown"
            with maker() as session:
                try:
                    user = auth.authenticate(session, username, password, client, settings.auth)
                except auth.LoginThrottledError:
                    session.commit()
                    return self._login_page(request, self.t("login_throttled", lang), 429)
                if user is None:
                    access_log.record(
                        session, access_log.Actor(None, username[:64] or "-", "-"), "login_failed"
                    )
                    session.commit()
                    return self._login_page(request, self.t("login_failed", lang), 401)
                return self._start(request, session, user, str(form.get("next", "")))

        @app.post("/login/demo", include_in_schema=False)
        async def login_demo(request: Request):
            form = await request.form()
            if not self._login_csrf_ok(request, form):
                return self._login_page(request, "CSRF", 403)
            with maker() as session:
                if not (settings.demo and is_synthetic(session)):
                    raise Denied(403, "the demo login works only on a synthetic database")
                user = session.scalar(
                    select(User).where(
                        User.username == str(form.get("username", "")),
                        User.is_demo,
                        User.role.in_(self.roles),
                    )
                )
                if user is None:
                    raise Denied(403, "no such demo user")
                return self._start(request, session, user, "")

        @app.post("/logout", include_in_schema=False)
        async def logout(request: Request):
            with self.opened(request) as ctx:
                await form_of(ctx)
                auth.end_session(ctx.db, request.cookies.get(self.session_cookie))
                access_log.record(ctx.db, ctx.actor, "logout")
                ctx.db.commit()
            resp = redirect(ctx, "/login")
            resp.delete_cookie(self.session_cookie, path=self.cookie_path())
            return resp
