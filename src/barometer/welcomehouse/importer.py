"""``barometer welcomehouse import``: organisations, volunteers, certificates, activities,
sessions, assignments and attendance from CSV files (docs/welcomehouse.md gives the columns).

Every file present is read and checked, against the other files and the database, before
anything is written; problems name file, column and rows (row 1 is the first row after the
header), never a volunteer's id or values; then one transaction writes everything or nothing.
An assignment that breaks the certificate rule on its session's date is a problem like any
other: the data never record work the rule forbids.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.orm import Session

from barometer.casework import access_log
from barometer.casework.csvio import BOOL_VALUES, Checker, Problems, read_table
from barometer.casework.db import bulk_writer, check_synthetic_flag, utcnow
from barometer.errors import InputError
from barometer.welcomehouse.audit import log_many
from barometer.welcomehouse.certificates import (
    CertificateRules,
    certificate_state,
    required_kinds,
)
from barometer.welcomehouse.models import (
    ACTIVITY_KINDS,
    AGE_BANDS,
    CERTIFICATE_KINDS,
    REQUIREMENTS,
    SEXES,
    VOLUNTEER_STATUSES,
    Activity,
    ActivitySession,
    Assignment,
    Attendance,
    Certificate,
    House,
    Organisation,
    Volunteer,
)

FILES = {
    "organisations.csv": (("org_id", "name", "cvr"), ("agreement", "contact")),
    "volunteers.csv": (("volunteer_id", "org_id", "name", "status"), ("house", "contact")),
    "certificates.csv": (
        ("volunteer_id", "kind", "received_date", "assessed_ok", "valid_until"),
        ("assessed_by",),
    ),
    "activities.csv": (
        ("activity_id", "house", "org_id", "kind", "requires_certificate"),
        ("name",),
    ),
    "sessions.csv": (
        ("session_id", "activity_id", "date", "start", "end"),
        ("roles", "volunteers_needed"),
    ),
    "assignments.csv": (("volunteer_id", "session_id", "hours"), ()),
    "attendance.csv": (("session_id", "age_band", "sex", "headcount"), ()),
}
MAX_ID = 64


@dataclass(frozen=True)
class ImportResult:
    organisations: int
    volunteers: int
    certificates: int
    activities: int
    sessions: int
    assignments: int
    attendance: int


def _time(value: str) -> time | None:
    try:
        t = time.fromisoformat(value)
    except ValueError:
        return None
    return t if len(value) in (5, 8) else None


class _Refs:
    """Ids already in the database and those in the files, for reference checks."""

    def __init__(self, db: Session) -> None:
        self.orgs = dict(db.execute(select(Organisation.org_ref, Organisation.id)).all())
        self.volunteers = dict(db.execute(select(Volunteer.volunteer_ref, Volunteer.id)).all())
        self.activities = dict(db.execute(select(Activity.activity_ref, Activity.id)).all())
        self.sessions = dict(
            db.execute(select(ActivitySession.session_ref, ActivitySession.id)).all()
        )
        self.houses = dict(db.execute(select(House.code, House.id)).all())


def _ids(c: Checker, rows, column: str, existing: dict, noun: str) -> list[str | None]:
    """Each row's id: required, at most 64 characters, unique in the file and new."""
    seen: set[str] = set()
    out = []
    for i, r in enumerate(rows, start=1):
        v = c.required(r, column, i)
        if v and len(v) > MAX_ID:
            c.bad(column, i, f"longer than {MAX_ID} characters")
            v = None
        elif v and v in seen:
            c.bad(column, i, f"duplicate {column}")
            v = None
        elif v and v in existing:
            c.bad(column, i, f"this {noun} is already in the database")
            v = None
        if v:
            seen.add(v)
        out.append(v)
    return out


