"""``barometer programme import``: the exchange format for a municipality's existing data.

``persons.csv`` and ``episodes.csv`` are required; ``responsibilities.csv`` (transfers) and
``waivers.csv`` are optional (docs/programme.md gives every column). Every file is read and
checked before anything is written; problems are reported by file, column and row (row 1 is
the first row after the header), never with a person's key or values; then one transaction
writes everything or nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from barometer.casework import access_log
from barometer.casework.crypto import CprVault, cpr_birth_date, normalise_cpr
from barometer.casework.csvio import BOOL_VALUES, Checker, Problems, read_table
from barometer.casework.db import bulk_writer, check_synthetic_flag, utcnow
from barometer.codes import load_countries, load_municipalities
from barometer.programme.deadlines import load_rules
from barometer.programme.models import (
    EPISODE_KINDS,
    EXIT_REASONS,
    PERMIT_BASES,
    Episode,
    Person,
    Responsibility,
    Waiver,
)

PERSON_COLUMNS = (
    "person_id",
    "cpr",
    "sex",
    "birth_date",
    "country_code",
    "placement_date",
    "takeover_date",
    "arrival_date",
)
PERSON_OPTIONAL = ("name", "municipality_code", "permit_basis", "team", "exit_date", "exit_reason")
EPISODE_COLUMNS = (
    "person_id",
    "kind",
    "start_date",
    "end_date",
    "hours_per_week",
    "company_cvr",
    "disco_code",
    "passed",
    "goal",
)
EPISODE_OPTIONAL = ("level", "module")
RESPONSIBILITY_COLUMNS = ("person_id", "municipality_code", "start_date", "end_date")
WAIVER_COLUMNS = ("person_id", "rule_id", "reason", "approver")
SEX_VALUES = {"male": "male", "m": "male", "1": "male", "female": "female", "f": "female"}
SEX_VALUES |= {"k": "female", "2": "female"}
NEEDS_COMPANY = ("internship", "wage_subsidy", "igu")
DU_LEVELS = ("DU1", "DU2", "DU3")
TEST_LEVELS = ("PD1", "PD2", "PD3", "studieproeve", "module")


@dataclass(frozen=True)
class ImportResult:
    persons: int
    episodes: int
    responsibilities: int
    waivers: int


def read_persons(path: Path, problems: Problems, default_municipality: str) -> list[dict]:
    rows = read_table(path, PERSON_COLUMNS, PERSON_OPTIONAL, problems)
    c = Checker(path, problems)
    countries = load_countries()
    municipalities = load_municipalities()
    seen_ids: dict[str, int] = {}
    seen_cpr: dict[str, int] = {}
    out = []
    for i, r in enumerate(rows, start=1):
        pid = c.required(r, "person_id", i)
        if pid and len(pid) > 64:
            c.bad("person_id", i, "longer than 64 characters")
        elif pid and pid in seen_ids:
            c.bad("person_id", i, "duplicate person_id")
        elif pid:
            seen_ids[pid] = i
        cpr = None
        if c.required(r, "cpr", i):
            cpr = normalise_cpr(r["cpr"])
            if cpr is None:
                c.bad("cpr", i, "not a CPR number (DDMMYY-SSSS with a real date)")
            elif cpr in seen_cpr:
                c.bad("cpr", i, "duplicate CPR number")
                cpr = None
            else:
                seen_cpr[cpr] = i
        sex = None
        if c.required(r, "sex", i):
            sex = SEX_VALUES.get(r["sex"].lower())
            if sex is None:
                c.bad("sex", i, "not male or female")
        birth = c.date(r, "birth_date", i, required=True)
        if birth and birth > date.today():
            c.bad("birth_date", i, "in the future")
        if cpr and birth and cpr_birth_date(cpr) != birth:
            c.bad("cpr", i, "the date part does not match birth_date")
        country = c.required(r, "country_code", i)
        if country and (country not in countries or countries[country].kind == "danish"):
            c.bad("country_code", i, "not a DST country code of a country outside Denmark")
            country = None
        placement = c.date(r, "placement_date", i, required=True)
        takeover = c.date(r, "takeover_date", i)
        arrival = c.date(r, "arrival_date", i)
        if placement and takeover and takeover < placement:
            c.bad("takeover_date", i, "before placement_date")
        municipality = r.get("municipality_code") or default_municipality
        if municipality.zfill(3) not in municipalities:
            c.bad("municipality_code", i, "not a municipality code")
        permit = c.choice(r, "permit_basis", i, PERMIT_BASES) or "refugee"
        exit_date = c.date(r, "exit_date", i)
        exit_reason = c.choice(r, "exit_reason", i, EXIT_REASONS)
        if bool(r.get("exit_date")) != bool(r.get("exit_reason")):
            c.bad("exit_reason", i, "exit_date and exit_reason go together")
        if exit_date and placement and exit_date < placement:
            c.bad("exit_date", i, "before placement_date")
        out.append(
            {
                "row": i,
                "person_ref": pid,
                "cpr": cpr,
                "name": r.get("name") or None,
                "sex": sex,
                "birth_date": birth,
                "country_code": country,
                "permit_basis": permit,
                "municipality_code": municipality.zfill(3),
                "placement_date": placement,
                "takeover_date": takeover,
                "arrival_date": arrival,
                "team": r.get("team") or None,
                "exit_date": exit_date,
                "exit_reason": exit_reason,
            }
        )
    return out


def read_episodes(path: Path, problems: Problems, known: set[str]) -> list[dict]:
    rows = read_table(path, EPISODE_COLUMNS, EPISODE_OPTIONAL, problems)
    c = Checker(path, problems)
    out = []
    for i, r in enumerate(rows, start=1):
        pid = c.required(r, "person_id", i)
        if pid and pid not in known:
            c.bad("person_id", i, "no such person in persons.csv or the database")
        kind = c.choice(r, "kind", i, EPISODE_KINDS, required=True)
        start = c.date(r, "start_date", i, required=True)
        end = c.date(r, "end_date", i)
        if start and end and end < start:
            c.bad("end_date", i, "before start_date")
        hours = c.hours(r, "hours_per_week", i, 80)
        cvr = c.digits(r, "company_cvr", i, 8)
        if kind in NEEDS_COMPANY and not r.get("company_cvr"):
            c.bad("company_cvr", i, f"a {kind} needs the company's CVR number")
        disco = None
        if r.get("disco_code"):
            disco = r["disco_code"]
            if not (disco.isdigit() and 1 <= len(disco) <= 4):
                c.bad("disco_code", i, "not a DISCO-08 code (1-4 digits)")
                disco = None
        passed = None
        if r.get("passed"):
            passed = BOOL_VALUES.get(r["passed"].lower())
            if passed is None:
                c.bad("passed", i, "not true or false")
        goal = c.choice(r, "goal", i, ("employment", "education"))
        if goal and kind != "contract":
            c.bad("goal", i, "only a contract has a goal")
        level = r.get("level") or None
        if level and kind == "danish_education" and level not in DU_LEVELS:
            c.bad("level", i, "not DU1, DU2 or DU3")
        if level and kind == "danish_test" and level not in TEST_LEVELS:
            c.bad("level", i, f"not one of {', '.join(TEST_LEVELS)}")
        module = None
        if r.get("module"):
            module = int(r["module"]) if r["module"].isdigit() else 0
            if not 1 <= module <= 6:
                c.bad("module", i, "not a module number 1-6")
                module = None
        out.append(
            {
                "row": i,
                "person_ref": pid,
                "kind": kind,
                "start_date": start,
                "end_date": end,
                "hours_per_week": hours,
                "company_cvr": cvr,
                "disco_code": disco,
                "passed": passed,
                "goal": goal,
                "level": level,
                "module": module,
            }
        )
    return out


def read_responsibilities(path: Path, problems: Problems, known: set[str]) -> list[dict]:
    rows = read_table(path, RESPONSIBILITY_COLUMNS, ("accepted_by",), problems)
    c = Checker(path, problems)
    municipalities = load_municipalities()
    out = []
    for i, r in enumerate(rows, start=1):
        pid = c.required(r, "person_id", i)
        if pid and pid not in known:
            c.bad("person_id", i, "no such person in persons.csv or the database")
        code = (c.required(r, "municipality_code", i) or "").zfill(3)
        if code != "000" and code not in municipalities:
            c.bad("municipality_code", i, "not a municipality code")
        start = c.date(r, "start_date", i, required=True)
        end = c.date(r, "end_date", i)
        if start and end and end < start:
            c.bad("end_date", i, "before start_date")
        out.append(
            {
                "row": i,
                "person_ref": pid,
                "municipality_code": code,
                "start_date": start,
                "end_date": end,
                "accepted_by": r.get("accepted_by") or None,
            }
        )
    by_person = defaultdict(list)
    for x in out:
        if x["start_date"]:
            by_person[x["person_ref"]].append(x)
    for stays in by_person.values():
        stays.sort(key=lambda x: x["start_date"])
        for a, b in pairwise(stays):
            if a["end_date"] is None or a["end_date"] >= b["start_date"]:
                c.bad("start_date", b["row"], "overlaps the person's previous responsibility")
    return out


def read_waivers(path: Path, problems: Problems, known: set[str]) -> list[dict]:
    rows = read_table(path, WAIVER_COLUMNS, ("decided_date",), problems)
    c = Checker(path, problems)
    rule_ids = {r.id for r in load_rules()}
    out = []
    for i, r in enumerate(rows, start=1):
        pid = c.required(r, "person_id", i)
        if pid and pid not in known:
            c.bad("person_id", i, "no such person in persons.csv or the database")
        rule = c.choice(r, "rule_id", i, rule_ids, required=True)
        reason = c.required(r, "reason", i)
        out.append(
            {
                "person_ref": pid,
                "rule_id": rule,
                "reason": reason,
                "approver": r.get("approver") or None,
                "decided": c.date(r, "decided_date", i),
            }
        )
    return out


def import_directory(
    engine: Engine,
    folder: Path,
    vault: CprVault,
    *,
    municipality: str = "101",
    actor: access_log.Actor | None = None,
    synthetic: bool = False,
) -> ImportResult:
    """Check every file in ``folder``, then write it all in one transaction (or nothing).

    Synthetic and real data never share a database: a database flagged synthetic (where the
    demo login works) takes only ``synthetic=True`` imports, and the flag is set only on an
    empty database."""
    problems = Problems()
    for name in ("persons.csv", "episodes.csv"):
        if not (folder / name).is_file():
            problems.add(folder / name, None, "file not found")
    problems.raise_if_any()
    actor = actor or access_log.cli_actor()
    with bulk_writer(engine) as session:
        existing = dict(session.execute(select(Person.person_ref, Person.id)).all())
        check_synthetic_flag(session, synthetic, empty=not existing)
        persons = read_persons(folder / "persons.csv", problems, municipality)
        new_refs = {p["person_ref"] for p in persons if p["person_ref"]}
        known = new_refs | set(existing)
        episodes = read_episodes(folder / "episodes.csv", problems, known)
        stays = []
        if (folder / "responsibilities.csv").is_file():
            stays = read_responsibilities(folder / "responsibilities.csv", problems, known)
        waivers = []
        if (folder / "waivers.csv").is_file():
            waivers = read_waivers(folder / "waivers.csv", problems, known)
        _check_against_database(session, persons, existing, vault, folder, problems)
        problems.raise_if_any()
        return _write(session, persons, episodes, stays, waivers, existing, vault, actor)


def _check_against_database(session, persons, existing, vault, folder, problems) -> None:
    hashes = {p["row"]: vault.lookup_hash(p["cpr"]) for p in persons if p["cpr"]}
    taken = set(
        session.scalars(select(Person.cpr_hash).where(Person.cpr_hash.in_(hashes.values())))
    )
    for p in persons:
        if p["person_ref"] in existing:
            problems.add(folder / "persons.csv", "person_id", "already in the database", p["row"])
        if hashes.get(p["row"]) in taken:
            problems.add(folder / "persons.csv", "cpr", "already in the database", p["row"])


def _write(session: Session, persons, episodes, stays, waivers, existing, vault, actor):
    """Bulk inserts (one statement per table) inside the caller's transaction."""
    now = utcnow()
    ids = dict(existing)
    new_ids = []
    if persons:
        rows = session.execute(
            insert(Person).returning(Person.id, Person.person_ref, sort_by_parameter_order=True),
            [
                {
                    "person_ref": p["person_ref"],
                    "cpr_cipher": vault.encrypt(p["cpr"]),
                    "cpr_hash": vault.lookup_hash(p["cpr"]),
                    "created_at": now,
                    **{k: p[k] for k in PERSON_FIELDS},
                }
                for p in persons
            ],
        ).all()
        for pid, ref in rows:
            ids[ref] = pid
            new_ids.append(pid)
    if episodes:
        session.execute(
            insert(Episode),
            [
                {
                    "person_id": ids[e["person_ref"]],
                    "created_by": actor.username,
                    "created_at": now,
                    **{k: e[k] for k in EPISODE_FIELDS},
                }
                for e in episodes
            ],
        )
    if stays:
        session.execute(
            insert(Responsibility),
            [{"person_id": ids[s["person_ref"]], **{k: s[k] for k in STAY_FIELDS}} for s in stays],
        )
    if waivers:
        session.execute(
            insert(Waiver),
            [
                {
                    "person_id": ids[w["person_ref"]],
                    "rule_id": w["rule_id"],
                    "reason": w["reason"],
                    "requested_by": actor.username,
                    "requested_at": now,
                    "approved_by": w["approver"],
                    "approved_at": now if w["approver"] else None,
                }
                for w in waivers
            ],
        )
    access_log.record_many(session, actor, "create", new_ids, purpose="import of case data")
    return ImportResult(len(new_ids), len(episodes), len(stays), len(waivers))


PERSON_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "country_code",
    "permit_basis",
    "municipality_code",
    "placement_date",
    "takeover_date",
    "arrival_date",
    "team",
    "exit_date",
    "exit_reason",
)
EPISODE_FIELDS = (
    "kind",
    "start_date",
    "end_date",
    "hours_per_week",
    "company_cvr",
    "disco_code",
    "passed",
    "goal",
    "level",
    "module",
)
STAY_FIELDS = ("municipality_code", "start_date", "end_date", "accepted_by")
