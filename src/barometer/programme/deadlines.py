"""The deadline engine: the statutory rules (rules/deadlines.yaml) evaluated per person.

A task is due on the rule's clock plus its offset. Its status, on a given day:
``met`` / ``met_late`` (the first qualifying episode started on/before or after the due date),
``waived`` (a waiver with a reason and an approver), ``overdue`` (not met, due date passed),
``due`` (not met, due within ``upcoming_days``), ``upcoming`` (due later) and ``ended``
(the person left the municipality's responsibility before the due date, not met).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import yaml

from barometer.errors import BarometerError
from barometer.programme.calendar import add_period, compute_t0
from barometer.programme.records import CaseRecord

UPCOMING_DAYS = 7  # Primero's "upcoming soon"
URGENCY = {"overdue": 0, "due": 1, "upcoming": 2, "met_late": 3, "met": 4, "waived": 5, "ended": 6}
CLI_KEYS = (
    "contract_due",
    "programme_start_due",
    "danish_referral_due",
    "first_company_offer_aim",
    "first_company_offer_due",
)


@dataclass(frozen=True)
class Rule:
    id: str
    key: str
    title_da: str
    title_en: str
    clock: str
    offset: tuple[tuple[str, int], ...]
    satisfied_by: tuple[str, ...]
    count: int
    exit: bool
    enabled: bool
    valid_from: date
    valid_to: date | None
    source: str

    def due(self, clock: date) -> date:
        return add_period(clock, **dict(self.offset))

    def applies(self, clock: date) -> bool:
        return self.valid_from <= clock and (self.valid_to is None or clock < self.valid_to)


@dataclass(frozen=True)
class Task:
    rule_id: str
    key: str
    title_da: str
    title_en: str
    due: date
    status: str
    met_on: date | None = None


@cache
def load_rules() -> tuple[Rule, ...]:
    """The versioned rule set shipped in rules/deadlines.yaml."""
    text = resources.files("barometer.programme").joinpath("rules", "deadlines.yaml").read_text()
    return parse_rules(yaml.safe_load(text))


def parse_rules(doc: dict) -> tuple[Rule, ...]:
    out = []
    for i, r in enumerate(doc.get("rules", []), start=1):
        try:
            out.append(
                Rule(
                    id=r["id"],
                    key=r["key"],
                    title_da=r["title"]["da"],
                    title_en=r["title"]["en"],
                    clock=r["clock"],
                    offset=tuple(sorted(r["offset"].items())),
                    satisfied_by=tuple(r.get("satisfied_by", [])),
                    count=int(r.get("count", 1)),
                    exit=bool(r.get("exit", False)),
                    enabled=bool(r.get("enabled", True)),
                    valid_from=r["valid_from"],
                    valid_to=r.get("valid_to"),
                    source=r["source"],
                )
            )
        except (KeyError, TypeError) as exc:
            raise BarometerError(f"deadlines.yaml: rule {i}: missing or bad field {exc}") from None
    return tuple(out)


def rule_in_force(rules, key: str, clock: date) -> Rule | None:
    for r in rules:
        if r.key == key and r.enabled and r.applies(clock):
            return r
    return None


def statutory_dates(
    placement: date, takeover: date | None = None, arrival: date | None = None, rules=None
) -> dict[str, date]:
    """T0 and the first deadlines for a placement (``barometer programme deadlines``)."""
    rules = rules or load_rules()
    t0 = compute_t0(placement, takeover)
    clocks = {"t0": t0, "arrival": arrival or t0}
    out = {"t0": t0}
    for key in CLI_KEYS:
        rule = next(r for r in rules if r.key == key)
        clock = clocks[rule.clock]
        rule = rule_in_force(rules, key, clock)
        if rule is None:
            raise BarometerError(f"no version of the rule {key} applies on {clock}")
        out[key] = rule.due(clock)
    return out


def programme_start(rec: CaseRecord, rules=None) -> date | None:
    """The first start of Danish education or an offer on or after the placement (D3)."""
    d3 = next(r for r in (rules or load_rules()) if r.id == "D3")
    starts = [e.start for e in rec.episodes if e.kind in d3.satisfied_by]
    return min(starts) if starts else None


def _clock(rec: CaseRecord, clock: str, rules) -> date | None:
    if clock == "t0":
        return rec.t0
    if clock == "arrival":
        return rec.arrival_or_t0
    if clock == "programme_start":
        return programme_start(rec, rules)
    raise BarometerError(f"deadlines.yaml: unknown clock {clock!r}")


def _status_open(due: date, today: date, upcoming_days: int) -> str:
    if today > due:
        return "overdue"
    return "due" if (due - today).days <= upcoming_days else "upcoming"


def evaluate(
    rec: CaseRecord, today: date, *, rules=None, upcoming_days: int = UPCOMING_DAYS
) -> list[Task]:
    """The person's tasks on ``today``, one per enabled rule in force at its clock."""
    rules = rules or load_rules()
    tasks = []
    left = rec.stays[-1].end if rec.stays else None
    for key in dict.fromkeys(r.key for r in rules):
        first = next(r for r in rules if r.key == key)
        clock = _clock(rec, first.clock, rules)
        if clock is None:
            continue
        rule = rule_in_force(rules, key, clock)
        if rule is None:
            continue
        due = rule.due(clock)
        met_on = None
        if rule.exit:
            met_on = rec.exit_date if rec.exit_date and rec.exit_date <= today else None
            status = "met" if met_on is not None and met_on <= due else None
        else:
            starts = sorted(
                e.start for e in rec.episodes if e.kind in rule.satisfied_by and e.start <= today
            )
            if rule.count > 1:
                starts = [d for d in starts if d >= clock]
            if len(starts) >= rule.count:
                met_on = starts[rule.count - 1]
                status = "met" if met_on <= due else "met_late"
            else:
                status = None
        if rule.id in rec.waived and status not in ("met",):
            status = "waived"
        if status is None:
            closed = rec.exit_date if rule.exit else (left or rec.exit_date)
            if closed is not None and closed < due and not rule.exit:
                status = "ended"
            else:
                status = _status_open(due, today, upcoming_days)
        tasks.append(Task(rule.id, rule.key, rule.title_da, rule.title_en, due, status, met_on))
    return tasks


def sort_by_urgency(items: list[tuple[CaseRecord, Task]]) -> list[tuple[CaseRecord, Task]]:
    """A caseworker's list: overdue first (oldest first), then due, then upcoming."""
    return sorted(items, key=lambda it: (URGENCY[it[1].status], it[1].due, it[0].key))


def compliance(tasks_by_person: list[list[Task]]) -> dict[str, dict[str, int]]:
    """Per rule: how many tasks are in each status (the team leader's view)."""
    out: dict[str, dict[str, int]] = {}
    for tasks in tasks_by_person:
        for t in tasks:
            counts = out.setdefault(t.rule_id, dict.fromkeys(URGENCY, 0))
            counts[t.status] += 1
    return out