def _ref(c: Checker, r, column: str, i: int, known, where: str, *, required: bool = True):
    """An id that must be in ``known`` (this import's file ``where`` or the database)."""
    noun = column.removesuffix("_id")
    message = f"no such {noun} in {where} or the database"
    return c.choice(r, column, i, known, required=required, message=message)


def import_directory(
    engine: Engine,
    folder: Path,
    *,
    rules: CertificateRules | None = None,
    actor: access_log.Actor | None = None,
    synthetic: bool = False,
) -> ImportResult:
    """Check every Welcome House file in ``folder``, then write them in one transaction."""
    rules = rules or CertificateRules()
    present = [n for n in FILES if (folder / n).is_file()]
    if not folder.is_dir() or not present:
        raise InputError(f"no Welcome House files ({', '.join(FILES)}) found", path=folder)
    problems = Problems()
    actor = actor or access_log.cli_actor()
    with bulk_writer(engine) as db:
        refs = _Refs(db)
        empty = not (refs.orgs or refs.volunteers or refs.activities) and not _has_persons(db)
        check_synthetic_flag(db, synthetic, empty=empty)
        tables = {
            n: read_table(folder / n, *FILES[n], problems) if n in present else [] for n in FILES
        }
        data = _check(folder, tables, refs, db, rules, problems)
        problems.raise_if_any()
        return _write(db, data, refs, actor)


def _has_persons(db: Session) -> bool:
    """Whether the case domain holds anyone (synthetic data go only into an empty database)."""
    if not inspect(db.connection()).has_table("persons"):
        return False
    return db.execute(text("SELECT 1 FROM persons LIMIT 1")).first() is not None


