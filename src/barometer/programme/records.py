"""One case as the rules and KPIs see it: dates, dated episodes, responsibilities, waivers.

A live person and a case anonymised to statistics both become a :class:`CaseRecord`, so the
deadline engine, the pathway and the KPIs run on the same thing and anonymised cases keep
counting after their personal data are gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from barometer.codes import load_countries
from barometer.programme.calendar import age_on, compute_t0
from barometer.programme.models import GONE_REASONS, AnonymisedCase, Person

AGE_BANDS = ((0, 17), (18, 24), (25, 29), (30, 34), (35, 39), (40, 44), (45, 49), (50, 54))
AGE_BANDS += ((55, 59), (60, 64))


def age_band(age: int) -> str:
    for lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return f"{lo}-{hi}"
    return "65+"


ADULT_BANDS = frozenset(age_band(a) for a in range(18, 65))


@dataclass(frozen=True)
class Ep:
    kind: str
    start: date
    end: date | None = None  # inclusive; None while it runs
    hours: float | None = None
    company: str | None = None  # CVR, or a per-case index once anonymised
    disco: str | None = None
    passed: bool | None = None
    goal: str | None = None
    level: str | None = None
    module: int | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def end_or(self, default: date) -> date:
        return self.end if self.end is not None else default


@dataclass(frozen=True)
class Stay:
    """Responsibility of one municipality, both ends inclusive (end None: still responsible)."""

    municipality: str
    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass
class CaseRecord:
    key: str
    sex: str
    age_band: str  # at T0
    western: bool
    menapt: bool
    permit_basis: str
    placement: date
    t0: date
    arrival: date | None
    exit_date: date | None
    exit_reason: str | None
    stays: list[Stay]
    episodes: list[Ep]
    waived: frozenset[str] = frozenset()  # rule ids waived with a reason and an approver
    person_id: int | None = None
    team: str | None = None
    caseworker_id: int | None = None
    name: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def arrival_or_t0(self) -> date:
        return self.arrival if self.arrival is not None else self.t0

    @property
    def municipality_at_t0(self) -> str | None:
        return self.municipality_on(self.t0)

    def municipality_on(self, day: date) -> str | None:
        for s in self.stays:
            if s.covers(day):
                return s.municipality
        return None

    def left_municipality(self, municipality: str, after: date) -> date | None:
        """The last day ``municipality`` was responsible, if that falls on/after ``after``."""
        for s in self.stays:
            if s.municipality == municipality and s.covers(after):
                return s.end
        return None

    def gone_on(self, day: date) -> bool:
        """Dead, emigrated or repatriated by ``day`` (no longer alive and resident)."""
        return (
            self.exit_reason in GONE_REASONS
            and self.exit_date is not None
            and self.exit_date <= day
        )

    def kinds(self, *kinds: str) -> list[Ep]:
        return [e for e in self.episodes if e.kind in kinds]


def origin_flags(country_code: str) -> tuple[bool, bool]:
    """(western, MENAPT) for a DST country code; unknown or stateless counts non-western."""
    c = load_countries().get(country_code)
    if c is None:
        return False, False
    return c.is_western, c.is_menapt


def default_stays(
    municipality: str, t0: date, exit_date: date | None, exit_reason: str | None
) -> list[Stay]:
    """One stay from T0; it ends at a transfer or when the person leaves Denmark or dies."""
    ends = exit_reason in (*GONE_REASONS, "transferred")
    return [Stay(municipality, t0, exit_date if ends else None)]


def record_from_person(p: Person) -> CaseRecord:
    t0 = compute_t0(p.placement_date, p.takeover_date)
    western, menapt = origin_flags(p.country_code)
    stays = [Stay(r.municipality_code, r.start_date, r.end_date) for r in p.responsibilities]
    if not stays:
        stays = default_stays(p.municipality_code, t0, p.exit_date, p.exit_reason)
    return CaseRecord(
        key=str(p.id),
        sex=p.sex,
        age_band=age_band(age_on(p.birth_date, t0)),
        western=western,
        menapt=menapt,
        permit_basis=p.permit_basis,
        placement=p.placement_date,
        t0=t0,
        arrival=p.arrival_date,
        exit_date=p.exit_date,
        exit_reason=p.exit_reason,
        stays=stays,
        episodes=sorted(
            (
                Ep(
                    e.kind,
                    e.start_date,
                    e.end_date,
                    e.hours_per_week,
                    e.company_cvr,
                    e.disco_code,
                    e.passed,
                    e.goal,
                    e.level,
                    e.module,
                )
                for e in p.episodes
            ),
            key=lambda e: (e.start, e.kind),
        ),
        waived=frozenset(w.rule_id for w in p.waivers if w.reason and w.approved_by),
        person_id=p.id,
        team=p.team,
        caseworker_id=p.caseworker_id,
        name=p.name,
    )


def _offset(base: date, days: int | None) -> date | None:
    return None if days is None else base + timedelta(days=days)


def record_from_anonymised(a: AnonymisedCase) -> CaseRecord:
    y, m = (int(x) for x in a.cohort_month.split("-"))
    t0 = date(y, m, a.t0_day)
    r = a.record
    return CaseRecord(
        key=f"anon:{a.id}",
        sex=a.sex,
        age_band=a.age_band,
        western=a.western,
        menapt=a.menapt,
        permit_basis=a.permit_basis,
        placement=_offset(t0, r["placement"]),
        t0=t0,
        arrival=_offset(t0, r.get("arrival")),
        exit_date=_offset(t0, r.get("exit")),
        exit_reason=r.get("exit_reason"),
        stays=[Stay(s[0], _offset(t0, s[1]), _offset(t0, s[2])) for s in r["stays"]],
        episodes=[
            Ep(
                e["kind"],
                _offset(t0, e["start"]),
                _offset(t0, e.get("end")),
                e.get("hours"),
                e.get("company"),
                e.get("disco"),
                e.get("passed"),
                e.get("goal"),
                e.get("level"),
                e.get("module"),
            )
            for e in r["episodes"]
        ],
        waived=frozenset(r.get("waived", [])),
    )


def load_records(session: Session, *, anonymised: bool = True) -> list[CaseRecord]:
    """Every case in the database: live persons, then (optionally) anonymised cases."""
    persons = session.scalars(
        select(Person).options(
            selectinload(Person.episodes),
            selectinload(Person.responsibilities),
            selectinload(Person.waivers),
        )
    )
    records = [record_from_person(p) for p in persons]
    if anonymised:
        records += [record_from_anonymised(a) for a in session.scalars(select(AnonymisedCase))]
    return records
