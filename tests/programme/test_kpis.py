"""K1-K16 on five hand-made cases; every expected value is worked out by hand in the comments.

A (f, T0 2020-03-01, arrived 2020-02-10), B (m, T0 2020-05-01, no arrival date), C (f, T0
2020-03-01, transferred to Frederiksberg after 2020-05-31), D (a child), E (m, T0 2021-01-01,
D4 waived, left Denmark 2021-08-01). Data date 2030-01-01: every window has closed.
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from barometer.programme.kpis import KpiParams, compute_kpis
from barometer.programme.records import CaseRecord, Ep, Stay

D = date.fromisoformat
AS_OF = D("2030-01-01")


def case(key, sex, band, placement, t0, arrival, episodes, **kw):
    return CaseRecord(
        key=key, sex=sex, age_band=band, western=False, menapt=True, permit_basis="refugee",
        placement=D(placement), t0=D(t0), arrival=D(arrival) if arrival else None,
        exit_date=kw.get("exit_date"), exit_reason=kw.get("exit_reason"),
        stays=kw.get("stays") or [Stay("101", D(t0), kw.get("exit_date") if kw.get("exit_reason") in ("left_country",) else None)],
        episodes=[Ep(k, D(s), D(e) if e else None, **x) for k, s, e, x in episodes],
        waived=frozenset(kw.get("waived", ())),
    )  # fmt: skip


A = case("A", "female", "30-34", "2019-12-20", "2020-03-01", "2020-02-10", [
    ("asylum_contact", "2020-01-10", None, {}),
    ("contract", "2020-03-31", None, {"goal": "employment", "disco": "9112"}),
    ("internship", "2020-02-20", "2020-04-30", {"company": "11111111"}),
    *[("follow_up", d, None, {}) for d in ("2020-03-05", "2020-04-05", "2020-05-05", "2020-08-30")],
    ("danish_education", "2020-04-02", "2020-08-30", {"level": "DU2", "module": 1, "passed": True}),
    ("wage_subsidy", "2020-06-15", "2020-12-31", {"company": "11111111"}),
    ("ordinary_job", "2021-01-01", "2021-06-30", {"hours": 25.0, "company": "33333333"}),
])  # fmt: skip
B = case("B", "male", "40-44", "2020-03-10", "2020-05-01", None, [
    ("contract", "2020-06-05", None, {}),
    ("internship", "2020-05-31", "2020-07-31", {"company": "22222222"}),
    *[("follow_up", d, None, {}) for d in ("2020-05-10", "2020-07-10", "2020-09-10")],
    ("danish_education", "2020-05-20", "2021-05-01", {"level": "DU2"}),
    ("ordinary_job", "2020-09-01", "2020-12-31", {"hours": 37.0, "company": "44444444"}),
    ("ordinary_job", "2021-01-02", "2021-03-31", {"hours": 37.0, "company": "44444444"}),
    ("igu", "2021-06-01", "2023-05-31", {"company": "22222222"}),
    ("danish_test", "2022-06-01", None, {"level": "PD2", "passed": True}),
])  # fmt: skip
C = case("C", "female", "25-29", "2020-01-20", "2020-03-01", "2020-02-25", [
    ("contract", "2020-03-15", None, {}),
], exit_date=D("2020-05-31"), exit_reason="transferred",
   stays=[Stay("101", D("2020-03-01"), D("2020-05-31")), Stay("147", D("2020-06-01"))])  # fmt: skip
CHILD = case("D", "male", "0-17", "2019-12-01", "2020-02-01", "2020-01-15", [])
E = case("E", "male", "50-54", "2020-11-01", "2021-01-01", "2020-12-15", [
    ("contract", "2021-01-20", None, {"goal": "education"}),
    *[("follow_up", d, None, {}) for d in ("2021-01-10", "2021-02-10", "2021-03-10", "2021-04-10")],
], exit_date=D("2021-08-01"), exit_reason="left_country", waived=("D4",))  # fmt: skip
RECORDS = [A, B, C, CHILD, E]


@pytest.fixture(scope="module")
def kpis():
    frame = compute_kpis(RECORDS, KpiParams(as_of=AS_OF))
    return {(r.kpi_id, r.cohort_year, r.sex): (r.numerator, r.denominator, r.value)
            for r in frame.itertuples()}  # fmt: skip


EXPECTED = [
    ("K1", 2020, "all", 2, 3),  # A by 1 Apr yes; B 5 Jun > 1 Jun no; C yes
    ("K1", 2020, "female", 2, 2),
    ("K1", 2020, "male", 0, 1),
    ("K1", 2021, "all", 1, 1),  # E
    ("K2", 2020, "all", 1, 3),  # A employment+DISCO; B and C without a goal
    ("K2", 2021, "all", 1, 1),  # E: education goal
    ("K3", 2020, "all", 1, 3),  # A 10 days; B 30 days; C none
    ("K4", 2020, "all", 2, 3),  # A, B (31 May ≤ 1 Jun); C none
    ("K6", 2020, "all", 1, 2),  # A 4 talks, B 3; C left before T0 + 6 months
    ("K6", 2021, "all", 1, 1),  # E: 4 talks, still here on 1 Jul 2021
    ("K7", 2020, "all", 1, 3),  # B 20 May; A 2 Apr is a day late; C none
    ("K8", 2020, "all", 1, 1),  # 31 Dec 2020: A in wage subsidy; B in an ordinary job (out)
    ("K8", 2021, "all", 1, 2),  # 31 Dec 2021: B in IGU; A no offer; E gone
    ("K9", 2020, "all", 0, 2),  # A, B well under half their weeks; C only 13 weeks
    ("K9", 2021, "all", 0, 1),  # E: 30 weeks, none covered
    ("K10", 2020, "all", 1, 2),  # A hired (wage subsidy) at the same CVR; B's job is elsewhere
    ("K11_3y", 2020, "all", 2, 2),  # A 25 h × 6 months; B's two jobs 1 day apart, 36.8 h
    ("K12_1y", 2020, "all", 1, 2),  # A in a job on 1 Mar 2021; B not; C belongs to 147 then
    ("K12_2y", 2020, "all", 1, 2),  # B in IGU on 1 May 2022; A not
    ("K13", 2020, "all", 45, 78),  # weeks self-supporting: A 0 + A 25 + B 20, of 3 × 26
    ("K14_pd_3y", 2020, "all", 1, 2),  # B passed PD2 ≤ T0 + 3 years; A referred, no test
    ("K15_start", 2020, "all", 1, 2),  # B's IGU; C censored before the window closed
    ("K15_24m", 2020, "all", 1, 2),  # B's IGU lasted the full 24 months
    ("K16", 2019, "all", 1, 2),  # placed 2019: A met before arrival; the child D not
    ("K16", 2020, "all", 0, 3),  # B, C, E: no asylum-centre meeting
]


@pytest.mark.parametrize(("kpi", "year", "sex", "num", "den"), EXPECTED)
def test_shares_worked_out_by_hand(kpis, kpi, year, sex, num, den):
    got = kpis[(kpi, year, sex)]
    assert got[:2] == (num, den)
    assert got[2] == pytest.approx(100.0 * num / den)


def test_waived_persons_leave_k3_and_k4_only():
    frame = compute_kpis(RECORDS, KpiParams(as_of=AS_OF))
    k3 = frame[(frame.kpi_id.isin(["K3", "K4"])) & (frame.cohort_year == 2021)]
    assert k3.empty  # E was the only 2021 person and has a D4 waiver with an approver
    assert ((frame.kpi_id == "K1") & (frame.cohort_year == 2021)).any()


def test_kaplan_meier_median_with_censoring(kpis):
    # A event at 10 days, B at 30, C censored at 96 (transfer): S(10) = 2/3, S(30) = 1/3.
    assert kpis[("K5_median", 2020, "all")] == (2, 3, 30.0)
    num, den, p90 = kpis[("K5_p90", 2020, "all")]
    assert (num, den) == (2, 3) and math.isnan(p90)  # the curve never reaches 0.1


def test_medians(kpis):
    assert kpis[("K16_days", 2019, "all")] == (1, 1, 21.0)  # 20 Dec → 10 Jan
    num, den, months = kpis[("K14_module_months", 2020, "all")]
    assert (num, den) == (1, 1) and months == pytest.approx(151 / (365.25 / 12))


def test_k12_attribution_is_a_parameter():
    frame = compute_kpis(RECORDS, KpiParams(as_of=AS_OF, k12_attribution="t0"))
    row = frame[(frame.kpi_id == "K12_1y") & (frame.cohort_year == 2020) & (frame.sex == "all")]
    assert (row.numerator.item(), row.denominator.item()) == (1, 3)  # C now counts for 101
    at_147 = compute_kpis(RECORDS, KpiParams(as_of=AS_OF, municipality="147"))
    row = at_147[(at_147.kpi_id == "K12_1y") & (at_147.sex == "all")]
    assert (row.numerator.item(), row.denominator.item()) == (0, 1)  # C in Frederiksberg


def test_an_open_window_is_not_counted():
    frame = compute_kpis(RECORDS, KpiParams(as_of=D("2020-04-15")))
    k1 = frame[(frame.kpi_id == "K1") & (frame.sex == "all")]
    # A and C (due 1 Apr) are countable on 15 Apr; B (T0 1 May) is not yet.
    assert (k1.numerator.item(), k1.denominator.item()) == (2, 2)
    assert not (frame.kpi_id == "K11_3y").any()
