"""Assigning a volunteer to a session: the certificate rule, status, overlaps and capacity.

An assignment is refused when the activity requires a certificate that is expired, missing or
not assessed OK on the session's date (the message names the certificate and its date), when
the volunteer is not approved, when the volunteer has another session that overlaps in time
(the gap CiviVolunteer leaves open), or when the session has all the volunteers it needs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barometer.casework import access_log
from barometer.casework.db import utcnow
from barometer.errors import BarometerError
from barometer.welcomehouse.certificates import (
    CertificateRules,
    blocking_message,
    certificate_state,
    required_kinds,
)
from barometer.welcomehouse.models import (
    ASSIGNABLE_STATUSES,
    ActivitySession,
    Assignment,
    Certificate,
    Volunteer,
)


class AssignmentRefusedError(BarometerError):
    """The volunteer may not take the session; the message says why."""


def refusals(
    db: Session, volunteer: Volunteer, sess: ActivitySession, rules: CertificateRules
) -> list[str]:
    """Every reason the assignment is refused (empty: it may go ahead)."""
    reasons = []
    if volunteer.status not in ASSIGNABLE_STATUSES:
        reasons.append(f"the volunteer's status is {volunteer.status}, not approved or active")
    certs = list(db.scalars(select(Certificate).where(Certificate.volunteer_id == volunteer.id)))
    for kind in required_kinds(sess.activity.requires_certificate, rules):
        msg = blocking_message(certificate_state(certs, kind, sess.date, rules), sess.date)
        if msg:
            reasons.append(msg)
    taken = db.execute(
        select(ActivitySession)
        .join(Assignment, Assignment.session_id == ActivitySession.id)
        .where(Assignment.volunteer_id == volunteer.id, ActivitySession.date == sess.date)
    ).scalars()
    for other in taken:
        if other.id == sess.id:
            reasons.append("the volunteer is already on this session")
        elif other.start < sess.end and sess.start < other.end:
            reasons.append(
                f"it overlaps another session the same day ({other.start:%H:%M}-{other.end:%H:%M})"
            )
    if sess.volunteers_needed is not None:
        n = db.scalar(select(func.count()).where(Assignment.session_id == sess.id)) or 0
        if n >= sess.volunteers_needed:
            reasons.append("the session has all the volunteers it needs")
    return reasons


def assign(
    db: Session,
    volunteer: Volunteer,
    sess: ActivitySession,
    actor: access_log.Actor,
    rules: CertificateRules,
    *,
    hours: float | None = None,
    now: datetime | None = None,
) -> Assignment:
    """Add the assignment (and its access-log event) to ``db``'s transaction, or refuse."""
    reasons = refusals(db, volunteer, sess, rules)
    if reasons:
        raise AssignmentRefusedError(
            f"volunteer {volunteer.volunteer_ref} cannot take session {sess.session_ref} "
            f"on {sess.date.isoformat()}: " + "; ".join(reasons)
        )
    a = Assignment(
        volunteer_id=volunteer.id,
        session_id=sess.id,
        hours=hours,
        created_by=actor.username,
        created_at=now or utcnow(),
    )
    db.add(a)
    db.flush()
    access_log.record(
        db,
        actor,
        "create",
        record_type="wh_assignment",
        record_id=a.id,
        purpose=f"volunteer {volunteer.id} on session {sess.id}",
    )
    return a
