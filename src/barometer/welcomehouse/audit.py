"""Welcome House events in the platform's append-only access log.

Volunteers are not citizens of the case domain: their events carry ``record_type``
``wh_volunteer`` and the volunteer's internal id as ``record_id``, and never a ``subject_id``
(that column keys the case domain's per-citizen extract).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from barometer.casework.access_log import ACTIONS, Actor
from barometer.casework.db import utcnow
from barometer.casework.models import AccessEvent


def log_many(
    db: Session,
    actor: Actor,
    action: str,
    record_type: str,
    record_ids: Iterable[int],
    *,
    purpose: str | None = None,
) -> None:
    """One event per record (a list shown, an import), inserted in bulk."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    now = utcnow()
    rows = [
        {
            "at": now,
            "user_id": actor.user_id,
            "username": actor.username,
            "role": actor.role,
            "action": action,
            "record_type": record_type,
            "record_id": str(rid),
            "subject_id": None,
            "purpose": purpose and purpose[:500],
            "detail": None,
        }
        for rid in record_ids
    ]
    if rows:
        db.execute(insert(AccessEvent), rows)


def extract_for_volunteer(db: Session, volunteer_id: int, *, with_staff: bool = False):
    """A volunteer's right of access to the log: dates, actions, purposes (staff on request)."""
    q = (
        select(AccessEvent)
        .where(AccessEvent.record_type == "wh_volunteer")
        .where(AccessEvent.record_id == str(volunteer_id))
        .order_by(AccessEvent.at, AccessEvent.id)
    )
    out = []
    for e in db.scalars(q):
        item = {
            "at": e.at.isoformat(timespec="seconds"),
            "action": e.action,
            "purpose": e.purpose,
            "role": e.role,
        }
        if with_staff:
            item["staff"] = e.username
        out.append(item)
    return out
