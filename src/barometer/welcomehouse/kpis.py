"""Figures W1-W5 (PROGRAMME.md §5) for Welcome House staff, with numerators and denominators.

All are evaluated on one day ``t`` (``KpiParams.day``):

- Active volunteer: at least one assignment to a session dated in the ``active_days`` (90)
  days ending on t (t − 89 … t).
- W1 certificate coverage: active volunteers with an assignment in that window to an activity
  that requires a certificate, whose every required certificate is valid on t / those volunteers
  (target 100 %).
- W2 expiring soon: active volunteers holding a certificate whose cover ends in t … t + 30 days
  / active volunteers.
- W3: active volunteers; organisations running an activity with a session in the window
  (counts).
- W4 reach: the sum of session headcounts per ISO week, for the ``reach_weeks`` (13) weeks
  ending with t's week, sessions up to t (counts). The consent-linked share of a cohort is in
  ``reach.py``.
- W5 volunteer hours: the sum of logged actual hours per calendar month, for the
  ``hours_months`` (12) months ending with t's month, sessions up to t.

``group`` is ``all`` or ``key=value`` pairs joined by ``;``: ``house=<code>`` (where the work
or the session took place), ``organisation=<org_id>`` (the volunteer's), ``week=2025-W26``,
``month=2025-06``. Counts have no denominator; their value is the count. A breakdown with
nothing in it has no row; the all-level row of every week and month is always there.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from barometer.casework.calendar import add_months
from barometer.welcomehouse.certificates import (
    CertificateRules,
    certificate_state,
    required_kinds,
)
from barometer.welcomehouse.models import (
    CERTIFICATE_KINDS,
    Activity,
    ActivitySession,
    Assignment,
    Attendance,
    Certificate,
    House,
    Organisation,
    Volunteer,
)

KPI_COLUMNS = ["kpi_id", "group", "numerator", "denominator", "value"]
KPI_TITLES = {
    "W1": ("Attestdækning", "Certificate coverage"),
    "W2": ("Attester der udløber inden for 30 dage", "Certificates expiring within 30 days"),
    "W3_volunteers": ("Aktive frivillige", "Active volunteers"),
    "W3_organisations": ("Aktive organisationer", "Active organisations"),
    "W4_headcount": ("Deltagere pr. uge", "Participants per week"),
    "W4_consent_reach": (
        "Andel af årgangen med samtykke, der deltog ≤ T0 + 3 måneder",
        "Share of the consenting cohort who attended ≤ T0 + 3 months",
    ),
    "W5_hours": ("Frivillige timer pr. måned", "Volunteer hours per month"),
}


@dataclass(frozen=True)
class KpiParams:
    """The figures' parameters (docs/welcomehouse.md, "Parameters")."""

    day: date
    active_days: int = 90
    reach_weeks: int = 13
    hours_months: int = 12
    rules: CertificateRules = field(default_factory=CertificateRules)


@dataclass(frozen=True)
class Cert:
    kind: str
    received_date: date
    assessed_ok: bool
    valid_until: date | None


@dataclass(frozen=True)
class Sess:
    id: int
    date: date
    start: time
    end: time
    house: str
    organisation: str | None  # the activity's
    requires: str


@dataclass
class WelcomeData:
    """Everything the figures need, read once (no names)."""

    volunteer_org: dict[int, str | None]
    certificates: dict[int, list[Cert]]
    sessions: dict[int, Sess]
    assignments: list[tuple[int, int, float | None]]  # volunteer, session, hours
    attendance: list[tuple[int, str, str, int]]  # session, age band, sex, headcount


def load_data(db: Session) -> WelcomeData:
    orgs = dict(db.execute(select(Organisation.id, Organisation.org_ref)).all())
    houses = dict(db.execute(select(House.id, House.code)).all())
    volunteer_org = {
        vid: orgs.get(oid)
        for vid, oid in db.execute(select(Volunteer.id, Volunteer.organisation_id))
    }
    certs: dict[int, list[Cert]] = defaultdict(list)
    for c in db.scalars(select(Certificate)):
        certs[c.volunteer_id].append(Cert(c.kind, c.received_date, c.assessed_ok, c.valid_until))
    q = select(
        ActivitySession.id,
        ActivitySession.date,
        ActivitySession.start,
        ActivitySession.end,
        Activity.house_id,
        Activity.organisation_id,
        Activity.requires_certificate,
    ).join(Activity)
    sessions = {
        sid: Sess(sid, d, st, en, houses[h], orgs.get(o), rq)
        for sid, d, st, en, h, o, rq in db.execute(q)
    }
    assignments = [
        tuple(r)
        for r in db.execute(
            select(Assignment.volunteer_id, Assignment.session_id, Assignment.hours)
        )
    ]
    attendance = [
        tuple(r)
        for r in db.execute(
            select(Attendance.session_id, Attendance.age_band, Attendance.sex, Attendance.headcount)
        )
    ]
    return WelcomeData(volunteer_org, dict(certs), sessions, assignments, attendance)


