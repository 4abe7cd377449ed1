"""Area statistics from a tiny hand-made register delivery (DOMAIN.md §3.2).

Six persons live in area A (Copenhagen, region 084); three live elsewhere. Every expected value
below is worked out by hand in the comments, not copied from the output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from barometer.errors import InputError
from barometer.housing.stats import StatsParams, compute_area_stats

TURKEY, GERMANY, DENMARK = "5172", "5180", "5100"

# PNR, age, KOM, IE_TYPE, OPR_LAND, ADRESSE_ID
BEF = [
    ("P1", 25, "101", 2, TURKEY, "ad1"),  # non-western immigrant, student
    ("P2", 40, "101", 2, TURKEY, "ad1"),  # non-western immigrant, no education row
    ("P3", 50, "101", 1, DENMARK, "ad2"),  # Danish origin, education unknown (group 90)
    ("P4", 35, "101", 3, GERMANY, "ad2"),  # western descendant, higher education
    ("P5", 70, "101", 1, DENMARK, "ad2"),  # pensioner, convicted
    ("P6", 10, "101", 3, TURKEY, "ad1"),  # non-western descendant, child
    ("Q1", 45, "101", 1, DENMARK, "ad9"),  # outside the area, same region
    ("Q2", 30, "751", 1, DENMARK, "ad8"),  # other region (Aarhus, 082)
    ("Q3", 20, "101", 1, DENMARK, "ad9"),  # student, same region
]
AKM = [("P1", 310), ("P2", 330), ("P3", 120), ("P4", 120), ("P5", 322), ("Q1", 120),
       ("Q2", 120), ("Q3", 310)]  # fmt: skip
OF = [  # PNR, code, GRADAAR; 1211 kontanthjælp, 1111 dagpenge, 2111 sygedagpenge
    ("P1", "1211", 0.5),  # student: not counted as outside
    ("P2", "1111", 0.25),
    ("P2", "1211", 0.5),
    ("P3", "2111", 0.3),  # sygedagpenge: not counted by default (DOMAIN.md §3.2)
    ("P4", "1211", 0.8),
    ("P4", "1211", 0.6),  # 1.4 in all, capped at 1
]
UDDA = [("P1", "10"), ("P3", "0"), ("P4", "141"), ("Q1", "141")]  # P2: no row
IND = [("P1", 100_000.0), ("P2", 150_000.0), ("P3", 300_000.0), ("P4", 400_000.0),
       ("P5", 200_000.0), ("Q1", 500_000.0), ("Q2", 1_000_000.0), ("Q3", 50_000.0)]  # fmt: skip
KRAF = [  # PNR, date, offence code, decision type
    ("P3", dt.date(2020, 5, 1), "1234567", 1),
    ("P5", dt.date(2020, 11, 30), "1111111", 1),
    ("Q1", dt.date(2019, 6, 1), "1234567", 1),  # another year
    ("Q2", dt.date(2020, 6, 1), "2000000", 1),  # traffic act: not counted
    ("P2", dt.date(2020, 3, 1), "1234567", 61),  # acquittal: not counted
]
AREAS = [("ad1", "A", "Testparken", "101"), ("ad2", "A", "Testparken", "101"),
         ("ad7", "B", "Tomgården", "751")]  # fmt: skip


def write_registers(root: Path, fmt: str = "parquet", *, with_udda: bool = True) -> Path:
    def save(name: str, rows: list[tuple], cols: list[str]) -> None:
        df = pd.DataFrame(rows, columns=cols)
        if fmt == "parquet":
            df.to_parquet(root / f"{name}.parquet", index=False)
        else:
            df.to_csv(root / f"{name}.csv", index=False)

    save("bef202012", BEF, ["PNR", "ALDER", "KOM", "IE_TYPE", "OPR_LAND", "ADRESSE_ID"])
    save("akm2020", AKM, ["PNR", "SOCIO13"])
    save("of2020", OF, ["PNR", "PTI_TILSTAND_KODE", "GRADAAR"])
    if with_udda:
        save("udda202009", UDDA, ["PNR", "HFAUDD"])
    save("ind2020", IND, ["PNR", "PERINDKIALT_13"])
    save("kraf", KRAF, ["PNR", "AFG_AFGOEDTO", "AFG_GER7", "AFG_AFGTYP3"])
    save("boligomraader", AREAS, ["ADRESSE_ID", "area_id", "area_name", "KOM"])
    return root


@pytest.fixture(params=["parquet", "csv"])
def registers(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    return write_registers(tmp_path, request.param)


def area_a(stats: pd.DataFrame) -> pd.Series:
    return stats.set_index("area_id").loc["A"]


def test_statistics_match_hand_computation(registers: Path) -> None:
    stats = compute_area_stats(registers)
    a = area_a(stats)
    assert a["data_year"] == 2020
    assert a["municipality_code"] == "101"
    assert a["residents"] == 6  # P1-P6
    assert a["non_western_share"] == pytest.approx(3 / 6)  # P1, P2, P6 (P4 is western)
    # 18-64: P1, P2, P3, P4. FTE outside: P1 student 0, P2 0.25+0.5, P3 sygedagpenge 0,
    # P4 min(1.4, 1) = 1
    assert a["outside_labour_share_18_64"] == pytest.approx(1.75 / 4)
    # 18+: P1-P5; convicted in 2020 under the criminal code: P3, P5 (P2 was acquitted)
    assert a["convicted_share_18plus"] == pytest.approx(2 / 5)
    # Denmark 18+: P1-P5, Q1-Q3 = 8; convicted 2020 (code 1...): P3, P5 (Q1 2019, Q2 traffic)
    assert a["national_convicted_share_18plus"] == pytest.approx(2 / 8)
    # 30-59: P2 (no education row -> basic), P3 (group 90 unknown -> basic), P4 (KVU)
    assert a["basic_education_only_share_30_59"] == pytest.approx(2 / 3)
    # Income 15-64 excl. students: area P2, P3, P4 = 850,000 / 3; region 084 adds Q1 (P1, Q3
    # students, P5 and P6 out of age, Q2 lives in region 082): 1,350,000 / 4
    assert a["income_ratio_to_region"] == pytest.approx((850_000 / 3) / (1_350_000 / 4))


def test_empty_area_has_zero_residents_and_no_shares(registers: Path) -> None:
    b = compute_area_stats(registers).set_index("area_id").loc["B"]
    assert b["residents"] == 0
    assert pd.isna(b["non_western_share"])


def test_scale_divides_residents_only(tmp_path: Path) -> None:
    stats = compute_area_stats(write_registers(tmp_path), scale=0.1)
    a = area_a(stats)
    assert a["residents"] == pytest.approx(60)  # 6 persons in a 10 % sample
    assert a["non_western_share"] == pytest.approx(0.5)


def test_benefit_codes_parameter(tmp_path: Path) -> None:
    root = write_registers(tmp_path)
    only_dagpenge = StatsParams(outside_benefit_codes=("1111",))
    a = area_a(compute_area_stats(root, params=only_dagpenge))
    assert a["outside_labour_share_18_64"] == pytest.approx(0.25 / 4)  # P2's dagpenge only
    every_spell = StatsParams(outside_benefit_codes=None)
    a = area_a(compute_area_stats(root, params=every_spell))
    # P2 0.75, P3 0.3 (sygedagpenge now counted), P4 1: 2.05 / 4
    assert a["outside_labour_share_18_64"] == pytest.approx(2.05 / 4)


def test_acquittals_count_when_not_excluded(tmp_path: Path) -> None:
    params = StatsParams(non_guilty_decision_types=())
    a = area_a(compute_area_stats(write_registers(tmp_path), params=params))
    assert a["convicted_share_18plus"] == pytest.approx(3 / 5)  # P2, P3, P5
    assert a["national_convicted_share_18plus"] == pytest.approx(3 / 8)


def test_unknown_education_as_basic_can_be_switched_off(tmp_path: Path) -> None:
    params = StatsParams(unknown_education_as_basic=False)
    a = area_a(compute_area_stats(write_registers(tmp_path), params=params))
    assert a["basic_education_only_share_30_59"] == pytest.approx(0 / 3)


def test_missing_register_leaves_statistic_empty(tmp_path: Path) -> None:
    a = area_a(compute_area_stats(write_registers(tmp_path, with_udda=False)))
    assert pd.isna(a["basic_education_only_share_30_59"])
    assert a["outside_labour_share_18_64"] == pytest.approx(1.75 / 4)


def test_only_area_level_rows_come_out(registers: Path) -> None:
    stats = compute_area_stats(registers)
    assert "PNR" not in stats.columns
    assert sorted(stats["area_id"]) == ["A", "B"]


def test_missing_year_and_missing_area_file(tmp_path: Path) -> None:
    root = write_registers(tmp_path)
    with pytest.raises(InputError, match="bef201912"):
        compute_area_stats(root, years=[2019])
    (root / "boligomraader.parquet").unlink()
    with pytest.raises(InputError, match="boligomraader"):
        compute_area_stats(root)


@pytest.mark.parametrize(("scale", "listed"), [(0.006, True), (0.007, False)])
def test_registers_to_classification_uses_scaled_residents(
    tmp_path: Path, scale: float, listed: bool
) -> None:
    from barometer.housing import classify

    stats = compute_area_stats(write_registers(tmp_path), scale=scale)
    r = classify(stats, 2021).set_index("area_id").loc["A"]
    # 6 persons ÷ 0.006 = 1,000 residents (÷ 0.007 = 857). From the hand values above: K1
    # 0.4375 > 0.40 and K3 2/3 > 0.60 are met; K2 0.4 / 0.25 = 1.6 < 3 and K4 0.84 > 0.55 not;
    # the non-Western share 0.5 is not above 50 %. Prevention: K1 > 0.30 and K3 > 0.60 met,
    # non-Western 0.5 > 0.30.
    assert r["residents"] == pytest.approx(6 / scale)
    assert r["criteria_met"] == 2 and r["prevention_criteria_met"] == 2
    assert r["crime_value"] == pytest.approx(1.6)
    assert not r["window_complete"]  # one data year where two are averaged
    assert (r["udsat"], r["parallelsamfund"], r["forebyggelsesomraade"]) == (
        listed,
        False,
        listed,
    )


# --- The original query, kept as an independent reference ------------------------------------
# compute_area_stats was rewritten for speed (area residents only get the per-person facts; the
# national and regional figures are plain aggregates). This is the original single-table
# version, copied unchanged, so the rewrite can be checked against it on a synthetic delivery.


def _reference_codes(con) -> None:
    from barometer.codes import load_countries, load_education_main_groups, load_municipalities

    western = [c.code for c in load_countries().values() if c.is_western]
    con.register("_western", pd.DataFrame({"code": western}, dtype=str))
    con.execute("CREATE TEMP TABLE code_western AS SELECT code FROM _western")
    edu = load_education_main_groups()
    edu_df = pd.DataFrame({"hfaudd": [str(int(k)) for k in edu], "grp": list(edu.values())})
    con.register("_edu", edu_df)
    con.execute("CREATE TEMP TABLE code_edu AS SELECT DISTINCT hfaudd, grp FROM _edu")
    kom = load_municipalities()
    reg_df = pd.DataFrame({"kom": list(kom), "region": [m.region_code for m in kom.values()]})
    con.register("_reg", reg_df)
    con.execute("CREATE TEMP TABLE code_region AS SELECT kom, region FROM _reg")
    con.execute(
        "CREATE MACRO code_int(x) AS CAST(CAST(TRY_CAST(x AS DOUBLE) AS BIGINT) AS VARCHAR)"
    )
    con.execute("CREATE MACRO code3(x) AS lpad(code_int(x), 3, '0')")


def _reference_persons(con, files, year: int, p: StatsParams) -> None:
    from barometer.housing.stats import _scan

    def sql_list(values) -> str:
        return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)

    students = sql_list(p.student_socio13)
    akm = (
        f"SELECT CAST(PNR AS VARCHAR) pnr, bool_or(code_int(SOCIO13) IN ({students})) student "
        f"FROM {_scan(files['akm'])} GROUP BY 1"
        if files["akm"]
        else "SELECT NULL::VARCHAR pnr, NULL::BOOLEAN student WHERE false"
    )
    code_filter = (
        f"WHERE CAST(PTI_TILSTAND_KODE AS VARCHAR) IN ({sql_list(p.outside_benefit_codes)})"
        if p.outside_benefit_codes is not None
        else ""
    )
    of = (
        f"SELECT CAST(PNR AS VARCHAR) pnr, least(sum(TRY_CAST(GRADAAR AS DOUBLE)), 1.0) fte "
        f"FROM {_scan(files['of'])} {code_filter} GROUP BY 1"
        if files["of"]
        else "SELECT NULL::VARCHAR pnr, NULL::DOUBLE fte WHERE false"
    )
    prefixes = " OR ".join(
        f"starts_with(CAST(AFG_GER7 AS VARCHAR), '{x}')" for x in p.conviction_offence_prefixes
    )
    non_guilty = (
        f"AND code_int(AFG_AFGTYP3) NOT IN ({sql_list(p.non_guilty_decision_types)})"
        if p.non_guilty_decision_types
        else ""
    )
    conv = (
        f"SELECT DISTINCT CAST(PNR AS VARCHAR) pnr FROM {_scan(files['kraf'])} "
        f"WHERE year(TRY_CAST(AFG_AFGOEDTO AS DATE)) = {year} AND ({prefixes}) {non_guilty}"
        if files["kraf"]
        else "SELECT NULL::VARCHAR pnr WHERE false"
    )
    basic = sql_list(p.basic_education_groups)
    unknown = "TRUE" if p.unknown_education_as_basic else "FALSE"
    udda = (
        f"SELECT CAST(u.PNR AS VARCHAR) pnr, "
        f"bool_or(CASE WHEN m.grp IS NULL OR m.grp = '90' THEN {unknown} "
        f"ELSE m.grp IN ({basic}) END) basic_only "
        f"FROM {_scan(files['udda'])} u LEFT JOIN code_edu m ON code_int(u.HFAUDD) = m.hfaudd "
        f"GROUP BY 1"
        if files["udda"]
        else "SELECT NULL::VARCHAR pnr, NULL::BOOLEAN basic_only WHERE false"
    )
    ind = (
        f"SELECT CAST(PNR AS VARCHAR) pnr, max(TRY_CAST(PERINDKIALT_13 AS DOUBLE)) income "
        f"FROM {_scan(files['ind'])} GROUP BY 1"
        if files["ind"]
        else "SELECT NULL::VARCHAR pnr, NULL::DOUBLE income WHERE false"
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE persons AS
        WITH bef AS (
            SELECT CAST(PNR AS VARCHAR) pnr, TRY_CAST(ALDER AS INTEGER) age, code3(KOM) kom,
                   TRY_CAST(IE_TYPE AS INTEGER) ie, code_int(OPR_LAND) opr,
                   CAST(ADRESSE_ID AS VARCHAR) adr
            FROM {_scan(files["bef"])}
        ), akm AS ({akm}), ofs AS ({of}), conv AS ({conv}), udda AS ({udda}), ind AS ({ind})
        SELECT b.pnr, b.age, r.region, a.area_id,
               (b.ie IN (2, 3) AND NOT coalesce(b.opr IN (SELECT code FROM code_western), false))
                   AS non_western,
               coalesce(s.student, false) AS student,
               coalesce(o.fte, 0.0) AS fte_outside,
               c.pnr IS NOT NULL AS convicted,
               coalesce(e.basic_only, {unknown}) AS basic_only,
               i.income
        FROM bef b
        LEFT JOIN areas a ON a.adr = b.adr
        LEFT JOIN code_region r ON r.kom = b.kom
        LEFT JOIN akm s ON s.pnr = b.pnr
        LEFT JOIN ofs o ON o.pnr = b.pnr
        LEFT JOIN conv c ON c.pnr = b.pnr
        LEFT JOIN udda e ON e.pnr = b.pnr
        LEFT JOIN ind i ON i.pnr = b.pnr
    """)


