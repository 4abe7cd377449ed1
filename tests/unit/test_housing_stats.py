"""Area statistics from a tiny hand-made register delivery (DOMAIN.md §3.2).

Six persons live in area A (Copenhagen, region 084); three live elsewhere. Every expected value
below is worked out by hand in the comments, not copied from the output. The statistics read the
validated delivery (sources/registers.py), so every delivery here is validated first; a synthetic
delivery checks them against plain pandas, and the same files as CSV, SAS and with upper-case
names against the Parquet delivery.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from barometer.errors import InputError
from barometer.housing.stats import StatsParams, compute_area_stats
from barometer.sources.registers import load_delivery

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
UDDA = [("P1", "1"), ("P3", "0"), ("P4", "141"), ("Q1", "141")]  # P2: no row
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
    """The delivery above with every layout column; the columns the statistics do not read
    (birth date, sex, immigration date, spell dates) get plausible values."""

    def save(name: str, rows: list[tuple], cols: list[str]) -> None:
        df = pd.DataFrame(rows, columns=cols)
        if fmt == "parquet":
            df.to_parquet(root / f"{name}.parquet", index=False)
        else:
            df.to_csv(root / f"{name}.csv", index=False)

    bef = [
        (pnr, dt.date(2020 - age, 6, 1), age, 1 + i % 2, kom, ie, land,
         dt.date(2020 - age // 2, 1, 1) if ie == 2 else None, adr)
        for i, (pnr, age, kom, ie, land, adr) in enumerate(BEF)
    ]  # fmt: skip
    save("bef202012", bef, ["PNR", "FOED_DAG", "ALDER", "KOEN", "KOM", "IE_TYPE", "OPR_LAND",
                            "FOERSTE_INDVANDRING", "ADRESSE_ID"])  # fmt: skip
    save("akm2020", AKM, ["PNR", "SOCIO13"])
    spells = [(pnr, code, dt.date(2020, 1, 1), dt.date(2020, 12, 31), g) for pnr, code, g in OF]
    save("of2020", spells, ["PNR", "PTI_TILSTAND_KODE", "PTI_VFRA", "PTI_VTIL", "GRADAAR"])
    if with_udda:
        save("udda202009", UDDA, ["PNR", "HFAUDD"])
    save("ind2020", IND, ["PNR", "PERINDKIALT_13"])
    save("kraf", KRAF, ["PNR", "AFG_AFGOEDTO", "AFG_GER7", "AFG_AFGTYP3"])
    save("boligomraader", AREAS, ["ADRESSE_ID", "area_id", "area_name", "KOM"])
    return root


def area_stats(root: Path, **kwargs) -> pd.DataFrame:
    """Validate the delivery in ``root``, then compute its area statistics."""
    con = duckdb.connect()
    try:
        return compute_area_stats(load_delivery(root, con), con, **kwargs)
    finally:
        con.close()


# SAS: pyreadstat can read .sas7bdat but not write it (tests/unit/test_sas_input.py). Here a
# ".sas7bdat" file holds Parquet bytes, and the replaced reader returns what pyreadstat returns
# for a SAS file: every number as float64 (REGISTERS.md §2), numeric codes included.
SAS_NUMERIC_CODES = ("KOM", "OPR_LAND", "PTI_TILSTAND_KODE", "HFAUDD")


def read_fake_sas(path: str, **_kwargs) -> tuple[pd.DataFrame, None]:
    df = pd.read_parquet(path)
    for col in df.columns:
        if col in SAS_NUMERIC_CODES or pd.api.types.is_numeric_dtype(df[col]):
            df[col] = pd.to_numeric(df[col]).astype("float64")
    return df, None


def recast(root: Path, form: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Turn the Parquet files in ``root`` into SAS files (``sas``), or give them upper-case
    names such as BEF202012.parquet (``upper``; one with an upper-case suffix as well)."""
    for path in sorted(root.glob("*.parquet")):
        if form == "sas":
            path.rename(path.with_suffix(".sas7bdat"))
        else:
            suffix = ".PARQUET" if path.stem == "kraf" else ".parquet"
            path.rename(root / f"{path.stem.upper()}{suffix}")
    if form == "sas":
        import pyreadstat

        monkeypatch.setattr(pyreadstat, "read_sas7bdat", read_fake_sas)
    return root


