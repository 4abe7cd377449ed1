"""Welcome House web app: server-rendered pages (Danish and English) and the JSON API.

``create_welcomehouse_app`` builds an app with relative routes; links come from the request's
root path, so the same app works mounted under ``/welcomehouse`` beside the programme module
and standalone (``create_standalone_app``, what ``barometer welcomehouse serve`` runs). It uses
the platform's users, sessions, CSRF tokens, throttling and access log. Every response carries
``Cache-Control: no-store``. A programme role gets 403 here; a Welcome House role gets 403 in
the programme app: neither domain's staff sees the other's people.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import selectinload

from barometer.casework import access_log
from barometer.casework.models import User
from barometer.casework.web import (
    CaseWeb,
    Ctx,
    Denied,
    WebSettings,
    api,
    form_of,
    json_of,
    need_role,
    redirect,
    standalone_app,
)
from barometer.welcomehouse import roles
from barometer.welcomehouse.aggregates import INDICATOR_DEFINITIONS, cells_from_data
from barometer.welcomehouse.assign import AssignmentRefusedError, assign, refusals
from barometer.welcomehouse.audit import log_many
from barometer.welcomehouse.certificates import (
    CertificateRules,
    CertificateState,
    certificate_state,
    coordinator_status,
    required_kinds,
)
from barometer.welcomehouse.consent import ConsentError, register_visit
from barometer.welcomehouse.kpis import KPI_TITLES, KpiParams, compute_kpis, load_data
from barometer.welcomehouse.models import (
    AGE_BANDS,
    CERTIFICATE_KINDS,
    SEXES,
    Activity,
    ActivitySession,
    Assignment,
    Attendance,
    Certificate,
    House,
    Organisation,
    UserScope,
    Volunteer,
)
from barometer.welcomehouse.web.i18n import t

HERE = Path(__file__).parent
OPEN_DAYS = 28  # how far ahead a volunteer sees open shifts


@dataclass(frozen=True)
class WelcomeSettings(WebSettings):
    mount_prefix: str = "/welcomehouse"  # the cookie path, and where standalone serving mounts
    rules: CertificateRules = field(default_factory=CertificateRules)


@dataclass
class WelcomeCtx(Ctx):
    scope: UserScope | None = None  # the user's house, organisation or own volunteer record


def create_standalone_app(db: str | Engine, *, settings: WelcomeSettings | None = None) -> FastAPI:
    """The Welcome House app mounted at its prefix, with ``/`` redirecting there."""
    settings = settings or WelcomeSettings()
    return standalone_app(create_welcomehouse_app(db, settings=settings), settings.mount_prefix)


def create_welcomehouse_app(
    db: str | Engine,
    *,
    settings: WelcomeSettings | None = None,
    mount_prefix: str | None = None,
) -> FastAPI:
    """The Welcome House module as an ASGI app; mount it under ``mount_prefix``."""
    settings = settings or WelcomeSettings()
    if mount_prefix is not None:
        settings = replace(settings, mount_prefix=mount_prefix)
    rules = settings.rules

    def admit(ctx: WelcomeCtx) -> None:
        ctx.scope = ctx.db.get(UserScope, ctx.user.id)
        if ctx.user.role in roles.SCOPE_OF and ctx.scope is None:
            raise Denied(403, "this user has no scope")

    web = CaseWeb(
        db,
        settings,
        name="welcomehouse",
        title="Welcome House API",
        roles=roles.ROLE_NAMES,  # a programme role, say, sees no volunteer
        foreign_role="not a Welcome House role",
        templates=HERE / "templates",
        static=HERE / "static",
        stylesheet="welcomehouse.css",
        t=t,
        pages=roles.PAGES,
        ctx_type=WelcomeCtx,
        admit=admit,
    )
    app, opened, render = web.app, web.opened, web.render

    # --- scope -------------------------------------------------------------------------------

    def volunteers_in_scope(ctx: WelcomeCtx):
        """The select of volunteers the user may see (403 for roles that see none)."""
        q = select(Volunteer).options(
            selectinload(Volunteer.certificates), selectinload(Volunteer.organisation)
        )
        role, sc = ctx.user.role, ctx.scope
        if role == roles.STAFF:
            orgs = select(Activity.organisation_id).where(
                Activity.house_id == sc.house_id, Activity.organisation_id.is_not(None)
            )
            worked = (
                select(Assignment.volunteer_id)
                .join(ActivitySession, ActivitySession.id == Assignment.session_id)
                .join(Activity, Activity.id == ActivitySession.activity_id)
                .where(Activity.house_id == sc.house_id)
            )
            return q.where(
                or_(
                    Volunteer.house_id == sc.house_id,
                    Volunteer.organisation_id.in_(orgs),
                    Volunteer.id.in_(worked),
                )
            )
        if role == roles.COORDINATOR:
            return q.where(Volunteer.organisation_id == sc.organisation_id)
        if role == roles.VOLUNTEER:
            return q.where(Volunteer.id == sc.volunteer_id)
        raise Denied(403)

    def read_volunteer(ctx: WelcomeCtx, vid: int, purpose: str) -> Volunteer:
        v = ctx.db.scalar(volunteers_in_scope(ctx).where(Volunteer.id == vid))
        if v is None:
            exists = ctx.db.get(Volunteer, vid) is not None
            raise Denied(
                403 if exists else 404, "outside your scope" if exists else "no such volunteer"
            )
        log_many(ctx.db, ctx.actor, "read", "wh_volunteer", [v.id], purpose=purpose)
        ctx.db.commit()
        return v

    def activities_in_scope(ctx: WelcomeCtx):
        q = select(Activity).options(
            selectinload(Activity.house), selectinload(Activity.organisation)
        )
        if ctx.user.role == roles.STAFF:
            return q.where(Activity.house_id == ctx.scope.house_id)
        if ctx.user.role == roles.COORDINATOR:
            return q.where(Activity.organisation_id == ctx.scope.organisation_id)
        raise Denied(403)

    def load_session(ctx: WelcomeCtx, sid: int) -> ActivitySession:
        s = ctx.db.scalar(
            select(ActivitySession)
            .where(ActivitySession.id == sid)
            .options(selectinload(ActivitySession.activity).selectinload(Activity.house))
        )
        if s is None:
            raise Denied(404, "no such session")
        return s

    def scoped_session(ctx: WelcomeCtx, sid: int) -> ActivitySession:
        """The session, or 403 when it is outside the user's house or organisation."""
        s = load_session(ctx, sid)
        if not session_in_scope(ctx, s):
            raise Denied(403, "outside your scope")
        return s

    def session_in_scope(ctx: WelcomeCtx, s: ActivitySession) -> bool:
        a = s.activity
        if ctx.user.role == roles.STAFF:
            return a.house_id == ctx.scope.house_id
        if ctx.user.role == roles.COORDINATOR:
            return a.organisation_id == ctx.scope.organisation_id
        if ctx.user.role == roles.VOLUNTEER:
            v = ctx.db.get(Volunteer, ctx.scope.volunteer_id)
            return open_to(v, a)
        return False

    def open_to(v: Volunteer, a: Activity) -> bool:
        """The activities a volunteer may sign up for: their organisation's, or for a
        volunteer of a house (no organisation) that house's own activities."""
        if v.organisation_id is not None:
            return a.organisation_id == v.organisation_id
        return a.organisation_id is None and (v.house_id is None or a.house_id == v.house_id)

    def needed_kinds(ctx: WelcomeCtx, v: Volunteer) -> set[str]:
        q = select(Activity.requires_certificate).distinct()
        if v.organisation_id is not None:
            q = q.where(Activity.organisation_id == v.organisation_id)
        else:
            q = q.where(Activity.organisation_id.is_(None))
            if v.house_id is not None:
                q = q.where(Activity.house_id == v.house_id)
        kinds: set[str] = set()
        for req in ctx.db.scalars(q):
            kinds |= set(required_kinds(req, rules))
        return kinds

    def states(v: Volunteer, kinds, day: date) -> list[CertificateState]:
        held = {c.kind for c in v.certificates}
        return [
            certificate_state(v.certificates, k, day, rules)
            for k in CERTIFICATE_KINDS
            if k in held or k in kinds
        ]

    def volunteer_view(ctx: WelcomeCtx, v: Volunteer) -> dict:
        """What the user's role may see of a volunteer."""
        today = settings.today()
        needed = needed_kinds(ctx, v)
        view = {
            "id": v.id,
            "volunteer_id": v.volunteer_ref,
            "name": v.name,
            "organisation": v.organisation.name if v.organisation else None,
            "status": v.status,
        }
        sts = states(v, needed, today)
        if ctx.user.role == roles.COORDINATOR:
            needed_states = [s for s in sts if s.kind in needed]
            view["certificate_status"] = (
                coordinator_status(needed_states, today, rules) if needed else "not_required"
            )
            return view
        view["certificates"] = [
            {
                "kind": s.kind,
                "status": s.status,
                "valid_until": s.until.isoformat() if s.until else None,
                "expiring": s.expiring(today, rules),
                "required": s.kind in needed,
            }
            for s in sts
        ]
        if ctx.user.role == roles.STAFF:
            view["notes"] = [
                {
                    "kind": c.kind,
                    "received_date": c.received_date.isoformat(),
                    "assessed_ok": c.assessed_ok,
                    "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                }
                for c in v.certificates
            ]
        return view

    def shifts(ctx: WelcomeCtx, v: Volunteer) -> list[dict]:
        q = (
            select(Assignment, ActivitySession, Activity)
            .join(ActivitySession, ActivitySession.id == Assignment.session_id)
            .join(Activity, Activity.id == ActivitySession.activity_id)
            .where(Assignment.volunteer_id == v.id)
            .order_by(ActivitySession.date, ActivitySession.start)
        )
        return [
            {
                "session": s.id,
                "date": s.date.isoformat(),
                "start": s.start.strftime("%H:%M"),
                "end": s.end.strftime("%H:%M"),
                "activity": a.kind,
                "hours": asg.hours,
            }
            for asg, s, a in ctx.db.execute(q)
        ]

    # --- pages -------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request):
        with opened(request) as ctx:
            return redirect(ctx, "/" + roles.PAGES[ctx.user.role][0])

    def volunteer_list(ctx: WelcomeCtx) -> list[dict]:
        vols = list(ctx.db.scalars(volunteers_in_scope(ctx).order_by(Volunteer.name)))
        log_many(
            ctx.db,
            ctx.actor,
            "search",
            "wh_volunteer",
            [v.id for v in vols],
            purpose="volunteer list",
        )
        ctx.db.commit()
        return [volunteer_view(ctx, v) for v in vols]

    @app.get("/volunteers", response_class=HTMLResponse, include_in_schema=False)
    def volunteers_page(request: Request):
        with opened(request) as ctx:
            need_role(ctx, roles.STAFF, roles.COORDINATOR)
            views = volunteer_list(ctx)
            if ctx.user.role == roles.STAFF:
                expiring = [(v, c) for v in views for c in v["certificates"] if c["expiring"]]
            else:
                expiring = [(v, None) for v in views if v["certificate_status"] == "expiring"]
            return render(ctx, "volunteers.html", volunteers=views, expiring=expiring)

    @app.get("/volunteers/{vid}", response_class=HTMLResponse, include_in_schema=False)
    def volunteer_page(request: Request, vid: int):
        with opened(request) as ctx:
            need_role(ctx, roles.STAFF, roles.COORDINATOR)
            v = read_volunteer(ctx, vid, "volunteer record")
            return render(
                ctx,
                "volunteer.html",
                v=volunteer_view(ctx, v),
                kinds=CERTIFICATE_KINDS,
                saved=request.query_params.get("saved"),
            )

    def add_certificate(ctx: WelcomeCtx, vid: int, data: dict) -> Certificate:
        need_role(ctx, roles.STAFF)
        v = read_volunteer(ctx, vid, "recording a certificate assessment")
        kind = data.get("kind", "")
        ok = {"true": True, "false": False}.get(str(data.get("assessed_ok", "")).lower())
        try:
            received = date.fromisoformat(str(data.get("received_date", "")))
            until = (
                date.fromisoformat(str(data["valid_until"])) if data.get("valid_until") else None
            )
        except ValueError:
            raise Denied(422, "received_date and valid_until are YYYY-MM-DD") from None
        if kind not in CERTIFICATE_KINDS or ok is None:
            raise Denied(422, "kind is criminal_record or child; assessed_ok is true or false")
        if received > settings.today() or (until is not None and until < received):
            raise Denied(422, "received_date is not in the future; valid_until not before it")
        c = Certificate(
            volunteer_id=v.id,
            kind=kind,
            received_date=received,
            assessed_ok=ok,
            valid_until=until,
            assessed_by=ctx.user.username,
        )
        ctx.db.add(c)
        ctx.db.flush()
        access_log.record(
            ctx.db,
            ctx.actor,
            "create",
            record_type="wh_volunteer",
            record_id=v.id,
            purpose=f"{kind} certificate note recorded",
        )
        ctx.db.commit()
        return c

    @app.post("/volunteers/{vid}/certificates", include_in_schema=False)
    async def certificate_post(request: Request, vid: int):
        with opened(request) as ctx:
            add_certificate(ctx, vid, await form_of(ctx))
            return redirect(ctx, f"/volunteers/{vid}?saved=1")

    def activity_list(ctx: WelcomeCtx):
        acts = list(ctx.db.scalars(activities_in_scope(ctx).order_by(Activity.activity_ref)))
        today = settings.today()
        upcoming = {}
        if acts:
            q = (
                select(ActivitySession)
                .where(ActivitySession.activity_id.in_([a.id for a in acts]))
                .where(
                    ActivitySession.date >= today,
                    ActivitySession.date <= today + timedelta(days=OPEN_DAYS),
                )
                .order_by(ActivitySession.date, ActivitySession.start)
            )
            for s in ctx.db.scalars(q):
                upcoming.setdefault(s.activity_id, []).append(s)
        log_many(
            ctx.db, ctx.actor, "read", "wh_activity", [a.id for a in acts], purpose="activity list"
        )
        ctx.db.commit()
        return acts, upcoming

    @app.get("/activities", response_class=HTMLResponse, include_in_schema=False)
    def activities_page(request: Request):
        with opened(request) as ctx:
            acts, upcoming = activity_list(ctx)
            return render(ctx, "activities.html", activities=acts, upcoming=upcoming)

    def session_detail(ctx: WelcomeCtx, sid: int) -> dict:
        need_role(ctx, roles.STAFF, roles.COORDINATOR)
        s = scoped_session(ctx, sid)
        q = (
            select(Assignment, Volunteer)
            .join(Volunteer, Volunteer.id == Assignment.volunteer_id)
            .where(Assignment.session_id == s.id)
            .order_by(Volunteer.name)
        )
        rows = list(ctx.db.execute(q))
        if ctx.user.role == roles.COORDINATOR:  # only the organisation's own volunteers by name
            rows = [(a, v) for a, v in rows if v.organisation_id == ctx.scope.organisation_id]
        att = list(ctx.db.scalars(select(Attendance).where(Attendance.session_id == s.id)))
        access_log.record(
            ctx.db, ctx.actor, "read", record_type="wh_session", record_id=s.id, purpose="session"
        )
        log_many(
            ctx.db,
            ctx.actor,
            "read",
            "wh_volunteer",
            [v.id for _a, v in rows],
            purpose=f"on session {s.id}",
        )
        ctx.db.commit()
        candidates = []
        if s.date >= settings.today():
            candidates = [
                v
                for v in ctx.db.scalars(volunteers_in_scope(ctx).order_by(Volunteer.name))
                if open_to(v, s.activity) and v.id not in {v2.id for _a, v2 in rows}
            ]
        return {
            "session": s,
            "assignments": [
                {
                    "id": a.id,
                    "volunteer": v.id,
                    "volunteer_id": v.volunteer_ref,
                    "name": v.name,
                    "hours": a.hours,
                }
                for a, v in rows
            ],
            "attendance": att,
            "candidates": candidates,
        }

    @app.get("/sessions/{sid}", response_class=HTMLResponse, include_in_schema=False)
    def session_page(request: Request, sid: int):
        with opened(request) as ctx:
            if ctx.user.role == roles.VOLUNTEER:
                return redirect(ctx, "/sessions")
            d = session_detail(ctx, sid)
            return render(
                ctx,
                "session.html",
                **d,
                age_bands=AGE_BANDS,
                sexes=SEXES,
                saved=request.query_params.get("saved"),
                refused=request.query_params.get("refused"),
            )

    def do_assign(ctx: WelcomeCtx, sid: int, vid: int):
        s = scoped_session(ctx, sid)
        v = read_volunteer(ctx, vid, f"assignment to session {s.id}")
        if not open_to(v, s.activity):
            raise Denied(403, "this activity is not open to the volunteer")
        try:
            a = assign(ctx.db, v, s, ctx.actor, rules)
        except AssignmentRefusedError as exc:
            ctx.db.rollback()
            raise Denied(409, str(exc)) from None
        ctx.db.commit()
        return a

    @app.post("/sessions/{sid}/assignments", include_in_schema=False)
    async def assign_post(request: Request, sid: int):
        with opened(request) as ctx:
            data = await form_of(ctx)
            need_role(ctx, roles.STAFF, roles.COORDINATOR)
            vid = int(data["volunteer"]) if str(data.get("volunteer", "")).isdigit() else -1
            try:
                do_assign(ctx, sid, vid)
            except Denied as d:
                if d.status != 409:
                    raise
                return redirect(ctx, f"/sessions/{sid}?refused={quote(d.message)}")
            return redirect(ctx, f"/sessions/{sid}?saved=1")

    @app.post("/sessions/{sid}/attendance", include_in_schema=False)
    async def attendance_post(request: Request, sid: int):
        with opened(request) as ctx:
            data = await form_of(ctx)
            need_role(ctx, roles.STAFF)
            s = scoped_session(ctx, sid)
            if s.date > settings.today():
                raise Denied(422, "attendance is counted on or after the session's day")
            cells = {}
            for band in AGE_BANDS:
                for sex in SEXES:
                    v = str(data.get(f"n_{band}_{sex}", "") or "0").strip()
                    if not v.isdigit() or int(v) > 10000:
                        raise Denied(422, "headcounts are whole numbers from 0 to 10000")
                    cells[(band, sex)] = int(v)
            held = {
                (a.age_band, a.sex): a
                for a in ctx.db.scalars(select(Attendance).where(Attendance.session_id == s.id))
            }
            for (band, sex), n in cells.items():
                if (band, sex) in held:
                    held[(band, sex)].headcount = n
                elif n:
                    ctx.db.add(Attendance(session_id=s.id, age_band=band, sex=sex, headcount=n))
            access_log.record(
                ctx.db,
                ctx.actor,
                "update",
                record_type="wh_session",
                record_id=s.id,
                purpose="attendance headcount",
            )
            ctx.db.commit()
            return redirect(ctx, f"/sessions/{sid}?saved=1")

    @app.post("/sessions/{sid}/hours", include_in_schema=False)
    async def hours_post(request: Request, sid: int):
        with opened(request) as ctx:
            data = await form_of(ctx)
            need_role(ctx, roles.STAFF)
            s = scoped_session(ctx, sid)
            if s.date > settings.today():
                raise Denied(422, "hours are logged on or after the session's day")
            for a in ctx.db.scalars(select(Assignment).where(Assignment.session_id == s.id)):
                v = str(data.get(f"hours_{a.id}", "")).strip().replace(",", ".")
                if not v:
                    continue
                try:
                    h = float(v)
                except ValueError:
                    h = -1.0
                if not 0 < h <= 24:
                    raise Denied(422, "hours are above 0 and at most 24")
                a.hours = h
                access_log.record(
                    ctx.db,
                    ctx.actor,
                    "update",
                    record_type="wh_volunteer",
                    record_id=a.volunteer_id,
                    purpose=f"hours on session {s.id}",
                )
            ctx.db.commit()
            return redirect(ctx, f"/sessions/{sid}?saved=1")

    @app.post("/sessions/{sid}/visits", include_in_schema=False)
    async def visit_post(request: Request, sid: int):
        with opened(request) as ctx:
            data = await form_of(ctx)
            need_role(ctx, roles.STAFF)
            s = scoped_session(ctx, sid)
            try:
                register_visit(ctx.db, str(data.get("code", "")), s, ctx.actor)
            except ConsentError as exc:
                ctx.db.rollback()
                return redirect(ctx, f"/sessions/{sid}?refused={quote(str(exc))}")
            ctx.db.commit()
            return redirect(ctx, f"/sessions/{sid}?saved=1")

    # --- the volunteer's own pages --------------------------------------------------------------

    def me_view(ctx: WelcomeCtx) -> dict:
        need_role(ctx, roles.VOLUNTEER)
        v = read_volunteer(ctx, ctx.scope.volunteer_id, "own profile")
        view = volunteer_view(ctx, v)
        view["shifts"] = shifts(ctx, v)
        this_year = settings.today().year
        view["hours_this_year"] = sum(
            x["hours"] or 0 for x in view["shifts"] if x["date"][:4] == str(this_year)
        )
        return view

    @app.get("/me", response_class=HTMLResponse, include_in_schema=False)
    def me_page(request: Request):
        with opened(request) as ctx:
            view = me_view(ctx)
            today = settings.today().isoformat()
            return render(ctx, "me.html", v=view, today=today)

    def open_sessions(ctx: WelcomeCtx) -> tuple[Volunteer, list[tuple[ActivitySession, list[str]]]]:
        need_role(ctx, roles.VOLUNTEER)
        v = read_volunteer(ctx, ctx.scope.volunteer_id, "open shifts")
        today = settings.today()
        q = (
            select(ActivitySession)
            .join(Activity, Activity.id == ActivitySession.activity_id)
            .where(
                ActivitySession.date >= today,
                ActivitySession.date <= today + timedelta(days=OPEN_DAYS),
            )
            .options(selectinload(ActivitySession.activity).selectinload(Activity.house))
            .order_by(ActivitySession.date, ActivitySession.start)
        )
        mine = set(
            ctx.db.scalars(select(Assignment.session_id).where(Assignment.volunteer_id == v.id))
        )
        out = []
        for s in ctx.db.scalars(q):
            if open_to(v, s.activity) and s.id not in mine:
                out.append((s, refusals(ctx.db, v, s, rules)))
        return v, out[:60]

    @app.get("/sessions", response_class=HTMLResponse, include_in_schema=False)
    def sessions_page(request: Request):
        with opened(request) as ctx:
            _v, items = open_sessions(ctx)
            return render(
                ctx,
                "open_sessions.html",
                items=items,
                saved=request.query_params.get("saved"),
                refused=request.query_params.get("refused"),
            )

    def sign_up(ctx: WelcomeCtx, sid: int):
        need_role(ctx, roles.VOLUNTEER)
        s = load_session(ctx, sid)
        if s.date < settings.today() or not session_in_scope(ctx, s):
            raise Denied(403, "this shift is not open to you")
        return do_assign(ctx, sid, ctx.scope.volunteer_id)

    @app.post("/sessions/{sid}/signup", include_in_schema=False)
    async def signup_post(request: Request, sid: int):
        with opened(request) as ctx:
            await form_of(ctx)
            try:
                sign_up(ctx, sid)
            except Denied as d:
                if d.status != 409:
                    raise
                return redirect(ctx, f"/sessions?refused={quote(d.message)}")
            return redirect(ctx, "/sessions?saved=1")

    # --- figures and users ------------------------------------------------------------------------

    def figures(ctx: WelcomeCtx, day: date):
        need_role(ctx, roles.STAFF, roles.ANALYST)
        data = load_data(ctx.db)
        frame = compute_kpis(data, KpiParams(day=day, rules=rules))
        cells = None
        if ctx.user.role == roles.STAFF:  # own house only
            code = ctx.db.get(House, ctx.scope.house_id).code
            frame = frame[frame["group"].str.contains(f"house={code}", regex=False)]
        else:
            cells = cells_from_data(data, "101", day)
        access_log.record(
            ctx.db, ctx.actor, "export", record_type="wh_kpis", purpose="Welcome House figures"
        )
        ctx.db.commit()
        return frame, cells

    def day_of(request: Request) -> date:
        q = request.query_params.get("date")
        if not q:
            return settings.today()
        try:
            return date.fromisoformat(q)
        except ValueError:
            raise Denied(422, "date is YYYY-MM-DD") from None

    @app.get("/figures", response_class=HTMLResponse, include_in_schema=False)
    def figures_page(request: Request):
        with opened(request) as ctx:
            day = day_of(request)
            frame, cells = figures(ctx, day)
            return render(
                ctx,
                "figures.html",
                rows=frame.itertuples(index=False),
                day=day,
                titles=KPI_TITLES,
                cells=cells,
                definitions=INDICATOR_DEFINITIONS,
            )

    @app.get("/users", response_class=HTMLResponse, include_in_schema=False)
    def users_page(request: Request):
        with opened(request) as ctx:
            need_role(ctx, roles.ADMIN)
            q = (
                select(User, UserScope)
                .outerjoin(UserScope, UserScope.user_id == User.id)
                .where(User.role.in_(roles.ROLE_NAMES))
                .order_by(User.username)
            )
            rows = list(ctx.db.execute(q))
            houses = dict(ctx.db.execute(select(House.id, House.code)).all())
            orgs = dict(ctx.db.execute(select(Organisation.id, Organisation.org_ref)).all())
            vols = dict(ctx.db.execute(select(Volunteer.id, Volunteer.volunteer_ref)).all())

            def scope_text(sc: UserScope | None) -> str:
                if sc is None:
                    return ""
                if sc.house_id:
                    return f"house {houses[sc.house_id]}"
                if sc.organisation_id:
                    return f"organisation {orgs[sc.organisation_id]}"
                return f"volunteer {vols.get(sc.volunteer_id, '')}"

            return render(ctx, "users.html", users=[(u, scope_text(sc)) for u, sc in rows])

    # --- JSON API ------------------------------------------------------------------------------

    @app.get("/api/v1/me")
    def api_me(request: Request):
        with opened(request) as ctx:
            out = {
                "username": ctx.user.username,
                "role": ctx.user.role,
                "csrf_token": ctx.login.csrf_token,
            }
            if ctx.user.role == roles.VOLUNTEER:
                out["volunteer"] = me_view(ctx)
            return api(out)

    @app.get("/api/v1/volunteers")
    def api_volunteers(request: Request):
        with opened(request) as ctx:
            need_role(ctx, roles.STAFF, roles.COORDINATOR)
            return api({"volunteers": volunteer_list(ctx)})

    @app.get("/api/v1/volunteers/{vid}")
    def api_volunteer(request: Request, vid: int):
        with opened(request) as ctx:
            need_role(ctx, roles.STAFF, roles.COORDINATOR, roles.VOLUNTEER)
            v = read_volunteer(ctx, vid, "volunteer record")
            view = volunteer_view(ctx, v)
            if ctx.user.role != roles.COORDINATOR:
                view["shifts"] = shifts(ctx, v)
            return api(view)

    @app.post("/api/v1/volunteers/{vid}/certificates")
    async def api_certificate(request: Request, vid: int):
        with opened(request) as ctx:
            c = add_certificate(ctx, vid, await json_of(ctx))
            return api({"id": c.id}, 201)

    @app.get("/api/v1/activities")
    def api_activities(request: Request):
        with opened(request) as ctx:
            acts, upcoming = activity_list(ctx)
            return api(
                {
                    "activities": [
                        {
                            "id": a.id,
                            "activity_id": a.activity_ref,
                            "house": a.house.code,
                            "organisation": a.organisation.org_ref if a.organisation else None,
                            "kind": a.kind,
                            "requires_certificate": a.requires_certificate,
                            "sessions": [
                                {
                                    "id": s.id,
                                    "session_id": s.session_ref,
                                    "date": s.date,
                                    "start": s.start.strftime("%H:%M"),
                                    "end": s.end.strftime("%H:%M"),
                                }
                                for s in upcoming.get(a.id, [])
                            ],
                        }
                        for a in acts
                    ]
                }
            )

    @app.get("/api/v1/sessions")
    def api_open_sessions(request: Request):
        with opened(request) as ctx:
            _v, items = open_sessions(ctx)
            return api(
                {
                    "sessions": [
                        {
                            "id": s.id,
                            "date": s.date,
                            "start": s.start.strftime("%H:%M"),
                            "end": s.end.strftime("%H:%M"),
                            "activity": s.activity.kind,
                            "house": s.activity.house.code,
                            "refused": reasons,
                        }
                        for s, reasons in items
                    ]
                }
            )

    @app.get("/api/v1/sessions/{sid}")
    def api_session(request: Request, sid: int):
        with opened(request) as ctx:
            d = session_detail(ctx, sid)
            s = d["session"]
            return api(
                {
                    "id": s.id,
                    "session_id": s.session_ref,
                    "date": s.date,
                    "start": s.start.strftime("%H:%M"),
                    "end": s.end.strftime("%H:%M"),
                    "activity": s.activity.kind,
                    "house": s.activity.house.code,
                    "assignments": d["assignments"],
                    "attendance": [
                        {"age_band": a.age_band, "sex": a.sex, "headcount": a.headcount}
                        for a in d["attendance"]
                    ],
                }
            )

    @app.post("/api/v1/sessions/{sid}/assignments")
    async def api_assign(request: Request, sid: int):
        with opened(request) as ctx:
            body = await json_of(ctx)
            need_role(ctx, roles.STAFF, roles.COORDINATOR)
            vid = body.get("volunteer")
            if not isinstance(vid, int):
                raise Denied(422, "volunteer is the volunteer's id (an integer)")
            a = do_assign(ctx, sid, vid)
            return api({"id": a.id}, 201)

    @app.post("/api/v1/sessions/{sid}/signup")
    async def api_signup(request: Request, sid: int):
        with opened(request) as ctx:
            await json_of(ctx)
            a = sign_up(ctx, sid)
            return api({"id": a.id}, 201)

    @app.get("/api/v1/kpis")
    def api_kpis(request: Request):
        with opened(request) as ctx:
            day = day_of(request)
            frame, cells = figures(ctx, day)
            out = {
                "date": day.isoformat(),
                "kpis": frame.astype(object).where(frame.notna(), None).to_dict(orient="records"),
            }
            if cells is not None:
                out["aggregates"] = cells.to_dict(orient="records")
            return api(out)

    return app
