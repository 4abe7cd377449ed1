"""Matching persons and internship slots: who fits, ranked, with the reasons shown.

A person fits a slot when they are in the programme (taken over, not exited), not in a
company-oriented offer or an ordinary job on the slot's start, and their Danish level reaches
the slot's minimum. The score adds: the occupation (DISCO-08) matches the slot's at 4, 2 or
1 digits (3, 2, 1 points); no company offer yet (2 points, D4); weeks waiting since the last
company-oriented episode (1 point from 4 weeks). Ties go to the earlier T0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from barometer.programme.models import CEFR_LEVELS, COMPANY_KINDS
from barometer.programme.pathway import danish_track
from barometer.programme.records import CaseRecord

TEST_CEFR = {"PD1": "A2", "PD2": "B1", "PD3": "B2", "studieproeve": "C1"}


@dataclass(frozen=True)
class Match:
    rec: CaseRecord
    slot_id: int
    score: int
    reasons: tuple[tuple[str, str], ...]  # (Danish, English)


def danish_cefr(rec: CaseRecord, profile_cefr: str | None, on: date) -> str:
    """The better of the profile's level and the level the passed tests show."""
    _level, modules, test = danish_track(rec, on)
    levels = [profile_cefr or "none", TEST_CEFR.get(test, "none")]
    if modules >= 2:
        levels.append("A1")
    return max(levels, key=CEFR_LEVELS.index)


def _disco_points(occupations: list[dict], disco: str) -> int:
    best = 0
    for o in occupations:
        code = str(o.get("disco", ""))
        for digits, points in ((4, 3), (2, 2), (1, 1)):
            if code[:digits] and code[:digits] == disco[:digits]:
                best = max(best, points)
                break
    return best


def score(rec: CaseRecord, profile: dict, slot, on: date) -> Match | None:
    start = max(slot.start_date, on)
    if rec.t0 > on or (rec.exit_date is not None and rec.exit_date <= on):
        return None
    busy = rec.kinds(*COMPANY_KINDS, "ordinary_job")
    if any(e.covers(start) for e in busy):
        return None
    level = danish_cefr(rec, profile.get("danish_cefr"), on)
    if CEFR_LEVELS.index(level) < CEFR_LEVELS.index(slot.min_danish):
        return None
    points, reasons = 0, []
    disco = _disco_points(profile.get("occupations") or [], slot.disco_code)
    if disco:
        points += disco
        digits = {3: 4, 2: 2, 1: 1}[disco]
        reasons.append(
            (
                f"Erfaring i faget (DISCO, {digits} cifre)",
                f"Experience in the trade ({digits}-digit DISCO)",
            )
        )
    company = [e for e in rec.kinds(*COMPANY_KINDS) if e.start <= on]
    if not company:
        points += 2
        reasons.append(("Intet virksomhedstilbud endnu", "No company offer yet"))
    else:
        last_end = max(e.end_or(on) for e in company)
        weeks = (on - last_end).days // 7
        if weeks >= 4:
            points += 1
            reasons.append((f"Har ventet {weeks} uger", f"Waiting {weeks} weeks"))
    reasons.append((f"Dansk: {level}", f"Danish: {level}"))
    return Match(rec, slot.id, points, tuple(reasons))


def match_slot(slot, candidates: list[tuple[CaseRecord, dict]], on: date) -> list[Match]:
    """Persons who fit a slot, best first."""
    found = [m for rec, prof in candidates if (m := score(rec, prof, slot, on))]
    return sorted(found, key=lambda m: (-m.score, m.rec.t0, m.rec.key))


def match_person(rec: CaseRecord, profile: dict, slots, on: date) -> list[Match]:
    """Open slots (not ended, capacity left) that fit a person, best first."""
    found = [
        m
        for s in slots
        if s.end_date >= on and getattr(s, "free", s.capacity) > 0
        if (m := score(rec, profile, s, on))
    ]
    return sorted(found, key=lambda m: (-m.score, m.slot_id))