@pytest.fixture(params=["parquet", "csv", "sas", "upper"])
def registers(tmp_path: Path, request: pytest.FixtureRequest, monkeypatch) -> Path:
    if request.param == "csv":
        return write_registers(tmp_path, "csv")
    root = write_registers(tmp_path)
    return root if request.param == "parquet" else recast(root, request.param, monkeypatch)


def area_a(stats: pd.DataFrame) -> pd.Series:
    return stats.set_index("area_id").loc["A"]


def test_statistics_match_hand_computation(registers: Path) -> None:
    stats = area_stats(registers)
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
    b = area_stats(registers).set_index("area_id").loc["B"]
    assert b["residents"] == 0
    assert pd.isna(b["non_western_share"])


def test_scale_divides_residents_only(tmp_path: Path) -> None:
    stats = area_stats(write_registers(tmp_path), scale=0.1)
    a = area_a(stats)
    assert a["residents"] == pytest.approx(60)  # 6 persons in a 10 % sample
    assert a["non_western_share"] == pytest.approx(0.5)


def test_benefit_codes_parameter(tmp_path: Path) -> None:
    root = write_registers(tmp_path)
    only_dagpenge = StatsParams(outside_benefit_codes=("1111",))
    a = area_a(area_stats(root, params=only_dagpenge))
    assert a["outside_labour_share_18_64"] == pytest.approx(0.25 / 4)  # P2's dagpenge only
    every_spell = StatsParams(outside_benefit_codes=None)
    a = area_a(area_stats(root, params=every_spell))
    # P2 0.75, P3 0.3 (sygedagpenge now counted), P4 1: 2.05 / 4
    assert a["outside_labour_share_18_64"] == pytest.approx(2.05 / 4)


def test_acquittals_count_when_not_excluded(tmp_path: Path) -> None:
    params = StatsParams(non_guilty_decision_types=())
    a = area_a(area_stats(write_registers(tmp_path), params=params))
    assert a["convicted_share_18plus"] == pytest.approx(3 / 5)  # P2, P3, P5
    assert a["national_convicted_share_18plus"] == pytest.approx(3 / 8)


def test_unknown_education_as_basic_can_be_switched_off(tmp_path: Path) -> None:
    params = StatsParams(unknown_education_as_basic=False)
    a = area_a(area_stats(write_registers(tmp_path), params=params))
    assert a["basic_education_only_share_30_59"] == pytest.approx(0 / 3)


def test_missing_register_leaves_statistic_empty(tmp_path: Path) -> None:
    a = area_a(area_stats(write_registers(tmp_path, with_udda=False)))
    assert pd.isna(a["basic_education_only_share_30_59"])
    assert a["outside_labour_share_18_64"] == pytest.approx(1.75 / 4)


def test_only_area_level_rows_come_out(registers: Path) -> None:
    stats = area_stats(registers)
    assert "PNR" not in stats.columns
    assert sorted(stats["area_id"]) == ["A", "B"]


def test_missing_year_and_missing_area_file(tmp_path: Path) -> None:
    root = write_registers(tmp_path)
    with pytest.raises(InputError, match="bef201912"):
        area_stats(root, years=[2019])
    (root / "boligomraader.parquet").unlink()
    with pytest.raises(InputError, match="boligomraader"):
        area_stats(root)


@pytest.mark.parametrize(("scale", "listed"), [(0.006, True), (0.007, False)])
def test_registers_to_classification_uses_scaled_residents(
    tmp_path: Path, scale: float, listed: bool
) -> None:
    from barometer.housing import classify

    stats = area_stats(write_registers(tmp_path), scale=scale)
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


# --- An independent reference: plain pandas over the Parquet files ---------------------------
# The statistics are computed here person by person from the definitions (DOMAIN.md §3.2), with
# none of compute_area_stats' SQL, validation or views, and compared on a synthetic delivery.


def _share(num: float, den: float) -> float:
    return num / den if den else float("nan")


