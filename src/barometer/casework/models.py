"""Platform tables: users, login sessions and attempts, the access log, break-the-glass, and the
destruction register. None of them holds case data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from barometer.casework.db import Base


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    # The scope of a team-scoped role (caseworker, team leader); free text such as "team-nord".
    team: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    # Demo users log in without a password, and only on a database flagged synthetic.
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class LoginSession(Base):
    """A server-side session; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class LoginAttempt(Base):
    """One login attempt, for throttling; the client address is kept only as a keyed hash."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    success: Mapped[bool]


class AccessEvent(Base):
    """Append-only (database triggers): who did what to which record, when, and why."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None]
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    # read, search, create, update, delete, export, reveal, break_glass, login, login_failed, …
    action: Mapped[str] = mapped_column(String(32))
    record_type: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[str | None] = mapped_column(String(64))
    # The citizen the event concerns (the per-citizen extract); no foreign key, so the log
    # outlives a deleted case until its own retention ends.
    subject_id: Mapped[int | None] = mapped_column(index=True)
    purpose: Mapped[str | None] = mapped_column(String(500))
    detail: Mapped[str | None] = mapped_column(String(500))


class AccessLogPurge(Base):
    """A retention run's cutoff: only log rows older than the newest cutoff may be deleted."""

    __tablename__ = "access_log_purges"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    cutoff: Mapped[datetime]
    run_id: Mapped[str] = mapped_column(String(64))


class BreakGlass(Base):
    """Time-boxed access outside one's scope, with a reason, shown to the record's team leader."""

    __tablename__ = "break_glass"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    started_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None]


class DestructionEntry(Base):
    """What a retention run deleted or anonymised: counts only, never personal data."""

    __tablename__ = "destruction_register"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64), index=True)
    run_at: Mapped[datetime]
    rule: Mapped[str] = mapped_column(String(200))
    entity_kind: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))  # deleted | anonymised
    count: Mapped[int]


Index("ix_access_log_user_at", AccessEvent.user_id, AccessEvent.at)
