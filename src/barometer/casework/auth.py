"""Users, roles, passwords, login sessions, CSRF tokens, login throttling and break-the-glass.

Roles are registered by each domain (``register_role``) so one users table serves the programme
and Welcome House. Passwords are argon2id hashes. A session cookie carries a random token; the
database keeps only its SHA-256, so a copy of the database opens no session. The OIDC seam:
``start_session`` takes a user found by any means, so a single-sign-on callback that maps the
identity provider's subject to a ``User`` needs no other change (docs/programme.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barometer.casework.db import utcnow
from barometer.casework.models import BreakGlass, LoginAttempt, LoginSession, User
from barometer.errors import BarometerError


@dataclass(frozen=True)
class Role:
    name: str
    domain: str
    label_da: str
    label_en: str
    team_scoped: bool = False
    can_break_glass: bool = False


ROLES: dict[str, Role] = {}


def register_role(role: Role) -> None:
    ROLES[role.name] = role


@dataclass(frozen=True)
class AuthSettings:
    """Login and session parameters (docs/programme.md, "Parameters")."""

    session_idle: timedelta = timedelta(minutes=30)
    session_max: timedelta = timedelta(hours=8)
    throttle_window: timedelta = timedelta(minutes=15)
    throttle_user_failures: int = 5  # failed attempts per username in the window
    throttle_client_failures: int = 20  # failed attempts per client address in the window
    break_glass: timedelta = timedelta(hours=3)  # DHIS2's 3 hours
    client_hash_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))


class AuthError(BarometerError):
    """A user cannot be created or a login is refused."""


class LoginThrottledError(AuthError):
    """Too many failed attempts in the window."""


MIN_PASSWORD = 12
UNUSABLE = "!"  # no password verifies against it (demo users)
_hashing = {"hasher": PasswordHasher(), "dummy": None}  # argon2id, RFC 9106 low-memory profile


def configure_password_hashing(*, time_cost: int = 3, memory_cost: int = 65536) -> None:
    """Set argon2id's cost (memory in KiB); the defaults are argon2-cffi's and RFC 9106's."""
    _hashing["hasher"] = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
    _hashing["dummy"] = None


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hashing["hasher"].hash(password)


def verify_password(stored: str, password: str) -> bool:
    if stored == UNUSABLE:
        return False
    try:
        return _hashing["hasher"].verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    if _hashing["dummy"] is None:
        _hashing["dummy"] = _hashing["hasher"].hash(secrets.token_urlsafe(16))
    return _hashing["dummy"]


def create_user(
    session: Session,
    username: str,
    password: str | None,
    role: str,
    *,
    team: str | None = None,
    display_name: str | None = None,
    is_demo: bool = False,
) -> User:
    """A new user; demo users get an unusable password (they log in only on a synthetic DB)."""
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}; roles: {', '.join(sorted(ROLES))}")
    if (
        not username
        or len(username) > 64
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise AuthError("a username is 1-64 letters, digits, '.', '-' or '_'")
    if ROLES[role].team_scoped and not team:
        raise AuthError(f"the role {role} needs --team (its scope)")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AuthError(f"the user {username} exists already")
    pw_hash = UNUSABLE if password is None else hash_password(password)
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        team=team,
        password_hash=pw_hash,
        active=True,
        is_demo=is_demo,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def client_key(address: str, settings: AuthSettings) -> str:
    """The client address as a keyed hash: throttling without storing addresses."""
    return hmac.new(settings.client_hash_key, address.encode(), hashlib.sha256).hexdigest()


def _failures(session: Session, column, value: str, since: datetime) -> int:
    q = select(func.count()).where(
        column == value, LoginAttempt.at >= since, LoginAttempt.success.is_(False)
    )
    return session.scalar(q) or 0


def authenticate(
    session: Session, username: str, password: str, client: str, settings: AuthSettings
) -> User | None:
    """The user if the password is right; None if not; LoginThrottledError after too many failures.

    The attempt is recorded either way. An unknown username costs the same argon2 verification
    as a known one, so timing does not tell which usernames exist.
    """
    now = utcnow()
    since = now - settings.throttle_window
    ckey = client_key(client, settings)
    if (
        _failures(session, LoginAttempt.username, username[:64], since)
        >= settings.throttle_user_failures
        or _failures(session, LoginAttempt.client, ckey, since) >= settings.throttle_client_failures
    ):
        raise LoginThrottledError("too many failed attempts; try again later")
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else _dummy_hash(), password)
    ok = ok and user is not None and user.active and not user.is_demo
    session.add(LoginAttempt(username=username[:64], client=ckey, at=now, success=ok))
    return user if ok else None


def start_session(session: Session, user: User, settings: AuthSettings) -> tuple[str, str]:
    """A new login session: (cookie token, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        LoginSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + settings.session_max,
        )
    )
    return token, csrf


def load_session(
    session: Session, token: str | None, settings: AuthSettings
) -> tuple[LoginSession, User] | None:
    """The live session and its user, touching its idle clock; None when absent or expired."""
    if not token:
        return None
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
    if row is None:
        return None
    now = utcnow()
    if now >= row.expires_at or now - row.last_seen_at >= settings.session_idle:
        session.delete(row)
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if now - row.last_seen_at > timedelta(minutes=1):  # one write a minute is enough
        row.last_seen_at = now
    return row, user


def end_session(session: Session, token: str | None) -> None:
    if token:
        row = session.scalar(
            select(LoginSession).where(LoginSession.token_hash == _token_hash(token))
        )
        if row is not None:
            session.delete(row)


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_break_glass(
    session: Session,
    user: User,
    record_type: str,
    record_id: str,
    team: str | None,
    reason: str,
    settings: AuthSettings,
) -> BreakGlass:
    """Time-boxed access to one record outside the user's scope; needs a reason."""
    if not ROLES[user.role].can_break_glass:
        raise AuthError("this role cannot break the glass")
    reason = reason.strip()
    if len(reason) < 10:
        raise AuthError("give a reason of at least 10 characters")
    now = utcnow()
    bg = BreakGlass(
        user_id=user.id,
        record_type=record_type,
        record_id=str(record_id),
        team=team,
        reason=reason[:500],
        started_at=now,
        expires_at=now + settings.break_glass,
    )
    session.add(bg)
    session.flush()
    return bg


def active_break_glass(
    session: Session, user_id: int, record_type: str, record_id: str
) -> BreakGlass | None:
    now = utcnow()
    return session.scalar(
        select(BreakGlass)
        .where(
            BreakGlass.user_id == user_id,
            BreakGlass.record_type == record_type,
            BreakGlass.record_id == str(record_id),
            BreakGlass.started_at <= now,
            BreakGlass.expires_at > now,
        )
        .order_by(BreakGlass.expires_at.desc())
        .limit(1)
    )


def break_glass_for_team(session: Session, team: str | None, *, open_only: bool = True):
    """Break-the-glass events on a team's records, newest first (the team leader's alerts)."""
    q = select(BreakGlass, User.username).join(User, User.id == BreakGlass.user_id)
    q = q.where(BreakGlass.team == team)
    if open_only:
        q = q.where(BreakGlass.acknowledged_at.is_(None))
    return session.execute(q.order_by(BreakGlass.started_at.desc())).all()