def _check(folder: Path, t: dict, refs: _Refs, db: Session, rules, problems: Problems) -> dict:
    out: dict[str, list[dict]] = {}
    # organisations
    c = Checker(folder / "organisations.csv", problems)
    ids = _ids(c, t["organisations.csv"], "org_id", refs.orgs, "organisation")
    orgs = []
    for i, (r, oid) in enumerate(zip(t["organisations.csv"], ids, strict=True), start=1):
        name = c.required(r, "name", i)
        orgs.append(
            {
                "org_ref": oid,
                "name": name,
                "cvr": c.digits(r, "cvr", i, 8),
                "agreement": r.get("agreement") or None,
                "contact": r.get("contact") or None,
            }
        )
    out["organisations"] = orgs
    org_known = set(refs.orgs) | {o for o in ids if o}
    # activities (their houses are created as needed)
    c = Checker(folder / "activities.csv", problems)
    ids = _ids(c, t["activities.csv"], "activity_id", refs.activities, "activity")
    acts = []
    for i, (r, aid) in enumerate(zip(t["activities.csv"], ids, strict=True), start=1):
        house = c.required(r, "house", i)
        if house and len(house) > MAX_ID:
            c.bad("house", i, f"longer than {MAX_ID} characters")
            house = None
        acts.append(
            {
                "activity_ref": aid,
                "house": house,
                "org_ref": _ref(c, r, "org_id", i, org_known, "organisations.csv", required=False),
                "kind": c.choice(r, "kind", i, ACTIVITY_KINDS, required=True),
                "requires_certificate": c.choice(
                    r, "requires_certificate", i, REQUIREMENTS, required=True
                ),
                "name": r.get("name") or None,
            }
        )
    out["activities"] = acts
    houses = set(refs.houses) | {a["house"] for a in acts if a["house"]}
    # volunteers
    c = Checker(folder / "volunteers.csv", problems)
    ids = _ids(c, t["volunteers.csv"], "volunteer_id", refs.volunteers, "volunteer")
    vols = []
    for i, (r, vid) in enumerate(zip(t["volunteers.csv"], ids, strict=True), start=1):
        house = r.get("house") or None
        if house and house not in houses:
            c.bad("house", i, "no such house in activities.csv or the database")
            house = None
        vols.append(
            {
                "volunteer_ref": vid,
                "org_ref": _ref(c, r, "org_id", i, org_known, "organisations.csv", required=False),
                "house": house,
                "name": c.required(r, "name", i),
                "status": c.choice(r, "status", i, VOLUNTEER_STATUSES, required=True),
                "contact": r.get("contact") or None,
            }
        )
    out["volunteers"] = vols
    vol_known = set(refs.volunteers) | {v for v in ids if v}
    # certificates
    c = Checker(folder / "certificates.csv", problems)
    certs = []
    for i, r in enumerate(t["certificates.csv"], start=1):
        vref = _ref(c, r, "volunteer_id", i, vol_known, "volunteers.csv")
        kind = c.choice(r, "kind", i, CERTIFICATE_KINDS, required=True)
        received = c.date(r, "received_date", i, required=True)
        if received and received > date.today():
            c.bad("received_date", i, "in the future")
        ok = None
        if c.required(r, "assessed_ok", i):
            ok = BOOL_VALUES.get(r["assessed_ok"].lower())
            if ok is None:
                c.bad("assessed_ok", i, "not true or false")
        until = c.date(r, "valid_until", i)
        if until and received and until < received:
            c.bad("valid_until", i, "before received_date")
        certs.append(
            {
                "row": i,
                "volunteer_ref": vref,
                "kind": kind,
                "received_date": received,
                "assessed_ok": ok,
                "valid_until": until,
                "assessed_by": r.get("assessed_by") or None,
            }
        )
    out["certificates"] = certs
    # sessions
    act_known = set(refs.activities) | {a["activity_ref"] for a in acts if a["activity_ref"]}
    c = Checker(folder / "sessions.csv", problems)
    ids = _ids(c, t["sessions.csv"], "session_id", refs.sessions, "session")
    sess = []
    for i, (r, sid) in enumerate(zip(t["sessions.csv"], ids, strict=True), start=1):
        times = {}
        for col in ("start", "end"):
            if c.required(r, col, i):
                times[col] = _time(r[col])
                if times[col] is None:
                    c.bad(col, i, "not a time (HH:MM)")
        if times.get("start") and times.get("end") and times["end"] <= times["start"]:
            c.bad("end", i, "not after start")
        needed = None
        if r.get("volunteers_needed"):
            v = r["volunteers_needed"]
            needed = int(v) if v.isdigit() and 0 < int(v) <= 500 else None
            if needed is None:
                c.bad("volunteers_needed", i, "not a whole number from 1 to 500")
        sess.append(
            {
                "session_ref": sid,
                "activity_ref": _ref(c, r, "activity_id", i, act_known, "activities.csv"),
                "date": c.date(r, "date", i, required=True),
                "start": times.get("start"),
                "end": times.get("end"),
                "roles": (r.get("roles") or None) and r["roles"][:200],
                "volunteers_needed": needed,
            }
        )
    out["sessions"] = sess
    sess_known = set(refs.sessions) | {s["session_ref"] for s in sess if s["session_ref"]}
    # assignments
    c = Checker(folder / "assignments.csv", problems)
    assigns = []
    seen_pairs: set[tuple[str, str]] = set()
    for i, r in enumerate(t["assignments.csv"], start=1):
        vref = _ref(c, r, "volunteer_id", i, vol_known, "volunteers.csv")
        sref = _ref(c, r, "session_id", i, sess_known, "sessions.csv")
        if vref and sref and (vref, sref) in seen_pairs:
            c.bad("session_id", i, "the volunteer is on this session twice")
        seen_pairs.add((vref, sref))
        hours = c.hours(r, "hours", i, 24)
        assigns.append({"row": i, "volunteer_ref": vref, "session_ref": sref, "hours": hours})
    out["assignments"] = assigns
    # attendance
    c = Checker(folder / "attendance.csv", problems)
    att = []
    seen_cells: set[tuple] = set()
    for i, r in enumerate(t["attendance.csv"], start=1):
        sref = _ref(c, r, "session_id", i, sess_known, "sessions.csv")
        band = c.choice(r, "age_band", i, AGE_BANDS, required=True)
        sex = c.choice(r, "sex", i, SEXES, required=True)
        n = None
        if c.required(r, "headcount", i):
            v = r["headcount"]
            n = int(v) if v.isdigit() and int(v) <= 10000 else None
            if n is None:
                c.bad("headcount", i, "not a whole number from 0 to 10000")
        if sref and band and sex:
            if (sref, band, sex) in seen_cells:
                c.bad("age_band", i, "a second headcount for the same session, age band and sex")
            seen_cells.add((sref, band, sex))
        att.append({"session_ref": sref, "age_band": band, "sex": sex, "headcount": n})
    out["attendance"] = att
    if not problems.by_key:
        _check_rule(folder, out, refs, db, rules, problems)
        _check_existing_attendance(folder, out, refs, db, problems)
    return out


