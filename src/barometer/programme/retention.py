"""Retention (PROGRAMME.md §4.6, G7-G10): closed cases and old log rows leave the database.

A case closed (its exit date) more than ``case_years`` ago is anonymised to statistics (the
default: the fields the KPIs need, dates as offsets from T0, see AnonymisedCase) or deleted.
Access-log rows older than ``log_months`` are purged; the log outlives the case it concerns
until then. Every run writes the destruction register: counts per entity kind, never
personal data. The KLE deletion period for integration-act cases is UNCONFIRMED, hence the
parameter (default 5 years, KLE ``P1825D``); archival hand-over (arkivloven) comes first.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import selectinload

from barometer.casework import access_log
from barometer.casework.calendar import add_months
from barometer.casework.db import bulk_writer, utcnow
from barometer.casework.models import (
    AccessEvent,
    DestructionEntry,
    LoginAttempt,
    LoginSession,
)
from barometer.programme.calendar import add_years
from barometer.programme.models import AnonymisedCase, Person
from barometer.programme.records import record_from_person


@dataclass(frozen=True)
class RetentionResult:
    run_id: str
    cases: int
    episodes: int
    log_rows: int
    mode: str
    dry_run: bool


def anonymise(person: Person) -> AnonymisedCase:
    rec = record_from_person(person)
    t0 = rec.t0

    def off(d: date | None) -> int | None:
        return None if d is None else (d - t0).days

    companies: dict[str, str] = {}
    episodes = []
    for e in rec.episodes:
        company = None
        if e.company:
            company = companies.setdefault(e.company, f"c{len(companies) + 1}")
        episodes.append(
            {
                "kind": e.kind,
                "start": off(e.start),
                "end": off(e.end),
                "hours": e.hours,
                "company": company,
                "disco": e.disco,
                "passed": e.passed,
                "goal": e.goal,
                "level": e.level,
                "module": e.module,
            }
        )
    return AnonymisedCase(
        cohort_month=t0.strftime("%Y-%m"),
        t0_day=t0.day,
        municipality_code=rec.municipality_at_t0 or person.municipality_code,
        sex=rec.sex,
        age_band=rec.age_band,
        western=rec.western,
        menapt=rec.menapt,
        permit_basis=rec.permit_basis,
        record={
            "placement": off(rec.placement),
            "arrival": off(rec.arrival),
            "exit": off(rec.exit_date),
            "exit_reason": rec.exit_reason,
            "stays": [[s.municipality, off(s.start), off(s.end)] for s in rec.stays],
            "episodes": episodes,
            "waived": sorted(rec.waived),
        },
        anonymised_at=utcnow(),
    )


def run_retention(
    engine: Engine,
    *,
    as_of: date,
    case_years: int = 5,
    log_months: int = 6,
    mode: str = "anonymise",
    dry_run: bool = False,
) -> RetentionResult:
    """Anonymise or delete cases closed ``case_years`` before ``as_of``; purge old log rows."""
    if mode not in ("anonymise", "delete"):
        raise ValueError("mode is 'anonymise' or 'delete'")
    run_id = f"retention-{as_of.isoformat()}-{secrets.token_hex(4)}"
    cutoff_exit = add_years(as_of, -case_years)
    log_cutoff = datetime.combine(add_months(as_of, -log_months), time())
    with bulk_writer(engine) as session:
        closed = list(
            session.scalars(
                select(Person)
                .where(Person.exit_date.is_not(None), Person.exit_date <= cutoff_exit)
                .options(
                    selectinload(Person.episodes),
                    selectinload(Person.responsibilities),
                    selectinload(Person.waivers),
                )
            )
        )
        n_episodes = sum(len(p.episodes) for p in closed)
        n_log = session.scalar(select(func.count()).where(AccessEvent.at < log_cutoff)) or 0
        result = RetentionResult(run_id, len(closed), n_episodes, n_log, mode, dry_run)
        if dry_run:
            session.rollback()
            return result
        for p in closed:
            if mode == "anonymise":
                session.add(anonymise(p))
            session.delete(p)
        session.flush()
        purged = access_log.purge_before(session, log_cutoff, run_id)
        session.execute(delete(LoginSession).where(LoginSession.expires_at < utcnow()))
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - timedelta(days=30)))
        rule = f"case closed more than P{case_years}Y before {as_of.isoformat()}"
        now = utcnow()
        done = "anonymised" if mode == "anonymise" else "deleted"
        for kind, count, how, why in (
            ("case", len(closed), done, rule),
            ("episode", n_episodes, "deleted", rule),
            ("access_log", purged, "deleted", f"log older than P{log_months}M"),
        ):
            session.add(
                DestructionEntry(
                    run_id=run_id, run_at=now, rule=why, entity_kind=kind, mode=how, count=count
                )
            )
        return RetentionResult(run_id, len(closed), n_episodes, purged, mode, dry_run)
