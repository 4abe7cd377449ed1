"""Welcome House users: a platform user with a role from ``roles`` and the scope it needs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from barometer.casework.auth import AuthError, create_user
from barometer.casework.models import User
from barometer.welcomehouse import roles
from barometer.welcomehouse.models import House, Organisation, UserScope, Volunteer


def add_user(
    db: Session,
    username: str,
    password: str | None,
    role: str,
    *,
    house: str | None = None,
    organisation: str | None = None,
    volunteer: str | None = None,
    display_name: str | None = None,
    is_demo: bool = False,
) -> User:
    """Create the user and its scope: staff need a house, coordinators an organisation,
    volunteers their own volunteer record; the others need none."""
    if role not in roles.ROLE_NAMES:
        raise AuthError(f"not a Welcome House role; roles: {', '.join(roles.ROLE_NAMES)}")
    given = {"house": house, "organisation": organisation, "volunteer": volunteer}
    needed = roles.SCOPE_OF.get(role)
    extra = [k for k, v in given.items() if v and k != needed]
    if extra:
        raise AuthError(f"the role {role} takes no --{extra[0]}")
    scope = UserScope()
    if needed == "house":
        scope.house_id = _lookup(db, House.id, House.code, house, "--house", "house")
    elif needed == "organisation":
        scope.organisation_id = _lookup(
            db, Organisation.id, Organisation.org_ref, organisation, "--organisation", "org_id"
        )
    elif needed == "volunteer":
        scope.volunteer_id = _lookup(
            db, Volunteer.id, Volunteer.volunteer_ref, volunteer, "--volunteer", "volunteer_id"
        )
    user = create_user(db, username, password, role, display_name=display_name, is_demo=is_demo)
    if needed:
        scope.user_id = user.id
        db.add(scope)
    return user


def _lookup(db: Session, id_col, ref_col, value: str | None, option: str, noun: str) -> int:
    if not value:
        raise AuthError(f"this role needs {option} (its scope)")
    found = db.scalar(select(id_col).where(ref_col == value))
    if found is None:
        raise AuthError(f"{option}: no such {noun}")
    return found