def _session_facts(out: dict, refs: _Refs, db: Session) -> dict[str, SimpleNamespace]:
    """Per session id: date, start, end and the certificate requirement."""
    req = {a["activity_ref"]: a["requires_certificate"] for a in out["activities"]}
    req |= dict(db.execute(select(Activity.activity_ref, Activity.requires_certificate)).all())
    facts = {
        s["session_ref"]: SimpleNamespace(
            date=s["date"], start=s["start"], end=s["end"], req=req[s["activity_ref"]]
        )
        for s in out["sessions"]
    }
    q = select(
        ActivitySession.session_ref,
        ActivitySession.date,
        ActivitySession.start,
        ActivitySession.end,
        Activity.requires_certificate,
    ).join(Activity)
    for ref, d, st, en, rq in db.execute(q):
        facts[ref] = SimpleNamespace(date=d, start=st, end=en, req=rq)
    return facts


def _check_rule(folder, out, refs, db, rules, problems) -> None:
    """The certificate rule and overlaps, for each assignment in the file."""
    if not out["assignments"]:
        return
    path = folder / "assignments.csv"
    facts = _session_facts(out, refs, db)
    certs = defaultdict(list)
    for x in out["certificates"]:
        certs[x["volunteer_ref"]].append(SimpleNamespace(**x))
    q = select(Volunteer.volunteer_ref, Certificate).join(Certificate)
    for vref, cert in db.execute(q):
        certs[vref].append(cert)
    booked = defaultdict(list)  # volunteer → sessions already held in the database
    q = select(Volunteer.volunteer_ref, ActivitySession.session_ref).select_from(Assignment)
    q = q.join(Volunteer).join(ActivitySession)
    for vref, sref in db.execute(q):
        booked[vref].append(sref)
    for a in out["assignments"]:
        s = facts[a["session_ref"]]
        for kind in required_kinds(s.req, rules):
            st = certificate_state(certs[a["volunteer_ref"]], kind, s.date, rules)
            if st.status != "valid":
                problems.add(
                    path,
                    "session_id",
                    f"the activity needs a valid {kind} certificate on the session's date "
                    f"and the volunteer's is {st.status}",
                    a["row"],
                )
        for other in booked[a["volunteer_ref"]]:
            o = facts[other]
            if other == a["session_ref"]:
                problems.add(
                    path, "session_id", "the volunteer is already on this session", a["row"]
                )
            elif o.date == s.date and o.start < s.end and s.start < o.end:
                problems.add(
                    path, "session_id", "overlaps another session of the volunteer", a["row"]
                )
        booked[a["volunteer_ref"]].append(a["session_ref"])


