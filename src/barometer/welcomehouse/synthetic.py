"""Synthetic Welcome House data for the demo and the tests: houses, organisations, volunteers
with certificates that lapse and are renewed, weekly activities, sessions, assignments with
hours, and attendance headcounts.

Copenhagen opened its Welcome House in 2016 with about 85 active volunteer and civil-society
organisations (the city's pages also say about 150): the number is a parameter
(``n_organisations``), as is everything else here. The shapes are illustrative, not published
figures. Assignments obey the certificate rule, so coverage (W1) falls below 100 % only where a
certificate lapsed after the work. Everything is labelled synthetic; the same seed gives the
same data.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import Engine, select, text

from barometer.casework import access_log
from barometer.casework.auth import create_user
from barometer.casework.calendar import add_months
from barometer.casework.db import bulk_writer, check_synthetic_flag, write_meta
from barometer.casework.models import User
from barometer.welcomehouse import roles
from barometer.welcomehouse.certificates import CertificateRules, certificate_state, required_kinds
from barometer.welcomehouse.importer import FILES, _Refs, _write
from barometer.welcomehouse.models import (
    AGE_BANDS,
    ActivitySession,
    Consent,
    ConsentVisit,
    House,
    Organisation,
    UserScope,
    Volunteer,
)

DATA_DATE = date(2025, 6, 30)
HOUSES = ("Nørrebro", "Amager", "Valby", "Bispebjerg")  # four houses today (PROGRAMME.md §4.4)
ACTIVITY_PLAN = (  # kind, requirement, weekday, start hour, hours, volunteers, attendance size
    ("cafe", "none", 0, 10, 3, 3, 25),
    ("danish_help", "none", 1, 16, 2, 3, 14),
    ("job_cafe", "none", 2, 13, 3, 2, 12),
    ("sewing", "none", 3, 10, 3, 2, 8),
    ("bicycle_workshop", "none", 4, 14, 3, 2, 9),
    ("children", "child", 5, 10, 3, 3, 18),
    ("outing", "criminal_record", 6, 11, 5, 2, 15),
    ("counselling", "criminal_record", 1, 10, 2, 2, 6),
)
FIRST = (
    "Anna",
    "Mads",
    "Sofie",
    "Jonas",
    "Ida",
    "Ali",
    "Fatima",
    "Karen",
    "Lars",
    "Noor",
    "Emil",
    "Maria",
    "Omar",
    "Signe",
    "Peter",
    "Layla",
    "Hans",
    "Amira",
    "Mette",
    "Yusuf",
)
LAST = (
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Hassan",
    "Ahmadi",
    "Olsen",
    "Poulsen",
    "Madsen",
    "Kristensen",
)
DEMO_USERS = (  # username, role, scope key, display name
    ("staff.norrebro", roles.STAFF, "house:Nørrebro", "Demo staff (Nørrebro house)"),
    ("staff.amager", roles.STAFF, "house:Amager", "Demo staff (Amager house)"),
    ("coord.org01", roles.COORDINATOR, "org:ORG01", "Demo coordinator (organisation 1)"),
    ("coord.org02", roles.COORDINATOR, "org:ORG02", "Demo coordinator (organisation 2)"),
    ("vol.demo", roles.VOLUNTEER, "volunteer:first", "Demo volunteer"),
    ("wh.analyst", roles.ANALYST, None, "Demo analyst (Welcome House)"),
    ("wh.admin", roles.ADMIN, None, "Demo administrator (Welcome House)"),
)


@dataclass
class SyntheticWelcome:
    data: dict[str, list[dict]] = field(default_factory=dict)
    data_date: date = DATA_DATE


def generate_welcomehouse(
    seed: int = 1,
    scale: float = 1.0,
    data_date: date = DATA_DATE,
    *,
    n_organisations: int = 85,
    rules: CertificateRules | None = None,
) -> SyntheticWelcome:
    """Rows in the import's shape (checked data, keyed by ids): history from 1 January of the
    year before ``data_date`` up to it, and four weeks of open sessions after it."""
    rules = rules or CertificateRules()
    rng = random.Random(seed)
    n_orgs = max(2, round(n_organisations * scale))
    start = date(data_date.year - 1, 1, 1)
    end = data_date + timedelta(days=28)
    orgs = []
    for i in range(1, n_orgs + 1):
        cvr = str(rng.randrange(10_000_000, 99_999_999)) if rng.random() < 0.7 else None
        orgs.append(
            {
                "org_ref": f"ORG{i:02d}",
                "name": f"Frivilligforening {i} (syntetisk)",
                "cvr": cvr,
                "agreement": f"Samarbejdsaftale {2016 + i % 9}",
                "contact": None,
            }
        )
    acts, pools = [], {}
    n = 0
    for o_i, org in enumerate(orgs):
        house = HOUSES[o_i % len(HOUSES)]
        for plan in rng.sample(ACTIVITY_PLAN, 1 if rng.random() < 0.7 else 2):
            n += 1
            acts.append(_activity(n, house, org["org_ref"], plan))
    for house in HOUSES:  # the houses' own activities, run by their own volunteers
        for plan in ACTIVITY_PLAN[:3]:
            n += 1
            acts.append(_activity(n, house, None, plan))
    vols, certs = [], []
    v = 0
    for owner in [o["org_ref"] for o in orgs] + [f"house:{h}" for h in HOUSES]:
        mine = [a for a in acts if (a["org_ref"] or f"house:{a['house']}") == owner]
        needs = set()
        for a in mine:
            needs |= set(required_kinds(a["requires_certificate"], rules))
        pool = []
        for _ in range(max(2, round(rng.gauss(6, 2)))):
            v += 1
            ref = f"V{v:04d}"
            status = rng.choices(
                ["active", "approved", "inactive", "prospective"], [0.8, 0.1, 0.07, 0.03]
            )[0]
            vols.append(
                {
                    "volunteer_ref": ref,
                    "org_ref": None if owner.startswith("house:") else owner,
                    "house": owner.removeprefix("house:") if owner.startswith("house:") else None,
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "status": status,
                    "contact": None,
                }
            )
            pool.append(ref)
            for kind in sorted(needs):
                certs += _certificate_history(rng, ref, kind, start, data_date, rules)
        pools[owner] = pool
    by_vol: dict[str, list] = {}
    for c in certs:
        by_vol.setdefault(c["volunteer_ref"], []).append(SimpleNamespace(**c))
    status = {x["volunteer_ref"]: x["status"] for x in vols}
    sessions, assigns, attendance = [], [], []
    s_n = 0
    for a in acts:
        owner = a["org_ref"] or f"house:{a['house']}"
        weekday, hour, length, crew, size = a["_plan"]
        day = start + timedelta(days=(weekday - start.weekday()) % 7)
        while day <= end:
            s_n += 1
            sref = f"S{s_n:06d}"
            sessions.append(
                {
                    "session_ref": sref,
                    "activity_ref": a["activity_ref"],
                    "date": day,
                    "start": time(hour),
                    "end": time(hour + length),
                    "roles": f"{crew} frivillige",
                    "volunteers_needed": crew + 1,
                }
            )
            ready = [
                r
                for r in pools[owner]
                if status[r] in ("active", "approved") or day <= data_date - timedelta(days=120)
            ]
            rng.shuffle(ready)
            taken = 0
            for ref in ready:
                if taken == crew:
                    break
                kinds = required_kinds(a["requires_certificate"], rules)
                if any(
                    certificate_state(by_vol.get(ref, []), k, day, rules).status != "valid"
                    for k in kinds
                ):
                    continue
                hours = None
                if day <= data_date:
                    hours = float(length) if rng.random() < 0.85 else length - 0.5
                assigns.append(
                    {"row": 0, "volunteer_ref": ref, "session_ref": sref, "hours": hours}
                )
                taken += 1
            if day <= data_date and rng.random() < 0.95:
                attendance += _headcounts(rng, sref, a["kind"], size)
            day += timedelta(days=7)
    for a in acts:
        del a["_plan"]
    data = {
        "organisations": orgs,
        "activities": acts,
        "volunteers": vols,
        "certificates": certs,
        "sessions": sessions,
        "assignments": assigns,
        "attendance": attendance,
    }
    return SyntheticWelcome(data, data_date)


def _activity(n: int, house: str, org_ref: str | None, plan) -> dict:
    kind, req, weekday, hour, length, crew, size = plan
    return {
        "activity_ref": f"A{n:03d}",
        "house": house,
        "org_ref": org_ref,
        "kind": kind,
        "requires_certificate": req,
        "name": None,
        "_plan": (weekday, hour, length, crew, size),
    }


def _certificate_history(rng, ref, kind, start, data_date, rules) -> list[dict]:
    """A first certificate before ``start``, renewals about yearly; some are late or lapse."""
    out = []
    received = start - timedelta(days=rng.randrange(0, 330))
    while received <= data_date:
        out.append(
            {
                "row": 0,
                "volunteer_ref": ref,
                "kind": kind,
                "received_date": received,
                "assessed_ok": rng.random() > 0.01,
                "valid_until": add_months(received, rules.renewal_months),
                "assessed_by": "syntetisk",
            }
        )
        if rng.random() < 0.1:  # stops renewing
            break
        early_or_late = rng.choice([-30, -20, -10, -5, 0, 0, 10, 45])
        received = add_months(received, rules.renewal_months) + timedelta(days=early_or_late)
    return out


def _headcounts(rng, sref: str, kind: str, size: int) -> list[dict]:
    weights = {
        "children": (0.3, 0.5, 0.02, 0.08, 0.08, 0.02, 0.0),
        "job_cafe": (0, 0, 0.05, 0.45, 0.4, 0.1, 0),
    }.get(kind, (0.02, 0.05, 0.05, 0.3, 0.35, 0.15, 0.08))
    total = max(1, round(rng.gauss(size, size / 4)))
    cells: dict[tuple[str, str], int] = {}
    for _ in range(total):
        band = rng.choices(AGE_BANDS, weights)[0]
        sex = "female" if rng.random() < 0.55 else "male"
        cells[(band, sex)] = cells.get((band, sex), 0) + 1
    return [
        {"session_ref": sref, "age_band": b, "sex": s, "headcount": n}
        for (b, s), n in sorted(cells.items())
    ]


def write_csv(synth: SyntheticWelcome, folder: Path) -> None:
    """The import files (the exchange format of docs/welcomehouse.md)."""
    folder.mkdir(parents=True, exist_ok=True)
    d = synth.data
    rename = {
        "org_ref": "org_id",
        "volunteer_ref": "volunteer_id",
        "activity_ref": "activity_id",
        "session_ref": "session_id",
    }
    sources = {
        "organisations.csv": d["organisations"],
        "volunteers.csv": d["volunteers"],
        "certificates.csv": d["certificates"],
        "activities.csv": d["activities"],
        "sessions.csv": d["sessions"],
        "assignments.csv": d["assignments"],
        "attendance.csv": d["attendance"],
    }
    for name, rows in sources.items():
        cols = [*FILES[name][0], *FILES[name][1]]
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(cols)
            inverse = {v: k for k, v in rename.items()}
            for r in rows:
                w.writerow([_cell(r.get(inverse.get(c, c))) for c in cols])


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, time):
        return v.strftime("%H:%M")
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def write_database(engine: Engine, synth: SyntheticWelcome, seed: int) -> int:
    """Write the data, demo users with their scopes and, when the database holds a synthetic
    programme cohort, consents for some of its persons; the database is flagged synthetic.
    Returns the number of volunteers."""
    actor = access_log.Actor(None, "synthetic-generator", "cli")
    with bulk_writer(engine) as db:
        refs = _Refs(db)
        if refs.volunteers or refs.orgs:
            from barometer.casework.db import DatabaseError

            raise DatabaseError("the database holds Welcome House data already")
        has_persons = db.execute(text("SELECT 1 FROM persons LIMIT 1")).first() is not None
        check_synthetic_flag(db, True, empty=not has_persons)
        write_meta(db, "welcomehouse_synthetic_seed", str(seed))
        _write(db, synth.data, refs, actor)
        db.flush()
        first_vol = db.scalar(
            select(Volunteer).where(Volunteer.status == "active").order_by(Volunteer.id)
        )
        for username, role, scope, display in DEMO_USERS:
            if db.scalar(select(User.id).where(User.username == username)) is not None:
                continue
            user = create_user(db, username, None, role, display_name=display, is_demo=True)
            if scope:
                db.add(_scope(db, user.id, scope, first_vol))
        if has_persons:
            _consents(db, synth, seed)
        return len(synth.data["volunteers"])


def _scope(db, user_id: int, scope: str, first_vol: Volunteer) -> UserScope:
    kind, _, key = scope.partition(":")
    if kind == "house":
        return UserScope(
            user_id=user_id, house_id=db.scalar(select(House.id).where(House.code == key))
        )
    if kind == "org":
        return UserScope(
            user_id=user_id,
            organisation_id=db.scalar(select(Organisation.id).where(Organisation.org_ref == key)),
        )
    return UserScope(user_id=user_id, volunteer_id=first_vol.id)


def _consents(db, synth: SyntheticWelcome, seed: int) -> None:
    """About a third of the cohort's persons with T0 in the period consent; some of them came."""
    rng = random.Random(seed + 1)
    start = min(s["date"] for s in synth.data["sessions"])
    rows = db.execute(text("SELECT id, placement_date FROM persons ORDER BY id")).all()
    sessions = list(
        db.scalars(select(ActivitySession).where(ActivitySession.date <= synth.data_date))
    )
    from barometer.welcomehouse.consent import new_code

    for pid, placed in rows:
        placed = placed if isinstance(placed, date) else date.fromisoformat(str(placed))
        if placed < start - timedelta(days=60) or rng.random() > 0.35:
            continue
        given = max(placed, start)
        c = Consent(
            code=new_code(),
            person_id=pid,
            purpose="reach",
            given_on=given,
            expires_on=add_months(given, 12) + timedelta(days=400),
            withdrawn_on=None,
            recorded_by="synthetic-generator",
        )
        db.add(c)
        db.flush()
        near = [s for s in sessions if given <= s.date <= given + timedelta(days=150)]
        if near and rng.random() < 0.6:
            for s in rng.sample(near, min(len(near), rng.randint(1, 4))):
                db.add(ConsentVisit(consent_id=c.id, session_id=s.id))
