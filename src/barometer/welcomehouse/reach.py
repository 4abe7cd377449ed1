"""W4's consent-linked share: which persons of a programme cohort came to Welcome House.

This is the one module that reads the case domain, and only for persons with a consent for
the purpose ``reach``. Numerator: Cohort(Y) persons (the programme's cohort rule) with a consent
that holds on t, registered at a session dated no later than T0 + 3 months. Denominator:
Cohort(Y) persons with a consent that holds on t whose window (T0 + 3 months) has closed by t.
Both are grouped by cohort year (``cohort_year=Y``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from barometer.casework import access_log
from barometer.casework.access_log import cli_actor
from barometer.casework.calendar import add_months
from barometer.programme.kpis import KpiParams as ProgrammeParams
from barometer.programme.kpis import in_cohort
from barometer.programme.models import Person
from barometer.programme.records import load_records
from barometer.welcomehouse.consent import (
    CONSENT_MONTHS,
    ConsentError,
    holds_on,
    new_code,
    withdraw,
)
from barometer.welcomehouse.kpis import _row
from barometer.welcomehouse.models import CONSENT_PURPOSES, ActivitySession, Consent, ConsentVisit

REACH_MONTHS = 3


def give_consent(
    db: Session,
    person_ref: str,
    purpose: str,
    given_on: date,
    *,
    months: int = CONSENT_MONTHS,
    actor: access_log.Actor | None = None,
) -> Consent:
    """Record a person's consent (on the case side, where the person is known); returns it
    with the code for the participant's card."""
    if purpose not in CONSENT_PURPOSES:
        raise ConsentError(f"unknown purpose; purposes: {', '.join(CONSENT_PURPOSES)}")
    if not 1 <= months <= 36:
        raise ConsentError("a consent lasts 1 to 36 months")
    pid = db.scalar(select(Person.id).where(Person.person_ref == person_ref))
    if pid is None:
        raise ConsentError("no such person_id in the programme database")
    c = Consent(
        code=new_code(),
        person_id=pid,
        purpose=purpose,
        given_on=given_on,
        expires_on=add_months(given_on, months),
        recorded_by=(actor or cli_actor()).username,
    )
    db.add(c)
    db.flush()
    access_log.record(
        db,
        actor or cli_actor(),
        "create",
        record_type="wh_consent",
        record_id=c.id,
        subject_id=pid,
        purpose=f"consent for {purpose} recorded",
    )
    return c


def withdraw_consent(
    db: Session, code: str, on: date, actor: access_log.Actor | None = None
) -> int:
    c = db.scalar(select(Consent).where(Consent.code == code.strip().upper()))
    if c is None:
        raise ConsentError("no consent with this code")
    return withdraw(db, c, on, actor or cli_actor())


def consent_reach_rows(
    db: Session, day: date, municipality: str = "101", actor: access_log.Actor | None = None
) -> list[list]:
    """W4_consent_reach rows by cohort year (see the module's docstring)."""
    consents = [
        c for c in db.scalars(select(Consent).where(Consent.purpose == "reach")) if holds_on(c, day)
    ]
    if not consents:
        return []
    by_person = {c.person_id: c for c in consents}
    visits = defaultdict(list)
    q = select(ConsentVisit.consent_id, ActivitySession.date).join(
        ActivitySession, ActivitySession.id == ConsentVisit.session_id
    )
    for cid, d in db.execute(q):
        visits[cid].append(d)
    params = ProgrammeParams(as_of=day, municipality=municipality)
    num: dict[int, int] = defaultdict(int)
    den: dict[int, int] = defaultdict(int)
    for rec in load_records(db, anonymised=False):
        c = by_person.get(int(rec.key))
        if c is None or not in_cohort(rec, params):
            continue
        window_end = add_months(rec.t0, REACH_MONTHS)
        if window_end > day:
            continue
        den[rec.t0.year] += 1
        if any(d <= window_end for d in visits[c.id]):
            num[rec.t0.year] += 1
    access_log.record(
        db,
        actor or cli_actor(),
        "read",
        record_type="wh_consent",
        purpose=f"W4 reach under consent ({len(consents)} consents)",
    )
    return [_row("W4_consent_reach", f"cohort_year={y}", num[y], den[y]) for y in sorted(den)]