def _check_existing_attendance(folder, out, refs, db, problems) -> None:
    if not out["attendance"]:
        return
    q = select(ActivitySession.session_ref, Attendance.age_band, Attendance.sex).join(
        ActivitySession, ActivitySession.id == Attendance.session_id
    )
    held = set(db.execute(q).all())
    for i, x in enumerate(out["attendance"], start=1):
        if (x["session_ref"], x["age_band"], x["sex"]) in held:
            problems.add(
                folder / "attendance.csv",
                "age_band",
                "a headcount for this session, age band and sex is already in the database",
                i,
            )


def _insert(db: Session, model, rows: list[dict], key: str) -> dict[str, int]:
    if not rows:
        return {}
    col = getattr(model, key)
    result = db.execute(
        insert(model).returning(model.id, col, sort_by_parameter_order=True), rows
    ).all()
    return {ref: id_ for id_, ref in result}


def _write(db: Session, d: dict, refs: _Refs, actor: access_log.Actor) -> ImportResult:
    new_houses = sorted({a["house"] for a in d["activities"]} - set(refs.houses))
    houses = refs.houses | _insert(
        db, House, [{"code": h, "name": h, "address": None} for h in new_houses], "code"
    )
    orgs = refs.orgs | _insert(db, Organisation, d["organisations"], "org_ref")
    vols = refs.volunteers | _insert(
        db,
        Volunteer,
        [
            {
                "volunteer_ref": v["volunteer_ref"],
                "organisation_id": orgs.get(v["org_ref"]),
                "house_id": houses.get(v["house"]),
                "name": v["name"],
                "status": v["status"],
                "contact": v["contact"],
            }
            for v in d["volunteers"]
        ],
        "volunteer_ref",
    )
    if d["certificates"]:
        db.execute(
            insert(Certificate),
            [
                {
                    "volunteer_id": vols[x["volunteer_ref"]],
                    **{
                        k: x[k]
                        for k in (
                            "kind",
                            "received_date",
                            "assessed_ok",
                            "valid_until",
                            "assessed_by",
                        )
                    },
                }
                for x in d["certificates"]
            ],
        )
    acts = refs.activities | _insert(
        db,
        Activity,
        [
            {
                "activity_ref": a["activity_ref"],
                "house_id": houses[a["house"]],
                "organisation_id": orgs.get(a["org_ref"]),
                "kind": a["kind"],
                "name": a["name"],
                "requires_certificate": a["requires_certificate"],
            }
            for a in d["activities"]
        ],
        "activity_ref",
    )
    sessions = refs.sessions | _insert(
        db,
        ActivitySession,
        [
            {
                "activity_id": acts[s["activity_ref"]],
                **{
                    k: s[k]
                    for k in ("session_ref", "date", "start", "end", "roles", "volunteers_needed")
                },
            }
            for s in d["sessions"]
        ],
        "session_ref",
    )
    now = utcnow()
    if d["assignments"]:
        db.execute(
            insert(Assignment),
            [
                {
                    "volunteer_id": vols[a["volunteer_ref"]],
                    "session_id": sessions[a["session_ref"]],
                    "hours": a["hours"],
                    "created_by": actor.username,
                    "created_at": now,
                }
                for a in d["assignments"]
            ],
        )
    if d["attendance"]:
        db.execute(
            insert(Attendance),
            [
                {
                    "session_id": sessions[x["session_ref"]],
                    **{k: x[k] for k in ("age_band", "sex", "headcount")},
                }
                for x in d["attendance"]
            ],
        )
    new_vols = [vols[v["volunteer_ref"]] for v in d["volunteers"]]
    log_many(db, actor, "create", "wh_volunteer", new_vols, purpose="Welcome House import")
    access_log.record(
        db,
        actor,
        "create",
        record_type="wh_import",
        detail=", ".join(f"{k}: {len(v)}" for k, v in d.items()),
        purpose="Welcome House import",
    )
    return ImportResult(
        len(d["organisations"]),
        len(d["volunteers"]),
        len(d["certificates"]),
        len(d["activities"]),
        len(d["sessions"]),
        len(d["assignments"]),
        len(d["attendance"]),
    )
