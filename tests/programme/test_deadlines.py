"""The deadline engine and the derived pathway, with dates worked out by hand."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from barometer.casework.calendar import add_months
from barometer.cli import app
from barometer.programme.calendar import compute_t0
from barometer.programme.deadlines import evaluate, sort_by_urgency, statutory_dates
from barometer.programme.pathway import continuous_company_effort, derive_pathway
from barometer.programme.records import CaseRecord, Ep, Stay

D = date.fromisoformat


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2024-01-15", 1, "2024-02-15"),
        ("2023-01-31", 1, "2023-02-28"),  # clamped to February's last day
        ("2024-01-31", 1, "2024-02-29"),  # leap year
        ("2024-03-31", 1, "2024-04-30"),
        ("2024-12-31", 2, "2025-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
    ],
)
def test_calendar_months_clamp_to_the_month_end(start, months, expected):
    assert add_months(D(start), months) == D(expected)


@pytest.mark.parametrize(
    ("placement", "t0"),
    [
        ("2016-05-15", "2016-07-01"),  # PROGRAMME.md's example
        ("2024-01-31", "2024-03-01"),  # on the 31st
        ("2024-01-01", "2024-03-01"),  # on the 1st: same T0
        ("2023-12-31", "2024-02-01"),  # over the year end
        ("2024-02-29", "2024-04-01"),  # February, leap day
    ],
)
def test_t0_is_the_first_day_of_the_second_following_month(placement, t0):
    assert compute_t0(D(placement)) == D(t0)


def test_cli_deadlines_prints_every_date_as_iso_json():
    res = CliRunner().invoke(
        app,
        ["programme", "deadlines", "--placement-date", "2023-12-31", "--format", "json"],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == {
        "t0": "2024-02-01",
        "contract_due": "2024-03-01",
        "programme_start_due": "2024-03-01",
        "danish_referral_due": "2024-03-01",
        "first_company_offer_aim": "2024-02-15",  # no arrival date: T0 + 14 days
        "first_company_offer_due": "2024-03-01",
    }


def test_takeover_and_arrival_dates_move_the_clocks():
    # Placed 2024-01-10, takeover agreed 2024-01-31, arrived 2024-01-31 → T0 = 31 Jan;
    # "1 month" from 31 January in a leap year is 29 February.
    got = statutory_dates(D("2024-01-10"), D("2024-01-31"), D("2024-01-31"))
    assert got["t0"] == D("2024-01-31")
    assert got["contract_due"] == D("2024-02-29")
    assert got["first_company_offer_aim"] == D("2024-02-14")
    assert got["first_company_offer_due"] == D("2024-02-29")


def test_cli_deadlines_rejects_a_bad_date_with_exit_2():
    import sys

    from barometer.cli import main

    argv = sys.argv
    sys.argv = ["barometer", "programme", "deadlines", "--placement-date", "2024-02-30"]
    try:
        with pytest.raises(SystemExit) as exc:
            main()
    finally:
        sys.argv = argv
    assert exc.value.code == 2


def rec(**kw) -> CaseRecord:
    base = {
        "key": "1", "sex": "female", "age_band": "30-34", "western": False, "menapt": True,
        "permit_basis": "refugee", "placement": D("2024-01-15"), "t0": D("2024-03-01"),
        "arrival": D("2024-02-20"), "exit_date": None, "exit_reason": None,
        "stays": [Stay("101", D("2024-03-01"))], "episodes": [],
    }  # fmt: skip
    base.update(kw)
    return CaseRecord(**base)


def by_rule(tasks):
    return {t.rule_id: t for t in tasks}


def test_tasks_met_late_overdue_due_upcoming_and_waived():
    r = rec(
        episodes=[
            Ep("contract", D("2024-03-20")),  # due 2024-04-01: met
            Ep("danish_education", D("2024-04-03")),  # due 2024-04-01: met late (D3 and D5)
            *[Ep("follow_up", D(d)) for d in ("2024-03-10", "2024-04-10", "2024-05-10")],
        ],
        waived=frozenset({"D4"}),
    )
    tasks = by_rule(evaluate(r, D("2024-03-08")))
    # On 8 March: contract not yet signed; due 1 April is 24 days ahead → upcoming.
    assert tasks["D2"].status == "upcoming"
    # D4a (arrival 20 Feb + 14 days = 5 March) has passed without an offer: overdue.
    assert tasks["D4a"].due == D("2024-03-05") and tasks["D4a"].status == "overdue"
    assert tasks["D4"].status == "waived"
    later = by_rule(evaluate(r, D("2024-03-27")))
    assert later["D2"].status == "met" and later["D2"].met_on == D("2024-03-20")
    assert later["D5"].status == "due"  # due 1 April, 5 days ahead; the start on 3 April is
    after = by_rule(evaluate(r, D("2024-04-10")))  # in the future on 27 March
    assert after["D5"].status == "met_late" and after["D5"].met_on == D("2024-04-03")
    # D6 needs 4 talks by T0 + 6 months (1 Sept); 3 so far, due in ≤ 7 days on 26 Aug.
    assert by_rule(evaluate(r, D("2024-08-26")))["D6"].status == "due"
    assert by_rule(evaluate(r, D("2024-09-02")))["D6"].status == "overdue"
    assert "D10" not in later  # disabled: its status today is UNCONFIRMED


def test_a_transfer_before_the_due_date_ends_the_task():
    r = rec(stays=[Stay("101", D("2024-03-01"), D("2024-03-15")), Stay("147", D("2024-03-16"))],
            exit_date=D("2024-03-15"), exit_reason="transferred")  # fmt: skip
    assert by_rule(evaluate(r, D("2024-06-01")))["D2"].status == "ended"


def test_urgency_order_is_overdue_due_upcoming():
    a = rec(key="a", t0=D("2024-01-01"))  # D2 due 1 Feb: overdue on 10 Feb
    b = rec(key="b", t0=D("2024-01-12"))  # D2 due 12 Feb: due within 7 days
    c = rec(key="c", t0=D("2024-02-01"))  # D2 due 1 March: upcoming
    items = [(r, by_rule(evaluate(r, D("2024-02-10")))["D2"]) for r in (c, b, a)]
    assert [(r.key, t.status) for r, t in sort_by_urgency(items)] == [
        ("a", "overdue"), ("b", "due"), ("c", "upcoming"),
    ]  # fmt: skip


def test_pathway_is_derived_from_episodes():
    r = rec(
        episodes=[
            Ep("asylum_contact", D("2024-01-25")),
            Ep("contract", D("2024-03-10")),
            Ep("danish_education", D("2024-03-15"), D("2024-08-01"), level="DU2", module=1,
               passed=True),
            Ep("internship", D("2024-04-01"), D("2024-05-31"), company="12345678"),
            Ep("wage_subsidy", D("2024-06-01"), D("2024-11-30"), company="12345678"),
            Ep("danish_test", D("2024-12-01"), level="PD2", passed=True),
        ]
    )  # fmt: skip
    stages = {d: derive_pathway(r, D(d)).stage for d in
              ("2024-01-20", "2024-01-30", "2024-02-25", "2024-03-05", "2024-03-12", "2024-03-20")}  # fmt: skip
    assert stages == {
        "2024-01-20": "placed", "2024-01-30": "pre_arrival_met", "2024-02-25": "arrived",
        "2024-03-05": "responsible", "2024-03-12": "contracted", "2024-03-20": "in_programme",
    }  # fmt: skip
    june = derive_pathway(r, D("2024-06-15"))
    assert june.employment_step == "wage_subsidy" and june.in_company_offer
    assert not june.self_supporting
    dec = derive_pathway(r, D("2024-12-15"))
    assert (dec.danish_level, dec.danish_modules_passed, dec.danish_test_passed) == (
        "DU2",
        1,
        "PD2",
    )
    assert not dec.in_company_offer
    assert derive_pathway(r.__class__(**{**r.__dict__, "exit_date": D("2025-01-01"),
                                         "exit_reason": "ordinary_employment"}),
                          D("2025-01-02")).stage == "exited"  # fmt: skip


def test_continuous_company_effort_allows_gaps_up_to_the_parameter():
    eps = [
        Ep("internship", D("2024-04-01"), D("2024-04-30")),
        Ep("internship", D("2024-05-29"), D("2024-06-30")),
    ]  # 28 days between: 4 weeks
    r = rec(episodes=eps)
    assert continuous_company_effort(r, D("2024-07-15"), gap_weeks=4) is True
    assert continuous_company_effort(r, D("2024-07-15"), gap_weeks=3) is False
    assert continuous_company_effort(r, D("2024-08-15"), gap_weeks=4) is False  # 46 days idle
    assert continuous_company_effort(rec(), D("2024-08-15")) is None