def reference_area_stats(root: Path, years: list[int], p: StatsParams) -> pd.DataFrame:
    """Per area and data year: residents (unscaled, as ``n``) and the shares of the output."""
    import numpy as np

    from barometer.codes import load_countries, load_education_main_groups, load_municipalities

    def read(stem: str) -> pd.DataFrame:
        return pd.read_parquet(root / f"{stem}.parquet")

    western = {c.code for c in load_countries().values() if c.is_western}
    main_group = load_education_main_groups()
    region = {code: m.region_code for code, m in load_municipalities().items()}
    areas = read("boligomraader")
    links = areas[["ADRESSE_ID", "area_id"]].drop_duplicates()
    assert not links["ADRESSE_ID"].duplicated().any()  # one area per address
    area_of = links.set_index("ADRESSE_ID")["area_id"]
    area_list = areas.groupby("area_id").agg(kom=("KOM", "min"))
    kraf = read("kraf")
    guilty = kraf[
        kraf["AFG_GER7"].str.startswith(tuple(p.conviction_offence_prefixes))
        & ~kraf["AFG_AFGTYP3"].isin(p.non_guilty_decision_types)
    ]
    guilty_year = pd.to_datetime(guilty["AFG_AFGOEDTO"]).dt.year
    unknown = p.unknown_education_as_basic
    rows = []
    for year in years:
        akm, ofs = read(f"akm{year}"), read(f"of{year}")
        udda, ind = read(f"udda{year}09"), read(f"ind{year}")
        if p.outside_benefit_codes is not None:
            ofs = ofs[ofs["PTI_TILSTAND_KODE"].isin(p.outside_benefit_codes)]
        fte = ofs.groupby("PNR")["GRADAAR"].sum().clip(upper=1.0)
        group = udda.set_index("PNR")["HFAUDD"].map(main_group)
        basic = pd.Series(
            np.where(group.isna() | (group == "90"), unknown, group.isin(p.basic_education_groups)),
            index=group.index,
        )
        b = read(f"bef{year}12")
        age = b["ALDER"]
        d = pd.DataFrame(
            {
                "area_id": b["ADRESSE_ID"].map(area_of),
                "region": b["KOM"].map(region),
                "non_western": b["IE_TYPE"].isin([2, 3]) & ~b["OPR_LAND"].isin(western),
                "student": b["PNR"].isin(
                    set(akm.loc[akm["SOCIO13"].isin(p.student_socio13), "PNR"])
                ),
                "fte": b["PNR"].map(fte).fillna(0.0),
                "convicted": b["PNR"].isin(set(guilty.loc[guilty_year == year, "PNR"])),
                "basic": b["PNR"].map(basic).fillna(unknown).astype(bool),
                "income": b["PNR"].map(ind.set_index("PNR")["PERINDKIALT_13"]),
                "adult": age >= 18,
                "work_age": age.between(18, 64),
                "mid_age": age.between(30, 59),
            }
        )
        d["in_income"] = age.between(15, 64) & ~d["student"] & d["income"].notna()
        national = _share((d["adult"] & d["convicted"]).sum(), d["adult"].sum())
        region_mean = d[d["in_income"]].groupby("region")["income"].mean()
        residents = dict(iter(d[d["area_id"].notna()].groupby("area_id")))
        for area_id, kom in area_list["kom"].items():
            a = residents.get(area_id, d.iloc[:0])
            rows.append(
                {
                    "area_id": area_id,
                    "data_year": year,
                    "n": len(a),
                    "non_western_share": a["non_western"].mean() if len(a) else float("nan"),
                    "outside_labour_share_18_64": _share(
                        a["fte"][a["work_age"] & ~a["student"]].sum(), a["work_age"].sum()
                    ),
                    "convicted_share_18plus": _share(
                        (a["adult"] & a["convicted"]).sum(), a["adult"].sum()
                    ),
                    "national_convicted_share_18plus": national,
                    "basic_education_only_share_30_59": _share(
                        (a["mid_age"] & a["basic"]).sum(), a["mid_age"].sum()
                    ),
                    "income_ratio_to_region": _share(
                        a.loc[a["in_income"], "income"].mean(),
                        region_mean.get(region.get(kom), float("nan")),
                    ),
                }
            )
    return pd.DataFrame(rows)