_REFERENCE_AGGREGATE_SQL = """
WITH income_filter AS (
    SELECT *, age BETWEEN 15 AND 64 AND NOT student AND income IS NOT NULL AS in_income
    FROM persons
), per_area AS (
    SELECT area_id,
        count(*) AS n,
        avg(non_western::INTEGER) AS non_western_share,
        sum(CASE WHEN age BETWEEN 18 AND 64 AND NOT student THEN fte_outside ELSE 0 END)
            / nullif(count(*) FILTER (WHERE age BETWEEN 18 AND 64), 0)
            AS outside_labour_share_18_64,
        (count(*) FILTER (WHERE age >= 18 AND convicted))
            / nullif(count(*) FILTER (WHERE age >= 18), 0) AS convicted_share_18plus,
        (count(*) FILTER (WHERE age BETWEEN 30 AND 59 AND basic_only))
            / nullif(count(*) FILTER (WHERE age BETWEEN 30 AND 59), 0)
            AS basic_education_only_share_30_59,
        avg(income) FILTER (WHERE in_income) AS income_mean
    FROM income_filter WHERE area_id IS NOT NULL GROUP BY area_id
), per_region AS (
    SELECT region, avg(income) FILTER (WHERE in_income) AS income_mean
    FROM income_filter GROUP BY region
), national AS (
    SELECT (count(*) FILTER (WHERE age >= 18 AND convicted))
        / nullif(count(*) FILTER (WHERE age >= 18), 0) AS share
    FROM persons
)
SELECT l.area_id, coalesce(pa.n, 0) AS n,
    pa.non_western_share, pa.outside_labour_share_18_64, pa.convicted_share_18plus,
    (SELECT share FROM national) AS national_convicted_share_18plus,
    pa.basic_education_only_share_30_59,
    pa.income_mean / nullif(pr.income_mean, 0) AS income_ratio_to_region
FROM area_list l
LEFT JOIN per_area pa ON pa.area_id = l.area_id
LEFT JOIN code_region cr ON cr.kom = l.kom
LEFT JOIN per_region pr ON pr.region = cr.region
ORDER BY l.area_id
"""


