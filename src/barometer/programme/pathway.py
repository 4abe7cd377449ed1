"""Pathway state derived from the dated episodes (PROGRAMME.md §4.3), never typed by hand.

The main line runs placed → pre_arrival_met → arrived → responsible (T0) → assessed →
contracted → in_programme → exited. The employment and Danish tracks run beside it, and
offers repeat. Every function here is a pure function of a :class:`CaseRecord` and a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from barometer.programme.deadlines import programme_start
from barometer.programme.models import COMPANY_KINDS
from barometer.programme.records import CaseRecord

CONTINUOUS_GAP_WEEKS = 4  # "kontinuerlig" has no number in the law: UNCONFIRMED parameter
EMPLOYMENT_STEPS = ("none", "upskilling", "internship", "wage_subsidy", "igu", "ordinary_job")
DANISH_TESTS = ("PD1", "PD2", "PD3", "studieproeve")


@dataclass(frozen=True)
class Pathway:
    on: date
    stage: str
    exit_reason: str | None
    employment_step: str
    active: tuple[str, ...]
    in_company_offer: bool
    self_supporting: bool
    continuous_company_effort: bool | None
    danish_level: str | None
    danish_modules_passed: int
    danish_test_passed: str | None


def stage_on(rec: CaseRecord, on: date) -> str:
    if rec.exit_date is not None and rec.exit_date <= on:
        return "exited"
    start = programme_start(rec)
    if start is not None and start <= on:
        return "in_programme"
    if any(e.start <= on for e in rec.kinds("contract")):
        return "contracted"
    assessed = rec.extra.get("assessed_on")
    if rec.t0 <= on and assessed is not None and assessed <= on:
        return "assessed"
    if rec.t0 <= on:
        return "responsible"
    if rec.arrival is not None and rec.arrival <= on:
        return "arrived"
    if any(e.start <= on for e in rec.kinds("asylum_contact")):
        return "pre_arrival_met"
    return "placed"


def in_company_offer(rec: CaseRecord, on: date) -> bool:
    """A company internship, wage-subsidy job or IGU covers the day."""
    return any(e.covers(on) for e in rec.kinds(*COMPANY_KINDS))


def self_supporting(rec: CaseRecord, on: date) -> bool:
    """An ordinary job or education covers the day and no benefit spell does."""
    working = any(e.covers(on) for e in rec.kinds("ordinary_job", "education"))
    return working and not any(e.covers(on) for e in rec.kinds("benefit"))


def continuous_company_effort(
    rec: CaseRecord, on: date, gap_weeks: int = CONTINUOUS_GAP_WEEKS
) -> bool | None:
    """No gap longer than ``gap_weeks`` between company-oriented episodes from the first one
    to ``on`` (or the exit, if earlier); None before the first company-oriented episode."""
    eps = sorted((e for e in rec.kinds(*COMPANY_KINDS) if e.start <= on), key=lambda e: e.start)
    if not eps:
        return None
    until = min(on, rec.exit_date) if rec.exit_date else on
    limit = timedelta(weeks=gap_weeks)
    covered_to = eps[0].end_or(until)
    for e in eps[1:]:
        if e.start - covered_to - timedelta(days=1) > limit:
            return False
        covered_to = max(covered_to, e.end_or(until))
    return until - covered_to <= limit


def danish_track(rec: CaseRecord, on: date) -> tuple[str | None, int, str | None]:
    """(current DU level, highest module passed, best Danish test passed) by ``on``."""
    du = [e for e in rec.kinds("danish_education") if e.start <= on]
    level = du[-1].level if du else None
    modules = [
        e.module
        for e in rec.kinds("danish_education", "danish_test")
        if e.module and e.passed and e.end_or(e.start) <= on
    ]
    tests = [
        e.level
        for e in rec.kinds("danish_test")
        if e.passed and e.level in DANISH_TESTS and e.start <= on
    ]
    best = max(tests, key=DANISH_TESTS.index) if tests else None
    return level, max(modules, default=0), best


def derive_pathway(rec: CaseRecord, on: date) -> Pathway:
    started = [e for e in rec.episodes if e.start <= on]
    steps = [EMPLOYMENT_STEPS.index(e.kind) for e in started if e.kind in EMPLOYMENT_STEPS]
    level, modules, test = danish_track(rec, on)
    return Pathway(
        on=on,
        stage=stage_on(rec, on),
        exit_reason=rec.exit_reason if rec.exit_date and rec.exit_date <= on else None,
        employment_step=EMPLOYMENT_STEPS[max(steps, default=0)],
        active=tuple(sorted({e.kind for e in rec.episodes if e.covers(on)})),
        in_company_offer=in_company_offer(rec, on),
        self_supporting=self_supporting(rec, on),
        continuous_company_effort=continuous_company_effort(rec, on),
        danish_level=level,
        danish_modules_passed=modules,
        danish_test_passed=test,
    )