SHARES = (
    "non_western_share",
    "outside_labour_share_18_64",
    "convicted_share_18plus",
    "national_convicted_share_18plus",
    "basic_education_only_share_30_59",
    "income_ratio_to_region",
)


@pytest.fixture(scope="module")
def synthetic_delivery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic Denmark as Parquet."""
    from barometer.sources.synthetic import generate

    root = tmp_path_factory.mktemp("synth_housing") / "parquet"
    generate(root, scale=0.01, years=[2019, 2020], seed=3)
    return root


@pytest.fixture(scope="module")
def synthetic_stats(synthetic_delivery: Path) -> pd.DataFrame:
    return area_stats(synthetic_delivery, scale=0.01)


@pytest.fixture(scope="module")
def synthetic_csv(synthetic_delivery: Path) -> Path:
    """The same files as CSV."""
    return copy_delivery(synthetic_delivery, synthetic_delivery.parent / "csv", "csv")


@pytest.fixture(scope="module")
def reference(synthetic_delivery: Path):
    """reference_area_stats of the synthetic delivery, once per parameter set."""
    cache: dict[StatsParams, pd.DataFrame] = {}

    def get(params: StatsParams) -> pd.DataFrame:
        if params not in cache:
            cache[params] = reference_area_stats(synthetic_delivery, [2019, 2020], params)
        return cache[params]

    return get


def copy_delivery(source: Path, target: Path, fmt: str = "parquet") -> Path:
    """The files of ``source`` in ``target``, as Parquet or as CSV."""
    target.mkdir()
    for path in sorted(source.glob("*.parquet")):
        if fmt == "csv":
            csv = str(target / f"{path.stem}.csv").replace("'", "''")
            duckdb.execute(f"COPY (FROM read_parquet('{path}')) TO '{csv}' (HEADER)")
        else:
            shutil.copy(path, target / path.name)
    return target


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize(
    "params",
    [
        StatsParams(),
        StatsParams(
            outside_benefit_codes=None,
            non_guilty_decision_types=(),
            unknown_education_as_basic=False,
            basic_education_groups=("10", "20"),
        ),
    ],
    ids=["default", "variants"],
)
def test_matches_pandas_reference_on_synthetic_delivery(
    request: pytest.FixtureRequest, reference, fmt: str, params: StatsParams
) -> None:
    root = request.getfixturevalue("synthetic_delivery" if fmt == "parquet" else "synthetic_csv")
    got = area_stats(root, scale=0.01, params=params)
    ref = reference(params)
    assert len(got) == len(ref) == 2 * ref["area_id"].nunique()
    assert (got["residents"] > 0).all()  # every area is populated: the comparison bites
    merged = got.merge(ref, on=["area_id", "data_year"], suffixes=("", "_ref"))
    assert len(merged) == len(got)
    pd.testing.assert_series_equal(
        merged["residents"], merged["n"] / 0.01, check_names=False, rtol=1e-12
    )
    for col in SHARES:
        assert merged[col].notna().any(), col
        pd.testing.assert_series_equal(
            merged[col], merged[f"{col}_ref"].astype(float), check_names=False, rtol=1e-9
        )


@pytest.mark.parametrize("form", ["upper", "sas"])
def test_upper_case_names_and_sas_give_the_parquet_statistics(
    synthetic_delivery: Path,
    synthetic_stats: pd.DataFrame,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    form: str,
) -> None:
    """BEF202012.parquet and a delivery of .sas7bdat files only (issue #20: both crashed)."""
    root = recast(copy_delivery(synthetic_delivery, tmp_path / form), form, monkeypatch)
    names = [path.name for path in root.iterdir()]
    assert len(names) == len(list(synthetic_delivery.glob("*.parquet")))
    for name in names:  # every file turned into SAS, or renamed
        assert name.endswith(".sas7bdat") if form == "sas" else name.split(".")[0].isupper()
    got = area_stats(root, scale=0.01)
    assert len(synthetic_stats) > 0 and (synthetic_stats["residents"] > 0).all()
    pd.testing.assert_frame_equal(got, synthetic_stats, check_exact=False, rtol=1e-12, atol=0)
