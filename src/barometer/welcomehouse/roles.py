"""Welcome House roles (PROGRAMME.md §4.5) and their scope.

Staff see their own house; an organisation's coordinator sees its volunteers' certificate
status as valid or expired only (never the dates or an assessment) and its activities; a
volunteer sees their own profile, shifts and hours; the analyst sees figures only; the admin
manages the Welcome House users. None of these roles sees a case: the programme app answers
403 to all of them, and this app answers 403 to the programme's roles.
"""

from __future__ import annotations

from barometer.casework.auth import Role, register_role

STAFF = "wh_staff"
COORDINATOR = "wh_coordinator"
VOLUNTEER = "wh_volunteer"
ANALYST = "wh_analyst"
ADMIN = "wh_admin"

ROLE_LIST = (
    Role(STAFF, "welcomehouse", "Welcome House-medarbejder", "Welcome House staff"),
    Role(COORDINATOR, "welcomehouse", "Koordinator i frivilligorganisation",
         "Organisation coordinator"),
    Role(VOLUNTEER, "welcomehouse", "Frivillig", "Volunteer"),
    Role(ANALYST, "welcomehouse", "Analytiker (Welcome House)", "Analyst (Welcome House)"),
    Role(ADMIN, "welcomehouse", "Administrator (Welcome House)", "Administrator (Welcome House)"),
)  # fmt: skip
for _role in ROLE_LIST:
    register_role(_role)

ROLE_NAMES = tuple(r.name for r in ROLE_LIST)
# The scope each role needs: the user's house, organisation or own volunteer record.
SCOPE_OF = {STAFF: "house", COORDINATOR: "organisation", VOLUNTEER: "volunteer"}
PAGES = {
    STAFF: ("volunteers", "activities", "figures"),
    COORDINATOR: ("volunteers", "activities"),
    VOLUNTEER: ("me", "sessions"),
    ANALYST: ("figures",),
    ADMIN: ("users",),
}
