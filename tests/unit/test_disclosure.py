"""Statistical disclosure control (DOMAIN.md §4.4).

Expected patterns in the hand-made tables are worked out by hand in the comments. The property
tests use an attacker written independently of the protector: it states the published sums
from the definitions of the hierarchies and solves LPs (scipy/HiGHS) for the feasible interval
of every hidden numerator, denominator and complement.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.optimize import linprog

from barometer.disclosure import protect, render_suppression_report, summarise_suppression

DETAILED = (
    "danish_origin",
    "immigrants_western",
    "immigrants_non_western",
    "descendants_western",
    "descendants_non_western",
)
ROLLUPS = {
    "immigrants": ("immigrants_western", "immigrants_non_western"),
    "descendants": ("descendants_western", "descendants_non_western"),
    "western": ("immigrants_western", "descendants_western"),
    "non_western": ("immigrants_non_western", "descendants_non_western"),
    "all": DETAILED,
}
COLUMNS = [
    "indicator_id",
    "area_code",
    "year",
    "origin_group",
    "sex",
    "value",
    "numerator",
    "denominator",
    "unit",
    "status",
]


def rate_row(area, origin, sex, num, den, indicator="emp", year=2020):
    value = 100.0 * num / den if den else np.nan
    return (indicator, area, year, origin, sex, value, float(num), float(den), "pct", "ok")


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def status_of(out: pd.DataFrame) -> dict[tuple, str]:
    return {
        (r.area_code, r.origin_group, r.sex): r.status for r in out.itertuples() if r.status != "ok"
    }


# --- hand-made tables --------------------------------------------------------------------


def test_two_by_two_with_margins_hides_the_rectangle() -> None:
    # immigrants (western / non-western) × sex (male / female), with all margins.
    #              male     female    all
    # western      20/40     2/30     22/70
    # non-western  50/80    40/90     90/170
    # all          70/120   42/120   112/240
    # western-female has numerator 2 < 5. Its row (western) and column (female) each need a
    # second hidden cell: the smaller of western-male (40) and western-all (70) is
    # western-male; of non-western-female (90) and all-female (120) it is non-western-female.
    # Then non-western's row has one hidden cell, so its smallest partner non-western-male
    # (80 < 170) goes. Four interior cells: every margin sees two unknowns.
    cells = {("w", "male"): (20, 40), ("w", "female"): (2, 30)}
    cells |= {("nw", "male"): (50, 80), ("nw", "female"): (40, 90)}
    name = {"w": "immigrants_western", "nw": "immigrants_non_western"}
    rows = [rate_row("000", name[o], s, *v) for (o, s), v in cells.items()]
    for o in ("w", "nw"):
        rows.append(
            rate_row("000", name[o], "all", 20 + 2 if o == "w" else 90, 70 if o == "w" else 170)
        )
    rows += [
        rate_row("000", "immigrants", "male", 70, 120),
        rate_row("000", "immigrants", "female", 42, 120),
        rate_row("000", "immigrants", "all", 112, 240),
    ]
    out = protect(frame(rows), municipality_regions={})
    assert status_of(out) == {
        ("000", "immigrants_western", "female"): "suppressed_primary",
        ("000", "immigrants_western", "male"): "suppressed_secondary",
        ("000", "immigrants_non_western", "female"): "suppressed_secondary",
        ("000", "immigrants_non_western", "male"): "suppressed_secondary",
    }
    hidden = out[out["status"] != "ok"]
    assert hidden[["value", "numerator", "denominator"]].isna().all().all()
    assert out.loc[out["status"] == "ok", "numerator"].notna().all()
    primary = out[out["status"] == "suppressed_primary"]
    assert primary["reason"].tolist() == ["numerator_below_threshold"]


def test_small_female_cell_hides_male_too() -> None:
    # all = male + female: female 3/4 is small, so male would be all − female; hide male.
    rows = [
        rate_row("000", "all", "all", 43, 104),
        rate_row("000", "all", "male", 40, 100),
        rate_row("000", "all", "female", 3, 4),
    ]
    out = protect(frame(rows), municipality_regions={})
    assert status_of(out) == {
        ("000", "all", "female"): "suppressed_primary",
        ("000", "all", "male"): "suppressed_secondary",
    }
    assert out.set_index("sex").loc["male", "reason"] == "secondary_sex"
    assert out.set_index("sex").loc["female", "reason"] == "denominator_below_threshold"


def region_of_three() -> tuple[dict[str, str], pd.DataFrame]:
    """Region 081 = 901 + 902 + 903, where 901 has 4 people (numerator 2)."""
    regions = {"901": "081", "902": "081", "903": "081"}
    rows = [
        rate_row("901", "all", "all", 2, 4),
        rate_row("902", "all", "all", 25, 50),
        rate_row("903", "all", "all", 40, 80),
        rate_row("081", "all", "all", 67, 134),
        rate_row("000", "all", "all", 67, 134),
    ]
    return regions, frame(rows)


def test_small_municipality_in_a_region_of_three() -> None:
    # region 081 = 901 + 902 + 903; 901 has 4 people. The smaller sibling 902 (50 < 80)
    # becomes the complementary cell; the region and Denmark stay published.
    regions, table = region_of_three()
    out = protect(table, municipality_regions=regions)
    assert status_of(out) == {
        ("901", "all", "all"): "suppressed_primary",
        ("902", "all", "all"): "suppressed_secondary",
    }
    assert out.set_index("area_code").loc["902", "reason"] == "secondary_area"


def test_hidden_zeros_with_a_published_sum_need_a_third_cell() -> None:
    # 901 and 902 both have 0 employed: each has a hidden partner in the region equation,
    # but published region − 903 − 904 = 0 and counts are >= 0, so both are pinned at 0.
    # A third cell with a positive numerator must go: the smallest, 903 (70 < 90 < 270).
    regions = {"901": "081", "902": "081", "903": "081", "904": "081"}
    rows = [
        rate_row("901", "all", "all", 0, 50),
        rate_row("902", "all", "all", 0, 60),
        rate_row("903", "all", "all", 30, 70),
        rate_row("904", "all", "all", 40, 90),
        rate_row("081", "all", "all", 70, 270),
        rate_row("000", "all", "all", 70, 270),
    ]
    out = protect(frame(rows), municipality_regions=regions)
    assert status_of(out) == {
        ("901", "all", "all"): "suppressed_primary",
        ("902", "all", "all"): "suppressed_primary",
        ("903", "all", "all"): "suppressed_secondary",
    }
    assert attack(out, frame(rows), regions) == []


def test_complement_rule_and_everyone_employed() -> None:
    # 48 of 50 employed: the complement 2 < 5 discloses the two who are not.
    rows = [rate_row("000", "all", "all", 48, 50)]
    out = protect(frame(rows), municipality_regions={})
    assert out.loc[0, "reason"] == "complement_below_threshold"


def test_no_population_stays_no_data() -> None:
    rows = [
        rate_row("000", "all", "all", 40, 100),
        rate_row("000", "all", "male", 40, 100),
        rate_row("000", "all", "female", 0, 0),
    ]
    out = protect(frame(rows), municipality_regions={})
    assert (out["status"] == "ok").all()
    assert out["reason"].isna().all()
    assert np.isnan(out.loc[2, "value"])


def test_counts_below_threshold_including_zero() -> None:
    rows = [
        ("population", "000", 2020, "all", sex, float(n), float(n), np.nan, "count", "ok")
        for sex, n in (("all", 100), ("male", 100), ("female", 0))
    ]
    out = protect(frame(rows), municipality_regions={})
    assert out["reason"].tolist() == [None, "secondary_sex", "count_below_threshold"]


def test_menapt_is_only_primary() -> None:
    # menapt's complement (non_western − menapt) is never published: no secondary needed.
    rows = [
        rate_row("000", "non_western", "all", 50, 100),
        rate_row("000", "menapt", "all", 2, 30),
    ]
    out = protect(frame(rows), municipality_regions={})
    assert out["status"].tolist() == ["ok", "suppressed_primary"]


def test_threshold_is_configurable_but_never_below_three() -> None:
    rows = [rate_row("000", "all", "all", 4, 50)]
    assert protect(frame(rows), threshold=3, municipality_regions={}).loc[0, "status"] == "ok"
    assert protect(frame(rows), municipality_regions={}).loc[0, "status"] != "ok"
    for bad in (2, 0, -1, 2.5, True, "5"):
        with pytest.raises(ValueError, match=r"threshold"):
            protect(frame(rows), threshold=bad, municipality_regions={})


def test_unknown_area_is_rejected() -> None:
    with pytest.raises(ValueError, match="hierarchy"):
        protect(frame([rate_row("999", "all", "all", 40, 100)]), municipality_regions={})


# --- gaps ---------------------------------------------------------------------------------


def gap_table(focus_num: float) -> pd.DataFrame:
    rows = [
        rate_row("000", "danish_origin", "all", 70, 100),
        rate_row("000", "immigrants_non_western", "all", focus_num, 40),
        rate_row("000", "descendants_non_western", "all", 20, 40),
    ]
    for focus, num in (("immigrants_non_western", focus_num), ("descendants_non_western", 20)):
        rows.append(
            ("gap", "000", 2020, focus, "all", 70 - 250 * num / 100, np.nan, np.nan, "pp", "ok")
        )
    return frame(rows)


def test_gap_hidden_when_its_focus_rate_is_hidden() -> None:
    gaps = {"gap": ("emp", "danish_origin")}
    out = protect(gap_table(2), gaps=gaps, municipality_regions={}).set_index(
        ["indicator_id", "origin_group"]
    )
    assert out.loc[("emp", "immigrants_non_western"), "status"] == "suppressed_primary"
    assert out.loc[("gap", "immigrants_non_western"), "reason"] == "gap_component_suppressed"
    assert np.isnan(out.loc[("gap", "immigrants_non_western"), "value"])
    assert out.loc[("gap", "descendants_non_western"), "status"] == "ok"


def test_gap_hidden_when_its_reference_rate_is_hidden() -> None:
    table = gap_table(20)
    table.loc[0, ["numerator", "denominator"]] = [1.0, 3.0]
    out = protect(table, gaps={"gap": ("emp", "danish_origin")}, municipality_regions={})
    assert out.loc[out["indicator_id"] == "gap", "status"].eq("suppressed_secondary").all()


def test_gap_without_components_is_hidden_and_unmapped_gap_is_refused() -> None:
    table = gap_table(20)
    only_gaps = table[table["unit"] == "pp"]
    out = protect(only_gaps, gaps={"gap": ("emp", "danish_origin")}, municipality_regions={})
    assert out["reason"].eq("gap_component_missing").all()
    with pytest.raises(ValueError, match="gap"):
        protect(table, municipality_regions={})


# --- shared denominators ------------------------------------------------------------------


def test_shared_denominator_cells_are_hidden_in_both_indicators() -> None:
    # Both indicators have the persons 16-64 as denominator. Female is small for 'support'
    # only (numerator 1); 'emp' would otherwise publish female's denominator 20.
    rows = []
    for ind, nums in (("emp", (60, 45, 15)), ("support", (11, 10, 1))):
        for sex, num, den in zip(("all", "male", "female"), nums, (100, 80, 20), strict=True):
            rows.append(rate_row("000", "all", sex, num, den, indicator=ind))
    shared = {"emp": "persons_16_64", "support": "persons_16_64"}
    out = protect(frame(rows), shared_denominators=shared, municipality_regions={})
    got = {(r.indicator_id, r.sex): r.reason for r in out.itertuples()}
    assert got == {
        ("emp", "all"): None,
        ("emp", "male"): "secondary_sex",
        ("emp", "female"): "shared_denominator",
        ("support", "all"): None,
        ("support", "male"): "secondary_sex",
        ("support", "female"): "numerator_below_threshold",
    }
    # without the mapping, 'emp' is published in full
    alone = protect(frame(rows), municipality_regions={})
    assert alone.loc[alone["indicator_id"] == "emp", "status"].eq("ok").all()


def test_pinned_cell_without_any_published_neighbour_does_not_raise() -> None:
    # Regression (real store, convicted_share_15_79 / grade9_*: "no published neighbour
    # left"). Both sexes have a hidden numerator of 0, and their only equation partner, the
    # total, is published as "no data" (so it can never be hidden as a complementary cell):
    # the audit sees male + female = 0 with both >= 0, i.e. both pinned, and no cell is left
    # to hide next to them. Protection must finish, not raise, and publish nothing derivable.
    rows = [
        rate_row("000", "all", "male", 0, 10),
        rate_row("000", "all", "female", 0, 12),
        ("emp", "000", 2020, "all", "all", np.nan, np.nan, np.nan, "pct", "ok"),
    ]
    out = protect(frame(rows), municipality_regions={})
    assert status_of(out) == {
        ("000", "all", "male"): "suppressed_primary",
        ("000", "all", "female"): "suppressed_primary",
    }
    assert out[["value", "numerator", "denominator"]].isna().all().all()


def test_every_neighbour_already_suppressed_hides_more_instead_of_raising() -> None:
    # A region of three municipalities where all cells but the region/country totals are
    # small: the greedy step has no published finest cell to choose. The result must be safe
    # for the independent attacker (and not an exception).
    regions = {"901": "081", "902": "081", "903": "081"}
    table = build_random_table(lambda: (0, 3), regions, "pct")
    table.loc[table["area_code"].isin(["081", "000"]), ["numerator"]] = 0.0
    out = protect(table, municipality_regions=regions)
    assert out.loc[out["status"].ne("ok"), "numerator"].isna().all()
    assert attack(out, table, regions) == []


# --- random tables: independent attacker --------------------------------------------------


def build_random_table(draw_counts, regions: dict[str, str], unit: str) -> pd.DataFrame:
    """Micro cells (municipality × detailed origin × sex) summed into every published cell."""
    munis = sorted(regions)
    micro = {}
    for m in munis:
        for o in DETAILED:
            for s in ("male", "female"):
                micro[(m, o, s)] = draw_counts()
    menapt = {
        (m, s): (
            min(micro[(m, "immigrants_non_western", s)][0], 3),
            micro[(m, "immigrants_non_western", s)][1],
        )
        for m in munis
        for s in ("male", "female")
    }
    areas = {"000": munis} | {
        r: [m for m in munis if regions[m] == r] for r in set(regions.values())
    }
    areas |= {m: [m] for m in munis}
    origins = {o: (o,) for o in DETAILED} | ROLLUPS
    rows = []
    for area, parts in areas.items():
        for sex, sexes in (
            ("male", ("male",)),
            ("female", ("female",)),
            ("all", ("male", "female")),
        ):
            for origin, group in [*origins.items(), ("menapt", None)]:
                if group is None:
                    num = sum(menapt[(m, s)][0] for m in parts for s in sexes)
                    den = sum(menapt[(m, s)][1] for m in parts for s in sexes)
                else:
                    num = sum(micro[(m, o, s)][0] for m in parts for o in group for s in sexes)
                    den = sum(micro[(m, o, s)][1] for m in parts for o in group for s in sexes)
                if unit == "count":
                    rows.append(
                        (
                            "pop",
                            area,
                            2020,
                            origin,
                            sex,
                            float(den),
                            float(den),
                            np.nan,
                            "count",
                            "ok",
                        )
                    )
                else:
                    rows.append(rate_row(area, origin, sex, num, den))
    return frame(rows)


def published_equations(regions: dict[str, str]) -> list[tuple[tuple, list[tuple]]]:
    """(total key, part keys) for every additive relation, from the definitions alone."""
    munis = sorted(regions)
    region_codes = sorted(set(regions.values()))
    sexes = ("all", "male", "female")
    origins = (*DETAILED, *ROLLUPS)
    areas = ["000", *region_codes, *munis]
    eqs = []
    for o, s in itertools.product(origins, sexes):
        for r in region_codes:
            eqs.append(((r, o, s), [(m, o, s) for m in munis if regions[m] == r]))
        eqs.append((("000", o, s), [(r, o, s) for r in region_codes]))
        eqs.append((("000", o, s), [(m, o, s) for m in munis]))
    for a, s in itertools.product(areas, sexes):
        for total, parts in ROLLUPS.items():
            eqs.append(((a, total, s), [(a, p, s) for p in parts]))
    for a, o in itertools.product(areas, origins):
        eqs.append(((a, o, "all"), [(a, o, "male"), (a, o, "female")]))
    return eqs


def attack(
    out: pd.DataFrame, truth: pd.DataFrame, regions: dict[str, str], limit: int | None = None
) -> list[tuple]:
    """Hidden cells whose numerator, denominator or complement has a one-point LP interval.

    Unknowns: numerator and denominator of every hidden cell; constraints: every published
    sum, 0 <= numerator <= denominator (counts: count >= 0). Also checks the truth is feasible.
    With ``limit`` only that many hidden cells are attacked (the ones whose numerator or
    complement is 0 first, as those are the ones non-negativity can pin), to bound LP time.
    """
    is_count = (out["unit"] == "count").all()
    key = list(zip(out["area_code"], out["origin_group"], out["sex"], strict=True))
    hidden = [k for k, st_ in zip(key, out["status"], strict=True) if st_ != "ok"]
    if not hidden:
        return []
    pos = {k: i for i, k in enumerate(hidden)}
    n = len(hidden)
    nvar = n if is_count else 2 * n
    published = {
        k: (num, den)
        for k, num, den, st_ in zip(
            key, out["numerator"], out["denominator"], out["status"], strict=True
        )
        if st_ == "ok"
    }
    a_eq, b_eq = [], []
    for total, parts in published_equations(regions):
        terms = [(total, 1.0)] + [(p, -1.0) for p in parts]
        if not parts or any(k not in pos and k not in published for k, _ in terms):
            continue
        for block in range(1 if is_count else 2):
            row = np.zeros(nvar)
            rhs = 0.0
            for k, coef in terms:
                if k in pos:
                    row[block * n + pos[k]] += coef
                else:
                    rhs -= coef * published[k][block]
            if row.any():
                a_eq.append(row)
                b_eq.append(rhs)
    a_ub, b_ub = [], []
    if not is_count:
        for i in range(n):  # numerator - denominator <= 0
            row = np.zeros(nvar)
            row[i], row[n + i] = 1.0, -1.0
            a_ub.append(row)
            b_ub.append(0.0)
    truth_by_key = {
        (r.area_code, r.origin_group, r.sex): (r.numerator, r.denominator)
        for r in truth.itertuples()
    }
    targets = list(range(n))
    if limit is not None and n > limit:

        def edge(i):
            num, den = truth_by_key[hidden[i]]
            return num == 0 or (not is_count and num == den)

        rng = np.random.default_rng(n)
        targets = sorted(targets, key=lambda i: (not edge(i), rng.random()))[:limit]
    objectives = [("num", i, np.eye(nvar)[i]) for i in targets]
    if not is_count:
        objectives += [("den", i, np.eye(nvar)[n + i]) for i in targets]
        objectives += [("complement", i, np.eye(nvar)[n + i] - np.eye(nvar)[i]) for i in targets]
    pinned = []
    kwargs = {
        "A_eq": sparse.csr_matrix(np.array(a_eq)) if a_eq else None,
        "b_eq": np.array(b_eq) if b_eq else None,
        "A_ub": sparse.csr_matrix(np.array(a_ub)) if a_ub else None,
        "b_ub": np.array(b_ub) if b_ub else None,
        "bounds": [(0, None)] * nvar,
        "method": "highs",
    }
    for what, i, c in objectives:
        low = linprog(c, **kwargs)
        high = linprog(-c, **kwargs)
        assert low.status == 0, low.message
        true_num, true_den = truth_by_key[hidden[i]]
        true = {"num": true_num, "den": true_den, "complement": true_den - true_num}[what]
        if high.status == 3:  # unbounded above: certainly not a point
            assert low.fun <= true + 1e-6
            continue
        assert high.status == 0, high.message
        assert low.fun - 1e-6 <= true <= -high.fun + 1e-6
        if -high.fun - low.fun < 1e-6:
            pinned.append((hidden[i], what))
    return pinned


REGION_SHAPES = [
    {"901": "081", "902": "081"},
    {"901": "081", "902": "081", "903": "081"},
    {"901": "081", "902": "081", "903": "082", "904": "082"},
    {"901": "081", "902": "082", "903": "082"},
]


@st.composite
def random_tables(draw):
    regions = draw(st.sampled_from(REGION_SHAPES))
    unit = draw(st.sampled_from(["pct", "pct", "count"]))
    threshold = draw(st.sampled_from([3, 5]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scale = draw(st.sampled_from([3, 10, 40]))

    def draw_counts():
        den = int(rng.poisson(scale)) if rng.random() > 0.15 else 0
        num = int(rng.binomial(den, rng.choice([0.0, 0.1, 0.5, 0.9, 1.0])))
        return num, den

    return build_random_table(draw_counts, regions, unit), regions, threshold


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_tables())
def test_random_tables_publish_nothing_small_and_nothing_derivable(case) -> None:
    table, regions, threshold = case
    out = protect(table, threshold=threshold, municipality_regions=regions)
    ok = out[out["status"] == "ok"]
    if (table["unit"] == "count").all():
        assert (ok["numerator"] >= threshold).all()
    else:
        populated = ok[ok["denominator"] > 0]
        assert (populated["numerator"] >= threshold).all()
        assert (populated["denominator"] >= threshold).all()
        assert (populated["denominator"] - populated["numerator"] >= threshold).all()
    hidden = out[out["status"] != "ok"]
    assert hidden[["value", "numerator", "denominator"]].isna().all().all()
    assert hidden["reason"].notna().all()
    assert ok["reason"].isna().all()
    assert attack(out, table, regions, limit=20) == []


@settings(max_examples=10, deadline=None)
@given(random_tables(), st.randoms(use_true_random=False))
def test_protection_is_deterministic_under_row_shuffling(case, rnd) -> None:
    table, regions, threshold = case
    order = list(range(len(table)))
    rnd.shuffle(order)
    shuffled = table.iloc[order].reset_index(drop=True)
    a = protect(table, threshold=threshold, municipality_regions=regions)
    b = protect(shuffled, threshold=threshold, municipality_regions=regions)
    key = ["area_code", "origin_group", "sex"]
    a = a.sort_values(key).reset_index(drop=True)
    b = b.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_process_pool_gives_the_same_patterns_as_serial() -> None:
    # With >= 4 (group, year) tables protect() uses 2 worker processes; the result must not
    # depend on it.
    regions = {"901": "081", "902": "081", "903": "082", "904": "082"}
    rng = np.random.default_rng(3)

    def draw_counts():
        den = int(rng.poisson(12))
        return int(rng.binomial(den, 0.3)), den

    years = [
        build_random_table(draw_counts, regions, "pct").assign(year=y) for y in range(2015, 2020)
    ]
    table = pd.concat(years, ignore_index=True)
    pooled = protect(table, municipality_regions=regions, workers=2)
    serial = protect(table, municipality_regions=regions, workers=1)
    pd.testing.assert_frame_equal(pooled, serial)
    assert pooled["status"].ne("ok").any()


def test_same_input_keeps_row_order_and_index() -> None:
    table = build_random_table(lambda: (1, 4), {"901": "081", "902": "081"}, "pct")
    table.index = table.index + 100
    out = protect(table, municipality_regions={"901": "081", "902": "081"})
    assert out.index.equals(table.index)
    assert out[["area_code", "origin_group", "sex"]].equals(
        table[["area_code", "origin_group", "sex"]]
    )


# --- report -------------------------------------------------------------------------------


def test_summary_counts_cells_per_reason_and_level() -> None:
    regions, table = region_of_three()
    out = protect(table, municipality_regions=regions)
    summary = summarise_suppression(out, municipality_regions=regions)
    got = {(r.area_level, r.reason): (r.cells, r.share_pct) for r in summary.itertuples()}
    # 3 municipality cells: one primary, one secondary → 2 of 3 hidden.
    assert got == {
        ("municipality", "denominator_below_threshold"): (1, 33.3),
        ("municipality", "secondary_area"): (1, 33.3),
        ("municipality", "all"): (2, 66.7),
    }
    text = render_suppression_report(summary)
    assert "secondary_area" in text
    assert render_suppression_report(summary.iloc[0:0]) == "No cells suppressed.\n"
