"""The programme's web app: server-rendered pages and the JSON API under ``/api/v1``.

``create_programme_app`` builds an app whose routes are relative (``/login``, ``/persons/…``);
links are made from the request's root path, so the same app works mounted under
``/programme`` in the dashboard and standalone (``create_standalone_app`` mounts it there).
Login, sessions, CSRF, the security headers and the error pages are the platform's
(``barometer.casework.web``). Pages without a session redirect to the login page; the API
answers 401. Every response carries ``Cache-Control: no-store``: person data are never cached.
CPR numbers never appear in a URL: searching by CPR is a POST.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import selectinload

from barometer.casework import access_log, auth
from barometer.casework.crypto import CprVault, mask_cpr, normalise_cpr
from barometer.casework.db import utcnow
from barometer.casework.models import AccessEvent, BreakGlass, User
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
from barometer.codes import load_countries
from barometer.programme import roles
from barometer.programme.deadlines import URGENCY, compliance, evaluate, load_rules
from barometer.programme.kpis import KPI_BY_ID, KpiParams, compute_kpis
from barometer.programme.matching import match_person, match_slot
from barometer.programme.models import EPISODE_KINDS, Company, Episode, Person, Slot, Waiver
from barometer.programme.pathway import derive_pathway
from barometer.programme.records import CaseRecord, load_records, record_from_person
from barometer.programme.web.i18n import STATUS_WORDS, t

HERE = Path(__file__).parent
PROGRAMME_ROLES = tuple(r.name for r in roles.ROLE_LIST)


@dataclass(frozen=True)
class ProgrammeSettings(WebSettings):
    mount_prefix: str = "/programme"  # the cookie path, and where standalone serving mounts


def create_standalone_app(
    db: str | Engine, *, settings: ProgrammeSettings | None = None, vault: CprVault | None = None
) -> FastAPI:
    """The programme app mounted at its prefix, with ``/`` redirecting there."""
    settings = settings or ProgrammeSettings()
    inner = create_programme_app(db, settings=settings, vault=vault)
    return standalone_app(inner, settings.mount_prefix)


def create_programme_app(
    db: str | Engine, *, settings: ProgrammeSettings | None = None, vault: CprVault | None = None
) -> FastAPI:
    """The programme module as an ASGI app (mount it under ``settings.mount_prefix``)."""
    settings = settings or ProgrammeSettings()
    countries = load_countries()

    def page_globals(lang: str) -> dict:
        return {
            "status_word": lambda s: t(STATUS_WORDS[s], lang),
            "country": lambda c: (
                (countries[c].name_en if lang == "en" else countries[c].name_da)
                if c in countries
                else c
            ),
        }

    web = CaseWeb(
        db,
        settings,
        name="programme",
        title="Københavnermodellen API",
        roles=PROGRAMME_ROLES,  # a Welcome House role, say, sees no case data
        foreign_role="not a programme role",
        templates=HERE / "templates",
        static=HERE / "static",
        stylesheet="programme.css",
        t=t,
        pages=roles.STAFF_PAGES,
        page_globals=page_globals,
    )
    app, opened, render = web.app, web.opened, web.render

    # --- person access -----------------------------------------------------------------------

    def load_person(ctx: Ctx, person_id: int) -> Person:
        p = ctx.db.scalar(
            select(Person)
            .where(Person.id == person_id)
            .options(
                selectinload(Person.episodes),
                selectinload(Person.responsibilities),
                selectinload(Person.waivers),
                selectinload(Person.profile),
            )
        )
        if p is None:
            raise Denied(404, "no such person")
        return p

    def access(ctx: Ctx, p: Person, rec: CaseRecord) -> str | None:
        """'scope', 'break_glass' or None for the current user and person."""
        referred = bool(rec.kinds("danish_education"))
        today = settings.today()
        if roles.scope_reason(ctx.user, p, today, referred=referred, t0=rec.t0):
            return "scope"
        if auth.active_break_glass(ctx.db, ctx.user.id, "person", str(p.id)):
            return "break_glass"
        return None

    def read_person(ctx: Ctx, person_id: int, purpose: str | None = None):
        """The person, its record and the access basis; the read is logged; 403 outside scope."""
        if ctx.user.role not in roles.FIELD_GROUPS:
            raise Denied(403)
        p = load_person(ctx, person_id)
        rec = record_from_person(p)
        basis = access(ctx, p, rec)
        if basis is None:
            raise Denied(403, "outside your scope")
        if basis == "break_glass":
            bg = auth.active_break_glass(ctx.db, ctx.user.id, "person", str(p.id))
            purpose = f"break the glass: {bg.reason}"
        access_log.record(
            ctx.db,
            ctx.actor,
            "read",
            record_type="person",
            record_id=p.id,
            subject_id=p.id,
            purpose=purpose or "casework",
        )
        ctx.db.commit()
        return p, rec, basis

    def scoped_persons(ctx: Ctx) -> list[Person]:
        q = select(Person).options(selectinload(Person.episodes))
        role = ctx.user.role
        if role in ("caseworker", "team_leader"):
            q = q.where(Person.team == ctx.user.team)
        elif role == "language_liaison":
            q = q.where(Person.episodes.any(Episode.kind == "danish_education"))
        elif role != "asylum_consultant":
            raise Denied(403)
        persons = list(ctx.db.scalars(q.order_by(Person.id)))
        if role == "asylum_consultant":
            today = settings.today()
            persons = [p for p in persons if record_from_person(p).t0 > today]
        return persons

    def person_view(ctx: Ctx, p: Person, rec: CaseRecord) -> dict:
        today = settings.today()
        groups = roles.FIELD_GROUPS[ctx.user.role]
        view = {
            "id": p.id,
            "person_id": p.person_ref,
            "name": p.name,
            "cpr": mask_cpr(p.birth_date),
            "sex": p.sex,
            "birth_date": p.birth_date.isoformat(),
            "country_code": p.country_code,
            "team": p.team,
        }
        if "case" in groups or "asylum" in groups:
            view |= {
                "placement_date": p.placement_date.isoformat(),
                "arrival_date": p.arrival_date.isoformat() if p.arrival_date else None,
                "t0": rec.t0.isoformat(),
            }
        if "case" in groups:
            pw = derive_pathway(rec, today)
            view["pathway"] = {
                "stage": pw.stage,
                "exit_reason": pw.exit_reason,
                "employment_step": pw.employment_step,
                "in_company_offer": pw.in_company_offer,
                "self_supporting": pw.self_supporting,
                "continuous_company_effort": pw.continuous_company_effort,
                "danish_level": pw.danish_level,
                "danish_modules_passed": pw.danish_modules_passed,
                "danish_test_passed": pw.danish_test_passed,
            }
        if "tasks" in groups:
            view["tasks"] = [
                {
                    "rule_id": x.rule_id,
                    "title": x.title_en if ctx.lang == "en" else x.title_da,
                    "due": x.due.isoformat(),
                    "status": x.status,
                    "met_on": x.met_on.isoformat() if x.met_on else None,
                }
                for x in sorted(evaluate(rec, today), key=lambda x: (URGENCY[x.status], x.due))
            ]
        kinds = None
        if "case" not in groups:
            kinds = set()
            if "danish" in groups:
                kinds |= {"danish_education", "danish_test"}
            if "asylum" in groups:
                kinds |= {"asylum_contact"}
        view["episodes"] = [
            {
                "kind": e.kind,
                "start_date": e.start_date.isoformat(),
                "end_date": e.end_date.isoformat() if e.end_date else None,
                "hours_per_week": e.hours_per_week,
                "company_cvr": e.company_cvr,
                "disco_code": e.disco_code,
                "passed": e.passed,
                "goal": e.goal,
                "level": e.level,
                "module": e.module,
            }
            for e in sorted(p.episodes, key=lambda e: (e.start_date, e.id))
            if kinds is None or e.kind in kinds
        ]
        if "profile" in groups and p.profile is not None:
            pr = p.profile
            view["profile"] = {
                "schooling_years": pr.schooling_years,
                "education_level": pr.education_level,
                "occupations": pr.occupations,
                "languages": pr.languages,
                "danish_cefr": pr.danish_cefr,
            }
        if "case" in groups:
            view["waivers"] = [
                {
                    "id": w.id,
                    "rule_id": w.rule_id,
                    "reason": w.reason,
                    "approved_by": w.approved_by,
                }
                for w in p.waivers
            ]
        return view

    # --- pages -------------------------------------------------------------------------------

    def team_tasks(ctx: Ctx) -> list[tuple[CaseRecord, object]]:
        today = settings.today()
        items = []
        for p in scoped_persons(ctx):
            if ctx.user.role == "caseworker" and p.caseworker_id not in (None, ctx.user.id):
                continue
            rec = record_from_person(p)
            items += [
                (rec, x) for x in evaluate(rec, today) if x.status in ("overdue", "due", "upcoming")
            ]
        return sorted(items, key=lambda it: (URGENCY[it[1].status], it[1].due, it[0].key))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request):
        with opened(request) as ctx:
            pages = roles.STAFF_PAGES.get(ctx.user.role, ())
            if "tasks" not in pages:
                return redirect(ctx, f"/{pages[0]}" if pages else "/login")
            items = team_tasks(ctx)
            access_log.record_many(
                ctx.db,
                ctx.actor,
                "search",
                sorted({int(r.key) for r, _ in items}),
                purpose="deadline list",
            )
            ctx.db.commit()
            return render(ctx, "tasks.html", items=items[:300], total=len(items))

    @app.get("/tasks", response_class=HTMLResponse, include_in_schema=False)
    def tasks_page(request: Request):
        return home(request)

    @app.get("/persons", response_class=HTMLResponse, include_in_schema=False)
    def persons_page(request: Request):
        with opened(request) as ctx:
            persons = scoped_persons(ctx)[:500]
            access_log.record_many(
                ctx.db, ctx.actor, "search", [p.id for p in persons], purpose="caseload list"
            )
            ctx.db.commit()
            return render(
                ctx,
                "persons.html",
                persons=persons,
                searched=False,
                has_key=vault is not None,
                mask=mask_cpr,
            )

    def search(ctx: Ctx, q: str) -> list[Person]:
        q = q.strip()
        if not q:
            return []
        allowed = {p.id for p in scoped_persons(ctx)}
        cpr = normalise_cpr(q)
        if cpr is not None:
            if vault is None:
                return []
            found = ctx.db.scalars(select(Person).where(Person.cpr_hash == vault.lookup_hash(cpr)))
            purpose = "search by CPR number"
        else:
            like = f"%{q}%"
            found = ctx.db.scalars(
                select(Person).where(or_(Person.name.ilike(like), Person.person_ref.ilike(like)))
            )
            purpose = "search by name or id"
        hits = [p for p in found if p.id in allowed][:100]
        access_log.record_many(ctx.db, ctx.actor, "search", [p.id for p in hits], purpose=purpose)
        ctx.db.commit()
        return hits

    @app.post("/persons/search", response_class=HTMLResponse, include_in_schema=False)
    async def persons_search(request: Request):
        with opened(request) as ctx:
            form = await form_of(ctx)
            hits = search(ctx, form.get("q", ""))
            return render(
                ctx,
                "persons.html",
                persons=hits,
                searched=True,
                has_key=vault is not None,
                mask=mask_cpr,
            )

    @app.get("/persons/{person_id}", response_class=HTMLResponse, include_in_schema=False)
    def person_page(request: Request, person_id: int):
        with opened(request) as ctx:
            try:
                p, rec, basis = read_person(ctx, person_id)
            except Denied as d:
                if d.status == 403 and auth.ROLES[ctx.user.role].can_break_glass:
                    return render(ctx, "break_glass.html", 403, person_id=person_id)
                raise
            view = person_view(ctx, p, rec)
            slots = []
            if "profile" in roles.FIELD_GROUPS[ctx.user.role]:
                slots = match_person(
                    rec, view.get("profile") or {}, open_slots(ctx), settings.today()
                )[:10]
            bg = auth.active_break_glass(ctx.db, ctx.user.id, "person", str(p.id))
            return render(
                ctx,
                "person.html",
                p=view,
                basis=basis,
                break_glass=bg,
                groups=roles.FIELD_GROUPS[ctx.user.role],
                slots=slots,
                kinds=[k for k in EPISODE_KINDS if roles.may_write_kind(ctx.user.role, k)],
                rules=sorted({r.id for r in load_rules() if r.enabled}),
                has_key=vault is not None,
                saved=request.query_params.get("saved"),
            )

    def open_slots(ctx: Ctx) -> list[Slot]:
        today = settings.today()
        slots = list(
            ctx.db.scalars(
                select(Slot).where(Slot.end_date >= today).options(selectinload(Slot.company))
            )
        )
        taken = {}
        for sid, end in ctx.db.execute(
            select(Episode.slot_id, Episode.end_date).where(Episode.slot_id.is_not(None))
        ):
            if end is None or end >= today:
                taken[sid] = taken.get(sid, 0) + 1
        for s in slots:
            s.free = s.capacity - taken.get(s.id, 0)
        return slots

    @app.post("/persons/{person_id}/break-glass", include_in_schema=False)
    async def break_glass(request: Request, person_id: int):
        with opened(request) as ctx:
            form = await form_of(ctx)
            p = load_person(ctx, person_id)
            try:
                bg = auth.open_break_glass(
                    ctx.db,
                    ctx.user,
                    "person",
                    str(p.id),
                    p.team,
                    form.get("reason", ""),
                    settings.auth,
                )
            except auth.AuthError as exc:
                raise Denied(403, str(exc)) from None
            access_log.record(
                ctx.db,
                ctx.actor,
                "break_glass",
                record_type="person",
                record_id=p.id,
                subject_id=p.id,
                purpose=bg.reason,
            )
            ctx.db.commit()
            return redirect(ctx, f"/persons/{p.id}")

    def reveal(ctx: Ctx, person_id: int, purpose: str) -> tuple[Person, str]:
        if vault is None:
            raise Denied(409, t("no_key", ctx.lang))
        purpose = purpose.strip()
        if len(purpose) < 5:
            raise Denied(422, "give the purpose (at least 5 characters)")
        if ctx.user.role not in ("caseworker", "team_leader"):
            raise Denied(403)
        p, _rec, _basis = read_person(ctx, person_id, purpose=f"CPR shown: {purpose}")
        access_log.record(
            ctx.db,
            ctx.actor,
            "reveal",
            record_type="person",
            record_id=p.id,
            subject_id=p.id,
            purpose=purpose,
        )
        ctx.db.commit()
        return p, vault.decrypt(p.cpr_cipher)

    @app.post("/persons/{person_id}/reveal", response_class=HTMLResponse, include_in_schema=False)
    async def reveal_page(request: Request, person_id: int):
        with opened(request) as ctx:
            form = await form_of(ctx)
            p, cpr = reveal(ctx, person_id, form.get("purpose", ""))
            return render(ctx, "reveal.html", p=p, cpr=f"{cpr[:6]}-{cpr[6:]}")

    def add_episode(ctx: Ctx, p: Person, data: dict) -> Episode:
        kind = data.get("kind", "")
        if kind not in EPISODE_KINDS or not roles.may_write_kind(ctx.user.role, kind):
            raise Denied(403, "you may not add this kind of episode")
        try:
            start = date.fromisoformat(data.get("start_date", ""))
            end = date.fromisoformat(data["end_date"]) if data.get("end_date") else None
            hours = float(data["hours_per_week"]) if data.get("hours_per_week") else None
            module = int(data["module"]) if data.get("module") else None
        except ValueError:
            raise Denied(
                422, "start_date/end_date are YYYY-MM-DD; hours and module are numbers"
            ) from None
        if end is not None and end < start:
            raise Denied(422, "end_date is before start_date")
        cvr = data.get("company_cvr") or None
        if cvr is not None and not (len(cvr) == 8 and cvr.isdigit()):
            raise Denied(422, "company_cvr is 8 digits")
        passed = {"true": True, "false": False}.get(data.get("passed", ""))
        ep = Episode(
            person_id=p.id,
            kind=kind,
            start_date=start,
            end_date=end,
            hours_per_week=hours,
            company_cvr=cvr,
            disco_code=data.get("disco_code") or None,
            passed=passed,
            goal=data.get("goal") or None,
            level=data.get("level") or None,
            module=module,
            slot_id=int(data["slot_id"]) if str(data.get("slot_id", "")).isdigit() else None,
            created_by=ctx.user.username,
            created_at=utcnow(),
        )
        ctx.db.add(ep)
        ctx.db.flush()
        access_log.record(
            ctx.db,
            ctx.actor,
            "create",
            record_type="episode",
            record_id=ep.id,
            subject_id=p.id,
            purpose=f"episode {kind}",
        )
        return ep

    @app.post("/persons/{person_id}/episodes", include_in_schema=False)
    async def episodes_post(request: Request, person_id: int):
        with opened(request) as ctx:
            data = await form_of(ctx)
            p, _rec, _b = read_person(ctx, person_id, purpose="adding an episode")
            add_episode(ctx, p, data)
            ctx.db.commit()
            return redirect(ctx, f"/persons/{p.id}?saved=1")

    @app.post("/persons/{person_id}/waivers", include_in_schema=False)
    async def waiver_post(request: Request, person_id: int):
        with opened(request) as ctx:
            data = await form_of(ctx)
            need_role(ctx, "caseworker", "team_leader")
            p, _rec, _b = read_person(ctx, person_id, purpose="waiver request")
            rule = data.get("rule_id", "")
            reason = data.get("reason", "").strip()
            if rule not in {r.id for r in load_rules()} or len(reason) < 10:
                raise Denied(422, "choose a rule and give a reason (at least 10 characters)")
            w = Waiver(
                person_id=p.id,
                rule_id=rule,
                reason=reason[:500],
                requested_by=ctx.user.username,
                requested_at=utcnow(),
            )
            ctx.db.add(w)
            ctx.db.flush()
            access_log.record(
                ctx.db,
                ctx.actor,
                "create",
                record_type="waiver",
                record_id=w.id,
                subject_id=p.id,
                purpose=f"waiver of {rule} requested",
            )
            ctx.db.commit()
            return redirect(ctx, f"/persons/{p.id}?saved=1")

    @app.post("/waivers/{waiver_id}/approve", include_in_schema=False)
    async def waiver_approve(request: Request, waiver_id: int):
        with opened(request) as ctx:
            await form_of(ctx)
            need_role(ctx, "team_leader")
            w = ctx.db.get(Waiver, waiver_id)
            if w is None:
                raise Denied(404, "no such waiver")
            p = load_person(ctx, w.person_id)
            if p.team != ctx.user.team:
                raise Denied(403, "outside your team")
            w.approved_by, w.approved_at = ctx.user.username, utcnow()
            access_log.record(
                ctx.db,
                ctx.actor,
                "approve",
                record_type="waiver",
                record_id=w.id,
                subject_id=p.id,
                purpose=f"waiver of {w.rule_id} approved",
            )
            ctx.db.commit()
            return redirect(ctx, "/compliance")

    @app.get("/compliance", response_class=HTMLResponse, include_in_schema=False)
    def compliance_page(request: Request):
        with opened(request) as ctx:
            need_role(ctx, "team_leader")
            today = settings.today()
            persons = scoped_persons(ctx)
            counts = compliance([evaluate(record_from_person(p), today) for p in persons])
            alerts = auth.break_glass_for_team(ctx.db, ctx.user.team)
            pending = list(
                ctx.db.execute(
                    select(Waiver, Person.person_ref)
                    .join(Person, Person.id == Waiver.person_id)
                    .where(Person.team == ctx.user.team, Waiver.approved_by.is_(None))
                )
            )
            rules = {r.id: r for r in load_rules()}
            return render(
                ctx,
                "compliance.html",
                counts=counts,
                rules=rules,
                alerts=alerts,
                pending=pending,
                n=len(persons),
                statuses=list(URGENCY),
            )

    @app.post("/break-glass/{bg_id}/acknowledge", include_in_schema=False)
    async def break_glass_ack(request: Request, bg_id: int):
        with opened(request) as ctx:
            await form_of(ctx)
            need_role(ctx, "team_leader")
            bg = ctx.db.get(BreakGlass, bg_id)
            if bg is None or bg.team != ctx.user.team:
                raise Denied(404, "no such event")
            bg.acknowledged_by, bg.acknowledged_at = ctx.user.username, utcnow()
            ctx.db.commit()
            return redirect(ctx, "/compliance")

    @app.get("/companies", response_class=HTMLResponse, include_in_schema=False)
    def companies_page(request: Request):
        with opened(request) as ctx:
            need_role(ctx, "caseworker", "team_leader", "company_consultant")
            q = select(Company).options(selectinload(Company.slots)).order_by(Company.name)
            if ctx.user.role == "company_consultant":
                q = q.where(Company.consultant_id == ctx.user.id)
            return render(ctx, "companies.html", companies=list(ctx.db.scalars(q)))

    def slot_matches(ctx: Ctx, slot_id: int):
        need_role(ctx, "caseworker", "team_leader", "company_consultant")
        slot = ctx.db.scalar(
            select(Slot).where(Slot.id == slot_id).options(selectinload(Slot.company))
        )
        if slot is None:
            raise Denied(404, "no such slot")
        if ctx.user.role == "company_consultant" and slot.company.consultant_id != ctx.user.id:
            raise Denied(403, "not one of your companies")
        q = select(Person).options(selectinload(Person.episodes), selectinload(Person.profile))
        if ctx.user.role != "company_consultant":
            q = q.where(Person.team == ctx.user.team)
        candidates = []
        for p in ctx.db.scalars(q):
            prof = p.profile
            profile = (
                {"occupations": prof.occupations, "danish_cefr": prof.danish_cefr} if prof else {}
            )
            candidates.append((record_from_person(p), profile))
        matches = match_slot(slot, candidates, settings.today())[:20]
        access_log.record_many(
            ctx.db,
            ctx.actor,
            "search",
            [int(m.rec.key) for m in matches],
            purpose=f"matching for slot {slot.id}",
        )
        ctx.db.commit()
        return slot, matches

    @app.get("/slots/{slot_id}", response_class=HTMLResponse, include_in_schema=False)
    def slot_page(request: Request, slot_id: int):
        with opened(request) as ctx:
            slot, matches = slot_matches(ctx, slot_id)
            return render(ctx, "slot.html", slot=slot, matches=matches)

    def kpi_frame(ctx: Ctx):
        need_role(ctx, "analyst", "team_leader")
        frame = compute_kpis(load_records(ctx.db), KpiParams(as_of=settings.today()))
        access_log.record(ctx.db, ctx.actor, "export", record_type="kpis", purpose="internal KPIs")
        ctx.db.commit()
        return frame

    @app.get("/kpis", response_class=HTMLResponse, include_in_schema=False)
    def kpis_page(request: Request):
        with opened(request) as ctx:
            frame = kpi_frame(ctx)
            frame = frame[frame["sex"] == request.query_params.get("sex", "all")]
            years = sorted(frame["cohort_year"].unique())
            table = {(r.kpi_id, r.cohort_year): r for r in frame.itertuples()}
            return render(ctx, "kpis.html", kpis=list(KPI_BY_ID.values()), years=years, table=table)

    def audit_extract(ctx: Ctx, person_ref: str) -> tuple[Person, list[dict]]:
        need_role(ctx, "auditor")
        p = ctx.db.scalar(select(Person).where(Person.person_ref == person_ref))
        if p is None:
            raise Denied(404, "no such person id")
        events = access_log.extract_for_subject(ctx.db, p.id, with_staff=True)
        access_log.record(
            ctx.db,
            ctx.actor,
            "export",
            record_type="person",
            record_id=p.id,
            subject_id=p.id,
            purpose="the citizen's access-log extract",
        )
        ctx.db.commit()
        return p, events

    @app.get("/audit", response_class=HTMLResponse, include_in_schema=False)
    def audit_page(request: Request):
        with opened(request) as ctx:
            need_role(ctx, "auditor")
            ref = request.query_params.get("person", "").strip()
            events, recent = None, []
            if ref:
                _p, events = audit_extract(ctx, ref)
            else:
                recent = list(
                    ctx.db.scalars(select(AccessEvent).order_by(AccessEvent.id.desc()).limit(100))
                )
            return render(ctx, "audit.html", ref=ref, events=events, recent=recent)

    @app.get("/users", response_class=HTMLResponse, include_in_schema=False)
    def users_page(request: Request):
        with opened(request) as ctx:
            need_role(ctx, "admin")
            return render(
                ctx,
                "users.html",
                users=list(
                    ctx.db.scalars(
                        select(User)
                        .where(User.role.in_(PROGRAMME_ROLES))  # other domains list their own
                        .order_by(User.username)
                    )
                ),
            )

    # --- JSON API ------------------------------------------------------------------------------

    @app.get("/api/v1/me")
    def api_me(request: Request):
        with opened(request) as ctx:
            u = ctx.user
            return api(
                {
                    "username": u.username,
                    "role": u.role,
                    "team": u.team,
                    "csrf_token": ctx.login.csrf_token,
                },
            )

    @app.get("/api/v1/tasks")
    def api_tasks(request: Request):
        with opened(request) as ctx:
            items = team_tasks(ctx)
            access_log.record_many(
                ctx.db,
                ctx.actor,
                "search",
                sorted({int(r.key) for r, _ in items}),
                purpose="deadline list",
            )
            ctx.db.commit()
            return api(
                {
                    "tasks": [
                        {
                            "person": int(r.key),
                            "rule_id": x.rule_id,
                            "due": x.due.isoformat(),
                            "status": x.status,
                        }
                        for r, x in items
                    ]
                },
            )

    @app.post("/api/v1/persons/search")
    async def api_search(request: Request):
        with opened(request) as ctx:
            body = await json_of(ctx)
            hits = search(ctx, str(body.get("q", "")))
            return api(
                {
                    "persons": [
                        {
                            "id": p.id,
                            "person_id": p.person_ref,
                            "name": p.name,
                            "cpr": mask_cpr(p.birth_date),
                        }
                        for p in hits
                    ]
                },
            )

    @app.get("/api/v1/persons/{person_id}")
    def api_person(request: Request, person_id: int):
        with opened(request) as ctx:
            p, rec, basis = read_person(ctx, person_id)
            return api(person_view(ctx, p, rec) | {"access": basis})

    @app.post("/api/v1/persons/{person_id}/reveal")
    async def api_reveal(request: Request, person_id: int):
        with opened(request) as ctx:
            body = await json_of(ctx)
            p, cpr = reveal(ctx, person_id, str(body.get("purpose", "")))
            return api({"id": p.id, "cpr": f"{cpr[:6]}-{cpr[6:]}"})

    @app.post("/api/v1/persons/{person_id}/episodes")
    async def api_episode(request: Request, person_id: int):
        with opened(request) as ctx:
            body = await json_of(ctx)
            p, _rec, _b = read_person(ctx, person_id, purpose="adding an episode")
            ep = add_episode(ctx, p, {k: "" if v is None else str(v) for k, v in body.items()})
            ctx.db.commit()
            return api({"id": ep.id}, 201)

    @app.get("/api/v1/slots/{slot_id}/matches")
    def api_matches(request: Request, slot_id: int):
        with opened(request) as ctx:
            slot, matches = slot_matches(ctx, slot_id)
            return api(
                {
                    "slot": slot.id,
                    "matches": [
                        {
                            "person": int(m.rec.key),
                            "name": m.rec.name,
                            "score": m.score,
                            "reasons": [r[1] if ctx.lang == "en" else r[0] for r in m.reasons],
                        }
                        for m in matches
                    ],
                },
            )

    @app.get("/api/v1/kpis")
    def api_kpis(request: Request):
        with opened(request) as ctx:
            frame = kpi_frame(ctx)
            return api(
                {
                    "as_of": settings.today().isoformat(),
                    "kpis": frame.where(frame.notna(), None).to_dict(orient="records"),
                },
            )

    @app.get("/api/v1/audit/{person_ref}")
    def api_audit(request: Request, person_ref: str):
        with opened(request) as ctx:
            _p, events = audit_extract(ctx, person_ref)
            return api({"person_id": person_ref, "events": events})

    return app
