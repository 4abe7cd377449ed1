"""The certificate rule: who may work where on a given day (PROGRAMME.md §4.4, §7.5; G3, G4).

Volunteers with children or vulnerable adults need a criminal-record certificate
(straffeattest) and, with children, a child certificate (børneattest). Welcome House renews
them every 12 months (its practice, not law: ``CertificateRules.renewal_months``). A
certificate counts from the day it was received through its last valid day, inclusive:
``valid_until`` when given, never later than received + the renewal period. A renewal received
before expiry carries the cover on without a gap. Only assessed-OK certificates count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from barometer.casework.calendar import add_months

KIND_LABELS = {
    "criminal_record": ("straffeattest", "criminal-record certificate"),
    "child": ("børneattest", "child certificate"),
}


@dataclass(frozen=True)
class CertificateRules:
    """The rule's parameters (docs/welcomehouse.md, "Parameters")."""

    renewal_months: int = 12  # Welcome House renews every year (G4)
    warning_days: int = 30  # shown as expiring soon this many days ahead (W2)
    # A children's activity needs the child certificate and the criminal-record one (G4 says
    # both are ordered before starting); UNCONFIRMED whether the child certificate alone suffices.
    child_needs_criminal_record: bool = True


@dataclass(frozen=True)
class CertificateState:
    kind: str
    status: str  # valid | expired | not_ok | missing
    until: date | None  # the last valid day (of the cover, or of the latest certificate)
    received: date | None  # of the certificate the status rests on

    def expiring(self, day: date, rules: CertificateRules) -> bool:
        """Valid on ``day`` and the cover ends within the warning period."""
        return (
            self.status == "valid"
            and self.until is not None
            and self.until <= day + timedelta(days=rules.warning_days)
        )


def required_kinds(requirement: str, rules: CertificateRules) -> tuple[str, ...]:
    """The certificate kinds an activity's ``requires_certificate`` asks for."""
    if requirement == "criminal_record":
        return ("criminal_record",)
    if requirement == "child":
        return ("criminal_record", "child") if rules.child_needs_criminal_record else ("child",)
    return ()


def last_valid_day(received: date, valid_until: date | None, rules: CertificateRules) -> date:
    cap = add_months(received, rules.renewal_months)
    return cap if valid_until is None else min(valid_until, cap)


def certificate_state(certs: Iterable, kind: str, day: date, rules: CertificateRules):
    """The state of one kind on ``day`` from a volunteer's certificate notes (objects with
    ``kind``, ``received_date``, ``assessed_ok``, ``valid_until``)."""
    held = [c for c in certs if c.kind == kind and c.received_date <= day]
    if not held:
        return CertificateState(kind, "missing", None, None)
    valid = [
        c
        for c in held
        if c.assessed_ok and day <= last_valid_day(c.received_date, c.valid_until, rules)
    ]
    if valid:
        until = max(last_valid_day(c.received_date, c.valid_until, rules) for c in valid)
        received = max(c.received_date for c in valid)
        return CertificateState(kind, "valid", until, received)
    latest = max(held, key=lambda c: c.received_date)
    until = last_valid_day(latest.received_date, latest.valid_until, rules)
    status = "expired" if latest.assessed_ok else "not_ok"
    return CertificateState(kind, status, until, latest.received_date)


def coordinator_status(states: list[CertificateState], day: date, rules: CertificateRules) -> str:
    """What an organisation's coordinator may see: valid, expiring or expired (missing and a
    negative assessment read 'expired': criminal-record data are not disclosed, G2)."""
    if not states:
        return "valid"
    if any(s.status != "valid" for s in states):
        return "expired"
    return "expiring" if any(s.expiring(day, rules) for s in states) else "valid"


def blocking_message(state: CertificateState, day: date) -> str | None:
    """Why ``state`` blocks work on ``day`` (naming the certificate and its date), or None."""
    da, _en = KIND_LABELS[state.kind]
    name = f"{state.kind} certificate ({da})"
    if state.status == "valid":
        return None
    if state.status == "missing":
        return f"no {name} valid on {day.isoformat()} (the session's date)"
    if state.status == "not_ok":
        return (
            f"the {name} received {state.received.isoformat()} was not assessed as OK; "
            f"none is valid on {day.isoformat()}"
        )
    return (
        f"the {name} expired: it was valid until {state.until.isoformat()}, "
        f"before the session on {day.isoformat()}"
    )
