"""The programme's roles (PROGRAMME.md §4.5) and who may see and do what with a case.

Scope: caseworkers and team leaders see their team's caseload; the asylum-centre consultant
sees persons not yet taken over (before T0); the language-centre liaison sees the Danish track
of persons referred to Danish education; company consultants see persons only through their
own companies' slots (name, competences, offer dates). Analysts, auditors and administrators
see no person. Outside one's scope, a caseworker or team leader may break the glass.
"""

from __future__ import annotations

from datetime import date

from barometer.casework.auth import Role, register_role
from barometer.casework.models import User

ROLE_LIST = (
    Role("caseworker", "programme", "Integrationssagsbehandler", "Integration caseworker",
         team_scoped=True, can_break_glass=True),
    Role("team_leader", "programme", "Teamleder", "Team leader", team_scoped=True,
         can_break_glass=True),
    Role("asylum_consultant", "programme", "Jobkonsulent på asylcenter",
         "Asylum-centre job consultant"),
    Role("company_consultant", "programme", "Virksomhedskonsulent", "Company consultant"),
    Role("language_liaison", "programme", "Sprogcenterkontakt", "Language-centre liaison"),
    Role("analyst", "programme", "Analytiker", "Analyst"),
    Role("auditor", "programme", "Databeskyttelsesrådgiver / revisor", "DPO / auditor"),
    Role("admin", "programme", "Administrator", "Administrator"),
)  # fmt: skip
for _role in ROLE_LIST:
    register_role(_role)

# Field groups each role sees on a person it may read.
FIELD_GROUPS = {
    "caseworker": {"identity", "case", "danish", "profile", "tasks"},
    "team_leader": {"identity", "case", "danish", "profile", "tasks"},
    "asylum_consultant": {"identity", "profile", "asylum"},
    "language_liaison": {"identity", "danish"},
}
# Episode kinds each role may add.
WRITABLE_KINDS = {
    "caseworker": None,  # every kind
    "team_leader": None,
    "asylum_consultant": {"asylum_contact"},
    "language_liaison": {"danish_education", "danish_test"},
    "company_consultant": {"internship", "wage_subsidy", "igu"},
}
STAFF_PAGES = {
    "caseworker": ("tasks", "persons", "companies"),
    "team_leader": ("tasks", "persons", "compliance", "companies", "kpis"),
    "asylum_consultant": ("persons",),
    "language_liaison": ("persons",),
    "company_consultant": ("companies",),
    "analyst": ("kpis",),
    "auditor": ("audit",),
    "admin": ("users",),
}


def scope_reason(user: User, person, today: date, *, referred: bool, t0: date) -> str | None:
    """'scope' when the person is within the user's scope, else None."""
    if user.role in ("caseworker", "team_leader"):
        return "scope" if person.team is not None and person.team == user.team else None
    if user.role == "asylum_consultant":
        return "scope" if today < t0 else None
    if user.role == "language_liaison":
        return "scope" if referred else None
    return None


def may_write_kind(role: str, kind: str) -> bool:
    if role not in WRITABLE_KINDS:
        return False
    allowed = WRITABLE_KINDS[role]
    return allowed is None or kind in allowed
