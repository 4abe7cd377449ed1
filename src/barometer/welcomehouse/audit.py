"""Welcome House events in the platform's append-only access log.

Volunteers are not citizens of the case domain: their events carry ``record_type``
``wh_volunteer`` and the volunteer's internal id as ``record_id``, and never a ``subject_id``
(that column keys the case domain's per-citizen extract).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from barometer.casework.access_log import Actor, extract, record_many
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
    """One event per record (a list shown, an import), inserted in bulk, with no subject."""
    record_many(
        db, actor, action, record_ids, record_type=record_type, subject=False, purpose=purpose
    )


def extract_for_volunteer(db: Session, volunteer_id: int, *, with_staff: bool = False):
    """A volunteer's right of access to the log: dates, actions, purposes (staff on request)."""
    return extract(
        db,
        AccessEvent.record_type == "wh_volunteer",
        AccessEvent.record_id == str(volunteer_id),
        with_staff=with_staff,
    )
