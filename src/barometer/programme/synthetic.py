"""A synthetic refugee cohort shaped like Copenhagen's, for the demo and the tests.

Arrivals 2015-2024 follow Copenhagen's shape (a "0-quota" municipality until 2016, the 2016
peak, few arrivals 2018-2021, Ukrainians from 2022); the yearly numbers, country mixes and
pathway rates are illustrative, not published figures (docs/programme.md). Pathways run through
the asylum-centre meeting, contract, follow-ups, Danish education module by module, company
internships, wage subsidy, IGU, ordinary jobs and exits, with companies, partnerships and slots.
Everything is labelled synthetic; the same seed gives the same data.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, update

from barometer.casework import access_log
from barometer.casework.auth import create_user
from barometer.casework.calendar import add_months
from barometer.casework.crypto import CprVault
from barometer.casework.db import bulk_writer, check_synthetic_flag, utcnow, write_meta
from barometer.casework.models import User
from barometer.programme.calendar import add_years, compute_t0
from barometer.programme.importer import (
    EPISODE_COLUMNS,
    EPISODE_OPTIONAL,
    PERSON_COLUMNS,
    PERSON_OPTIONAL,
    _write,
)
from barometer.programme.models import Company, CompetenceProfile, Person, Slot

ARRIVALS = {2015: 40, 2016: 335, 2017: 160, 2018: 60, 2019: 35, 2020: 20, 2021: 30}
ARRIVALS |= {2022: 120, 2023: 80, 2024: 60}  # illustrative (docs/programme.md)
COUNTRIES = {  # DST codes: Syria, Eritrea, Afghanistan, Iran, Somalia, Iraq, stateless, Ukraine
    "early": {"5486": 50, "5216": 25, "5404": 8, "5438": 5, "5289": 4, "5436": 3, "5103": 5},
    "middle": {"5486": 30, "5216": 30, "5404": 15, "5438": 8, "5289": 7, "5436": 5, "5103": 5},
    "late": {"5704": 60, "5486": 15, "5404": 10, "5216": 10, "5438": 5},
}
LANGUAGES = {"5486": ["ar"], "5216": ["ti"], "5404": ["prs", "ps"], "5438": ["fa"]}
LANGUAGES |= {"5289": ["so"], "5436": ["ar", "ku"], "5103": ["ar"], "5704": ["uk", "ru"]}
TRADES = (  # DB07 industry, DISCO-08 occupation, Danish name part
    ("412000", "7112", "Byg"),
    ("812100", "9112", "Rengøring"),
    ("561010", "5120", "Køkken"),
    ("471100", "5223", "Butik"),
    ("493100", "8322", "Transport"),
    ("871000", "5321", "Pleje"),
    ("432100", "7411", "El"),
    ("452000", "7231", "Auto"),
    ("101100", "9329", "Produktion"),
    ("563000", "9412", "Café"),
)
PLACES = ("Nordhavn", "Valby", "Amager", "Vesterbro", "Bispebjerg", "Sydhavn", "Brønshøj")
FIRST = {
    "male": ("Ahmad", "Mohammad", "Yonas", "Ali", "Hassan", "Dawit", "Omar", "Andrii", "Reza"),
    "female": ("Fatima", "Amina", "Selam", "Maryam", "Hiwet", "Olena", "Zahra", "Layla", "Nour"),
}
LAST = ("Haddad", "Tesfay", "Rahimi", "Karimi", "Hussein", "Kovalenko", "Ali", "Ghebre", "Nasser")
DEMO_USERS = (  # username, role, team, display name
    ("cw.nord", "caseworker", "team-nord", "Demo caseworker (team nord)"),
    ("cw.syd", "caseworker", "team-syd", "Demo caseworker (team syd)"),
    ("leader.nord", "team_leader", "team-nord", "Demo team leader (team nord)"),
    ("asylum", "asylum_consultant", None, "Demo asylum-centre consultant"),
    ("company", "company_consultant", None, "Demo company consultant"),
    ("language", "language_liaison", None, "Demo language-centre liaison"),
    ("analyst", "analyst", None, "Demo analyst"),
    ("auditor", "auditor", None, "Demo auditor"),
    ("admin", "admin", None, "Demo administrator"),
)
DATA_DATE = date(2025, 6, 30)


@dataclass
class SyntheticCohort:
    persons: list[dict] = field(default_factory=list)
    episodes: list[dict] = field(default_factory=list)
    stays: list[dict] = field(default_factory=list)
    waivers: list[dict] = field(default_factory=list)
    companies: list[dict] = field(default_factory=list)
    slots: list[dict] = field(default_factory=list)
    profiles: dict[str, dict] = field(default_factory=dict)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _cpr(rng: random.Random, birth: date, used: set[str]) -> str:
    s7 = "4" if birth.year >= 2000 else str(rng.randint(0, 3))
    while True:
        cpr = birth.strftime("%d%m%y") + s7 + f"{rng.randint(0, 999):03d}"
        if cpr not in used:
            used.add(cpr)
            return cpr


def generate_cohort(
    seed: int = 1, scale: float = 1.0, as_of: date = DATA_DATE, municipality: str = "101"
) -> SyntheticCohort:
    """The cohort as import-shaped rows (persons, episodes, …) plus companies and slots."""
    rng = random.Random(seed)
    out = SyntheticCohort()
    for i in range(40):
        industry, disco, trade = TRADES[i % len(TRADES)]
        cvr = f"9{rng.randint(0, 9_999_999):07d}"
        out.companies.append(
            {
                "cvr": cvr,
                "name": f"{PLACES[i % len(PLACES)]} {trade} ApS",
                "industry": industry,
                "disco": disco,
                "partnership_since": date(rng.choice((2016, 2017, 2019, 2022)), 1 + i % 12, 1),
                "consulted": i % 2 == 0,
            }
        )
    for c in out.companies:
        for _ in range(rng.randint(1, 2)):
            start = as_of + timedelta(days=rng.randint(-60, 90))
            kind = rng.choices(("internship", "wage_subsidy", "igu"), (7, 2, 1))[0]
            out.slots.append(
                {
                    "cvr": c["cvr"],
                    "kind": kind,
                    "title": f"{c['name'].split()[1]}: {kind.replace('_', ' ')}",
                    "disco": c["disco"],
                    "capacity": rng.randint(1, 3),
                    "start": start,
                    "end": start + timedelta(weeks=rng.choice((8, 13, 26, 104))),
                    "hours": float(rng.choice((20, 25, 30, 37))),
                    "min_danish": rng.choice(("none", "none", "A1", "A2", "B1")),
                }
            )
    used: set[str] = set()
    n = 0
    for year, count in ARRIVALS.items():
        for _ in range(max(1, round(count * scale))):
            n += 1
            _person(rng, out, f"S{n:05d}", year, as_of, municipality, used)
    return out


def _person(rng, out, ref, year, as_of, municipality, used) -> None:
    period = "early" if year <= 2017 else "middle" if year <= 2021 else "late"
    country = _pick(rng, COUNTRIES[period])
    female_share = 0.7 if country == "5704" else 0.38 if period == "early" else 0.45
    sex = "female" if rng.random() < female_share else "male"
    placement = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
    if placement > as_of - timedelta(days=70):
        return
    child = rng.random() < 0.08
    age = rng.randint(2, 17) if child else int(rng.triangular(18, 62, 26))
    birth = placement - timedelta(days=int(age * 365.25) + rng.randint(0, 364))
    arrival = placement + timedelta(days=rng.randint(15, 75))
    takeover = arrival if rng.random() < 0.1 and arrival < compute_t0(placement) else None
    t0 = compute_t0(placement, takeover)
    team = rng.choice(("team-nord", "team-syd"))
    person = {
        "person_ref": ref,
        "cpr": _cpr(rng, birth, used),
        "name": f"{rng.choice(FIRST[sex])} {rng.choice(LAST)}",
        "sex": sex,
        "birth_date": birth,
        "country_code": country,
        "permit_basis": "reunified" if rng.random() < 0.15 else "refugee",
        "municipality_code": municipality,
        "placement_date": placement,
        "takeover_date": takeover,
        "arrival_date": arrival,
        "team": team,
        "exit_date": None,
        "exit_reason": None,
    }
    out.persons.append(person)
    eps: list[dict] = []

    def ep(kind, start, end=None, **kw):
        if start <= as_of:
            eps.append(
                {
                    "person_ref": ref,
                    "kind": kind,
                    "start_date": start,
                    "end_date": end if end is not None and end <= as_of else None,
                    "hours_per_week": kw.get("hours"),
                    "company_cvr": kw.get("cvr"),
                    "disco_code": kw.get("disco"),
                    "passed": kw.get("passed"),
                    "goal": kw.get("goal"),
                    "level": kw.get("level"),
                    "module": kw.get("module"),
                }
            )

    if rng.random() < (0.1 if year == 2015 else 0.7):
        ep("asylum_contact", placement + timedelta(days=rng.randint(3, 12)))
    if child:
        out.episodes += eps
        return
    schooling = rng.choice((0, 3, 6, 9, 9, 12, 12, 15, 16))
    occupations = [{"disco": rng.choice(TRADES)[1], "years": rng.randint(1, 10)}]
    out.profiles[ref] = {
        "schooling_years": schooling,
        "education_level": 0
        if schooling < 6
        else 2
        if schooling < 12
        else 3
        if schooling < 15
        else 6,
        "occupations": occupations,
        "languages": LANGUAGES.get(country, ["en"]),
        "danish_cefr": "none",
        "source": "handover_form" if rng.random() < 0.6 else "interview",
    }
    on_time = rng.random() < (0.6 if year <= 2016 else 0.85)
    goal_roll = rng.random()
    goal = "employment" if goal_roll < 0.6 else "education" if goal_roll < 0.75 else None
    ep(
        "contract",
        t0 + timedelta(days=rng.randint(0, 28) if on_time else rng.randint(32, 80)),
        goal=goal,
        disco=occupations[0]["disco"] if goal == "employment" else None,
    )
    talk = t0 + timedelta(days=rng.randint(5, 20))
    for _ in range(rng.choice((3, 4, 4, 5, 6))):
        ep("follow_up", talk)
        talk += timedelta(days=rng.randint(25, 50))
    exit_date, exit_reason = None, None
    if rng.random() < 0.04:
        exit_date, exit_reason = t0 + timedelta(days=rng.randint(90, 700)), "transferred"
    elif rng.random() < 0.03:
        exit_date = t0 + timedelta(days=rng.randint(90, 900))
        exit_reason = rng.choice(("left_country", "repatriated"))
    stop = min(as_of, exit_date or as_of, add_years(t0, 5) - timedelta(days=1))
    # Danish education, module by module.
    level = "DU1" if schooling < 6 else "DU2" if schooling < 13 else "DU3"
    day = t0 + timedelta(days=rng.randint(5, 40) if rng.random() < 0.85 else rng.randint(35, 90))
    for module in range(1, 7):
        end = day + timedelta(days=rng.randint(90, 210))
        passed = rng.random() < 0.88
        if day > stop:
            break
        ep("danish_education", day, end, level=level, module=module, passed=passed, hours=15.0)
        if not passed:
            break
        day = end + timedelta(days=rng.randint(1, 20))
    else:
        test = {"DU1": "PD1", "DU2": "PD2", "DU3": "PD3"}[level]
        ep("danish_test", day, day, level=test, passed=rng.random() < 0.7)
    if rng.random() < 0.4:
        start = t0 + timedelta(days=rng.randint(20, 60))
        ep("mentor", start, start + timedelta(days=182))
    # The employment track: internships, then a hire, or another internship.
    fast = 4.3 if year == 2015 else 3.4  # 2015: before the company-first reform
    day = arrival + timedelta(days=int(rng.lognormvariate(fast, 0.8)))
    job_start = None
    for _ in range(4):
        if day > stop:
            break
        if rng.random() < 0.2:
            end = day + timedelta(weeks=rng.randint(4, 8))
            ep("upskilling", day, end, hours=20.0)
            day = end + timedelta(days=rng.randint(1, 20))
        company = rng.choice(out.companies)
        end = day + timedelta(weeks=rng.randint(4, 13))
        ep("internship", day, end, cvr=company["cvr"], disco=company["disco"],
           hours=float(rng.choice((15, 20, 25, 30, 37))))  # fmt: skip
        roll = rng.random()
        igu_odds = 0.06 if sex == "male" else 0.03
        nxt = end + timedelta(days=rng.randint(1, 40))
        if roll < 0.22:
            wend = nxt + timedelta(days=rng.randint(120, 360))
            ep("wage_subsidy", nxt, wend, cvr=company["cvr"], disco=company["disco"], hours=37.0)
            day = wend + timedelta(days=rng.randint(1, 60))
            if rng.random() < 0.4:
                job_start = day
                break
        elif roll < 0.22 + igu_odds:
            iend = add_months(nxt, 24) - timedelta(days=1)
            if rng.random() < 0.3:
                iend = nxt + timedelta(days=rng.randint(60, 500))
            ep("igu", nxt, iend, cvr=company["cvr"], disco=company["disco"], hours=37.0)
            day = iend + timedelta(days=1)
            if iend >= add_months(nxt, 24) - timedelta(days=1):
                job_start = day
                break
        elif roll < 0.32:
            job_start = nxt
            break
        else:
            day = nxt + timedelta(days=rng.randint(20, 120))
    if job_start is None and rng.random() < 0.12:
        job_start = t0 + timedelta(days=rng.randint(300, 1400))
    benefit_end = stop
    if job_start is not None and job_start <= stop:
        hours = float(rng.choice((12, 18, 25, 30, 37, 37)))
        jend = job_start + timedelta(days=rng.randint(90, 900))
        cvr = rng.choice(out.companies)["cvr"]
        ep("ordinary_job", job_start, None if rng.random() < 0.3 else jend, cvr=cvr, hours=hours)
        benefit_end = job_start - timedelta(days=1)
        if hours >= 20 and exit_date is None:
            exit_date = job_start + timedelta(days=182)
            exit_reason = "ordinary_employment"
    ep("benefit", t0, benefit_end)
    if exit_date is None and add_years(t0, 5) <= as_of:
        exit_date, exit_reason = add_years(t0, 5) - timedelta(days=1), "max_5_years"
    if exit_date is not None and exit_date <= as_of:
        person["exit_date"], person["exit_reason"] = exit_date, exit_reason
        if exit_reason == "transferred":
            out.stays.append(
                {
                    "person_ref": ref,
                    "municipality_code": municipality,
                    "start_date": t0,
                    "end_date": exit_date,
                    "accepted_by": None,
                }
            )
            out.stays.append(
                {
                    "person_ref": ref,
                    "municipality_code": "147",
                    "start_date": exit_date + timedelta(days=1),
                    "end_date": None,
                    "accepted_by": "Frederiksberg",
                }
            )
    if rng.random() < 0.02:
        out.waivers.append(
            {
                "person_ref": ref,
                "rule_id": "D4",
                "reason": "Health reasons (integrationsloven § 23, stk. 5)",
                "approver": "leader.nord",
                "decided": t0,
            }
        )
    out.episodes += [e for e in eps if e["start_date"] <= (person["exit_date"] or as_of)]


def write_csv(cohort: SyntheticCohort, folder: Path) -> None:
    """The cohort in the import exchange format (persons.csv, episodes.csv, …)."""
    folder.mkdir(parents=True, exist_ok=True)

    def dump(name, columns, rows, rename):
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(columns)
            for r in rows:
                w.writerow(
                    [
                        "" if r.get(rename.get(c, c)) is None else _text(r.get(rename.get(c, c)))
                        for c in columns
                    ]
                )

    persons_cols = PERSON_COLUMNS + PERSON_OPTIONAL
    dump("persons.csv", persons_cols, cohort.persons, {"person_id": "person_ref"})
    dump("episodes.csv", EPISODE_COLUMNS + EPISODE_OPTIONAL, cohort.episodes,
         {"person_id": "person_ref"})  # fmt: skip
    if cohort.stays:
        dump("responsibilities.csv", ("person_id", "municipality_code", "start_date", "end_date",
             "accepted_by"), cohort.stays, {"person_id": "person_ref"})  # fmt: skip
    if cohort.waivers:
        dump("waivers.csv", ("person_id", "rule_id", "reason", "approver", "decided_date"),
             cohort.waivers, {"person_id": "person_ref", "decided_date": "decided"})  # fmt: skip


def _text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def write_database(engine: Engine, cohort: SyntheticCohort, vault: CprVault, seed: int) -> int:
    """Write the cohort, companies, slots, profiles and demo users into an empty database,
    flagged synthetic (the demo login works only there). Returns the number of persons."""
    actor = access_log.Actor(None, "synthetic-generator", "cli")
    with bulk_writer(engine) as session:
        empty = session.query(Person.id).first() is None
        check_synthetic_flag(session, True, empty=empty)
        write_meta(session, "synthetic_seed", str(seed))
        users = {}
        for username, role, team, display in DEMO_USERS:
            existing = session.query(User).filter_by(username=username).one_or_none()
            users[username] = existing or create_user(
                session, username, None, role, team=team, display_name=display, is_demo=True
            )
        _write(
            session, cohort.persons, cohort.episodes, cohort.stays, cohort.waivers, {}, vault, actor
        )
        session.flush()
        persons = {p.person_ref: p for p in session.query(Person)}
        for team, username in (("team-nord", "cw.nord"), ("team-syd", "cw.syd")):
            session.execute(
                update(Person).where(Person.team == team).values(caseworker_id=users[username].id)
            )
        now = utcnow()
        session.execute(
            insert(CompetenceProfile),
            [
                {"person_id": persons[ref].id, "updated_at": now, **prof}
                for ref, prof in cohort.profiles.items()
            ],
        )
        companies = {}
        for c in cohort.companies:
            company = Company(
                cvr=c["cvr"],
                name=c["name"],
                industry=c["industry"],
                consultant_id=users["company"].id if c["consulted"] else None,
                partnership_since=c["partnership_since"],
            )
            session.add(company)
            companies[c["cvr"]] = company
        session.flush()
        for s in cohort.slots:
            session.add(
                Slot(
                    company_id=companies[s["cvr"]].id,
                    kind=s["kind"],
                    title=s["title"],
                    disco_code=s["disco"],
                    capacity=s["capacity"],
                    start_date=s["start"],
                    end_date=s["end"],
                    hours_per_week=s["hours"],
                    min_danish=s["min_danish"],
                )
            )
        return len(persons)
