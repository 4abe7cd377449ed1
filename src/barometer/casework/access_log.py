"""The append-only access log (PROGRAMME.md G5-G7, §7.6): record, extract per citizen, purge.

Every read, search, change, export, reveal and break-the-glass is one row. The per-citizen
extract gives dates, actions and purposes, and staff names only when asked (CJEU C-579/21).
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from barometer.casework.db import utcnow
from barometer.casework.models import AccessEvent, AccessLogPurge

ACTIONS = (
    "read",
    "search",
    "create",
    "update",
    "delete",
    "export",
    "reveal",
    "break_glass",
    "login",
    "login_failed",
    "logout",
    "approve",
)


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in user, or a command-line run (``cli:<os user>``)."""

    user_id: int | None
    username: str
    role: str


def cli_actor() -> Actor:
    """The command-line run as an actor: ``cli:<os user>``."""
    try:
        who = getpass.getuser()
    except Exception:  # no login name in a container
        who = "unknown"
    return Actor(None, f"cli:{who}", "cli")


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    record_type: str | None = None,
    record_id: str | int | None = None,
    subject_id: int | None = None,
    purpose: str | None = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> AccessEvent:
    """Add one event to the session's transaction (it commits with the work it describes)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    event = AccessEvent(
        at=at or utcnow(),
        user_id=actor.user_id,
        username=actor.username,
        role=actor.role,
        action=action,
        record_type=record_type,
        record_id=None if record_id is None else str(record_id),
        subject_id=subject_id,
        purpose=(purpose or None) and purpose[:500],
        detail=(detail or None) and detail[:500],
    )
    session.add(event)
    return event


def record_many(
    session: Session,
    actor: Actor,
    action: str,
    record_ids: Iterable[int],
    *,
    record_type: str = "person",
    subject: bool = True,
    purpose: str | None = None,
    detail: str | None = None,
) -> None:
    """One event per record (a list shown, a search, an import), added in bulk. With ``subject``
    each record is also the event's subject, the citizen of the per-citizen extract."""
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
            "subject_id": rid if subject else None,
            "purpose": (purpose or None) and purpose[:500],
            "detail": (detail or None) and detail[:500],
        }
        for rid in record_ids
    ]
    if rows:
        session.execute(insert(AccessEvent), rows)


def extract(session: Session, *conditions, with_staff: bool = False) -> list[dict]:
    """The events that meet ``conditions``, oldest first: date, action, purpose and role, and the
    staff member's username only when asked (CJEU C-579/21)."""
    rows = session.scalars(
        select(AccessEvent).where(*conditions).order_by(AccessEvent.at, AccessEvent.id)
    )
    out = []
    for e in rows:
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


def extract_for_subject(
    session: Session, subject_id: int, *, with_staff: bool = False
) -> list[dict]:
    """The citizen's right to know who looked: date, action, purpose (role; staff on request)."""
    return extract(session, AccessEvent.subject_id == subject_id, with_staff=with_staff)


def purge_before(session: Session, cutoff: datetime, run_id: str) -> int:
    """Register a cutoff, then delete the log rows older than it (the triggers allow no other)."""
    session.add(AccessLogPurge(at=utcnow(), cutoff=cutoff, run_id=run_id))
    session.flush()
    n = session.scalar(select(func.count()).where(AccessEvent.at < cutoff)) or 0
    session.execute(delete(AccessEvent).where(AccessEvent.at < cutoff))
    return n