def reference_area_stats(root: Path, years: list[int], params: StatsParams) -> pd.DataFrame:
    """The original implementation's statistics (before the _NEEDS blanking and scaling)."""
    import duckdb

    from barometer.housing.stats import _scan, find_register, find_year_files

    areas_file = find_register(root, "boligomraader")
    con = duckdb.connect()
    try:
        _reference_codes(con)
        con.execute(f"""
            CREATE TEMP TABLE areas AS
            SELECT DISTINCT CAST(ADRESSE_ID AS VARCHAR) adr, CAST(area_id AS VARCHAR) area_id
            FROM {_scan(areas_file)};
            CREATE TEMP TABLE area_list AS
            SELECT CAST(area_id AS VARCHAR) area_id, min(code3(KOM)) kom
            FROM {_scan(areas_file)} GROUP BY 1;
        """)
        frames = []
        for year in years:
            files = find_year_files(root, year)
            _reference_persons(con, files, year, params)
            frames.append(con.execute(_REFERENCE_AGGREGATE_SQL).df().assign(data_year=year))
    finally:
        con.close()
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def synthetic_delivery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small synthetic Denmark as Parquet, and the same files as CSV."""
    import duckdb

    from barometer.sources.synthetic import generate

    root = tmp_path_factory.mktemp("synth_housing")
    parquet, csv = root / "parquet", root / "csv"
    generate(parquet, scale=0.01, years=[2019, 2020], seed=3)
    csv.mkdir()
    for path in parquet.glob("*.parquet"):
        target = str(csv / f"{path.stem}.csv").replace("'", "''")
        duckdb.execute(f"COPY (FROM read_parquet('{path}')) TO '{target}' (HEADER)")
    return parquet, csv


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize(
    "params",
    [
        StatsParams(),
        StatsParams(
            outside_benefit_codes=None,
            non_guilty_decision_types=(),
            unknown_education_as_basic=False,
        ),
    ],
    ids=["default", "variants"],
)
def test_matches_original_query_on_synthetic_delivery(
    synthetic_delivery: tuple[Path, Path], fmt: str, params: StatsParams
) -> None:
    root = synthetic_delivery[0 if fmt == "parquet" else 1]
    got = compute_area_stats(root, scale=0.01, params=params)
    ref = reference_area_stats(root, [2019, 2020], params)
    assert len(got) == len(ref) == 2 * ref["area_id"].nunique()
    assert (got["residents"] > 0).all()  # every area is populated: the comparison bites
    merged = got.merge(ref, on=["area_id", "data_year"], suffixes=("", "_ref"))
    assert len(merged) == len(got)
    pd.testing.assert_series_equal(
        merged["residents"], merged["n"] / 0.01, check_names=False, rtol=1e-12
    )
    for col in (
        "non_western_share",
        "outside_labour_share_18_64",
        "convicted_share_18plus",
        "national_convicted_share_18plus",
        "basic_education_only_share_30_59",
        "income_ratio_to_region",
    ):
        assert merged[col].notna().any(), col
        pd.testing.assert_series_equal(
            merged[col], merged[f"{col}_ref"].astype(float), check_names=False, rtol=1e-9
        )