def _row(kpi: str, group: str, num: float, den: float | None) -> list:
    if den is None:
        return [kpi, group, num, math.nan, num]
    return [kpi, group, num, den, 100.0 * num / den if den else math.nan]


def _shares(kpi: str, members: dict[int, set[str]], hits: set[int]) -> list[list]:
    """A share by 'all' and by every group a member belongs to."""
    rows = [_row(kpi, "all", len(hits & set(members)), len(members))]
    by_group: dict[str, set[int]] = defaultdict(set)
    for vid, groups in members.items():
        for g in groups:
            by_group[g].add(vid)
    for g in sorted(by_group):
        rows.append(_row(kpi, g, len(hits & by_group[g]), len(by_group[g])))
    return rows


def _counts(kpi: str, members: dict, extra_groups: dict) -> list[list]:
    rows = [_row(kpi, "all", len(members), None)]
    by_group: dict[str, int] = defaultdict(int)
    for key in members:
        for g in extra_groups[key]:
            by_group[g] += 1
    rows += [_row(kpi, g, n, None) for g, n in sorted(by_group.items())]
    return rows


def iso_week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def compute_kpis(data: WelcomeData, p: KpiParams) -> pd.DataFrame:
    """W1-W5 on day ``p.day`` (columns ``KPI_COLUMNS``)."""
    t = p.day
    since = t - timedelta(days=p.active_days - 1)
    rules = p.rules
    active: dict[int, set[str]] = defaultdict(set)  # volunteer → its groups
    needs: dict[int, set[str]] = defaultdict(set)  # volunteer → kinds required in the window
    needs_groups: dict[int, set[str]] = defaultdict(set)
    active_orgs: dict[str, set[str]] = defaultdict(set)
    for s in data.sessions.values():
        if since <= s.date <= t and s.organisation:
            active_orgs[s.organisation].add(f"house={s.house}")
    for vid, sid, _h in data.assignments:
        s = data.sessions[sid]
        if not since <= s.date <= t:
            continue
        org = data.volunteer_org.get(vid)
        groups = {f"house={s.house}"} | ({f"organisation={org}"} if org else set())
        active[vid] |= groups
        kinds = required_kinds(s.requires, rules)
        if kinds:
            needs[vid] |= set(kinds)
            needs_groups[vid] |= groups

    def state(vid: int, kind: str):
        return certificate_state(data.certificates.get(vid, []), kind, t, rules)

    covered = {
        vid for vid, kinds in needs.items() if all(state(vid, k).status == "valid" for k in kinds)
    }
    expiring = {
        vid for vid in active if any(state(vid, k).expiring(t, rules) for k in CERTIFICATE_KINDS)
    }
    rows = _shares("W1", {v: needs_groups[v] for v in needs}, covered)
    rows += _shares("W2", dict(active), expiring)
    rows += _counts("W3_volunteers", active, active)
    rows += _counts("W3_organisations", active_orgs, active_orgs)
    rows += _weekly_headcounts(data, p)
    rows += _monthly_hours(data, p)
    return pd.DataFrame(rows, columns=KPI_COLUMNS)


def _weekly_headcounts(data: WelcomeData, p: KpiParams) -> list[list]:
    t = p.day
    first = t - timedelta(days=t.weekday()) - timedelta(weeks=p.reach_weeks - 1)
    weeks = [iso_week(first + timedelta(weeks=i)) for i in range(p.reach_weeks)]
    total: dict[str, int] = dict.fromkeys(weeks, 0)
    by_house: dict[tuple[str, str], int] = defaultdict(int)
    for sid, _band, _sex, n in data.attendance:
        s = data.sessions[sid]
        if first <= s.date <= t:
            total[iso_week(s.date)] += n
            by_house[(iso_week(s.date), s.house)] += n
    rows = []
    for w in weeks:
        rows.append(_row("W4_headcount", f"week={w}", total[w], None))
        for (w2, h), n in sorted(by_house.items()):
            if w2 == w:
                rows.append(_row("W4_headcount", f"week={w};house={h}", n, None))
    return rows


def _monthly_hours(data: WelcomeData, p: KpiParams) -> list[list]:
    t = p.day
    first = add_months(t.replace(day=1), -(p.hours_months - 1))
    months = [add_months(first, i).strftime("%Y-%m") for i in range(p.hours_months)]
    total: dict[str, float] = dict.fromkeys(months, 0.0)
    groups: dict[tuple[str, str], float] = defaultdict(float)
    for vid, sid, hours in data.assignments:
        s = data.sessions[sid]
        if hours is None or not first <= s.date <= t:
            continue
        m = s.date.strftime("%Y-%m")
        total[m] += hours
        groups[(m, f"house={s.house}")] += hours
        org = data.volunteer_org.get(vid)
        if org:
            groups[(m, f"organisation={org}")] += hours
    rows = []
    for m in months:
        rows.append(_row("W5_hours", f"month={m}", total[m], None))
        for (m2, g), h in sorted(groups.items()):
            if m2 == m:
                rows.append(_row("W5_hours", f"month={m};{g}", h, None))
    return rows
