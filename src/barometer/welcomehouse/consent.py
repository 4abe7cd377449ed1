"""Purpose-specific consent: the only bridge from a Welcome House visit to a programme case.

A participant who agrees gets a card with a random code; staff register the code at a session
and see nothing else (no name, no case). The consent holds from ``given_on`` up to and including
``expires_on`` (default 12 months, ``CONSENT_MONTHS``; UNCONFIRMED, PROGRAMME.md §8.11), unless
withdrawn: withdrawal deletes every visit registered under it. Giving and withdrawing happen on
the case side (``reach.py``), where the person is known.
"""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from barometer.casework import access_log
from barometer.errors import BarometerError
from barometer.welcomehouse.models import ActivitySession, Consent, ConsentVisit

CONSENT_MONTHS = 12
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class ConsentError(BarometerError):
    """A consent is unknown, not valid on the day, or given for another purpose."""


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"WH-{raw[:4]}-{raw[4:]}"


def holds_on(c: Consent, day: date) -> bool:
    return c.given_on <= day <= c.expires_on and (c.withdrawn_on is None or day < c.withdrawn_on)


def register_visit(
    db: Session, code: str, sess: ActivitySession, actor: access_log.Actor
) -> ConsentVisit:
    """Record that the card's holder attended ``sess``; refused unless the consent holds then."""
    c = db.scalar(select(Consent).where(Consent.code == code.strip().upper()))
    if c is None or not holds_on(c, sess.date):
        raise ConsentError("no consent with this code holds on the session's date")
    existing = db.scalar(
        select(ConsentVisit).where(
            ConsentVisit.consent_id == c.id, ConsentVisit.session_id == sess.id
        )
    )
    if existing is not None:
        return existing
    visit = ConsentVisit(consent_id=c.id, session_id=sess.id)
    db.add(visit)
    db.flush()
    access_log.record(
        db,
        actor,
        "create",
        record_type="wh_consent",
        record_id=c.id,
        purpose=f"consented visit to session {sess.id}",
    )
    return visit


def withdraw(db: Session, c: Consent, on: date, actor: access_log.Actor) -> int:
    """Withdraw from ``on``; the visits registered under the consent are deleted."""
    if c.withdrawn_on is not None:
        raise ConsentError("the consent was withdrawn already")
    c.withdrawn_on = on
    n = db.execute(delete(ConsentVisit).where(ConsentVisit.consent_id == c.id)).rowcount
    access_log.record(
        db,
        actor,
        "delete",
        record_type="wh_consent",
        record_id=c.id,
        subject_id=c.person_id,
        purpose="consent withdrawn; its visits deleted",
    )
    return n
