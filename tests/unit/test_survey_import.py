"""``import_survey``: hand-checked cells, file formats, bad files and the store left alone."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyreadstat
import pytest

from barometer.codes import load_published_values
from barometer.errors import InputError
from barometer.sources.surveys import generate_demo_surveys, import_survey

from conftest import write_store_rows

DATA = Path(__file__).parents[1] / "data" / "surveys"
TINY = DATA / "tiny_safety.csv"
TINY_SPEC = DATA / "tiny_safety.yaml"


def read(store: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(sql).df()


def obs(store: Path, origin: str, sex: str) -> dict:
    df = read(
        store,
        "SELECT o.*, c.respondents, c.n_eff, c.share, c.ci_low AS cell_low, c.ci_high AS cell_high, c.weight_yes, "
        "c.weight_sum FROM observations o JOIN survey_cells c USING "
        "(indicator_id, area_code, year, origin_group, sex) "
        f"WHERE origin_group = '{origin}' AND sex = '{sex}'",
    )
    assert len(df) == 1
    return df.iloc[0].to_dict()


def register_store(path: Path) -> Path:
    rows = [
        [
            "population",
            "101",
            2022,
            "all",
            "all",
            650000.0,
            650000.0,
            650000.0,
            "count",
            "ok",
            None,
            "registers",
        ]
    ]
    return write_store_rows(path, rows, synthetic=True, scale=0.1)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_tiny_survey_by_hand(tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    res = import_survey(TINY, TINY_SPEC, store)
    assert res.respondents == 5  # the 16-year-old is filtered out
    assert res.source == "survey:tiny_safety"
    every = obs(store, "all", "all")
    assert every["value"] == pytest.approx(40.0)
    assert every["n_eff"] == pytest.approx(100 / 30)
    assert every["numerator"] == pytest.approx(0.4 * 100 / 30)
    assert every["denominator"] == pytest.approx(100 / 30)
    assert (every["weight_yes"], every["weight_sum"]) == (4.0, 10.0)
    assert every["respondents"] == 4
    assert (every["cell_low"], every["cell_high"]) == pytest.approx((0.091098, 0.815984), abs=1e-6)
    if "ci_low" in every:  # the store's interval columns are in percent
        assert (every["ci_low"], every["ci_high"]) == pytest.approx((9.1098, 81.5984), abs=1e-4)
    assert every["source"] == "survey:tiny_safety" and every["unit"] == "pct"
    dan = obs(store, "danish_origin", "all")
    assert dan["value"] == pytest.approx(100 / 3) and dan["n_eff"] == pytest.approx(1.8)
    nw = obs(store, "non_western", "all")
    assert nw["value"] == pytest.approx(300 / 7) and nw["n_eff"] == pytest.approx(1.96)
    men = obs(store, "all", "male")
    assert men["value"] == pytest.approx(100.0) and men["n_eff"] == pytest.approx(1.6)
    women = obs(store, "all", "female")
    assert women["value"] == pytest.approx(0.0) and women["n_eff"] == pytest.approx(1.8)
    few = obs(store, "danish_origin", "male")  # one respondent < min_respondents 2
    assert few["status"] == "suppressed_primary" and few["reason"] == "survey_min_respondents"
    assert math.isnan(few["value"]) and math.isnan(few["numerator"]) and few["respondents"] == 1
    imp = read(store, "SELECT * FROM imports").iloc[0]
    assert imp["kind"] == "survey" and imp["sha256"] == digest(TINY)
    details = json.loads(imp["details"])
    assert details["respondents"] == 5 and details["filtered_out"] == 1
    spec = json.loads(read(store, "SELECT spec FROM definitions").iloc[0]["spec"])
    assert spec["kind"] == "survey" and spec["topic"] == "safety"


def test_min_respondents_parameter(tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    res = import_survey(TINY, TINY_SPEC, store, min_respondents=20)
    assert res.published == 0 and res.suppressed == res.observations == 9
    assert read(store, "SELECT count(*) n FROM observations WHERE value IS NOT NULL")["n"][0] == 0
    with pytest.raises(InputError, match="at least 1"):
        import_survey(TINY, TINY_SPEC, store, min_respondents=0)


@pytest.mark.parametrize("suffix", [".xlsx", ".sav", ".dta"])
def test_every_file_format_gives_the_same_cells(tmp_path, suffix) -> None:
    frame = pd.read_csv(TINY)
    path = tmp_path / f"tiny{suffix}"
    if suffix == ".xlsx":
        frame.to_excel(path, index=False)
    elif suffix == ".sav":
        pyreadstat.write_sav(
            frame, str(path), variable_value_labels={"tryg": {1: "Meget tryg", 8: "Ved ikke"}}
        )
    else:
        pyreadstat.write_dta(frame, str(path))
    import_survey(TINY, TINY_SPEC, tmp_path / "csv.duckdb")
    import_survey(path, TINY_SPEC, tmp_path / "other.duckdb")
    sql = "SELECT * EXCLUDE (source) FROM observations ORDER BY ALL"
    pd.testing.assert_frame_equal(
        read(tmp_path / "csv.duckdb", sql), read(tmp_path / "other.duckdb", sql)
    )


def bad_copy(tmp_path: Path, edit) -> Path:
    frame = pd.read_csv(TINY, dtype=str)
    edit(frame)
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("edit", "message", "column", "rows"),
    [
        (lambda f: f.drop(columns="vaegt", inplace=True), "missing weight column", "vaegt", []),
        (lambda f: f.loc.__setitem__((2, "vaegt"), "-3"), "negative weight", "vaegt", [3]),
        (lambda f: f.loc.__setitem__((1, "vaegt"), None), "weight is missing", "vaegt", [2]),
        (
            lambda f: f.loc.__setitem__((0, "vaegt"), "heavy"),
            "weight is not a number",
            "vaegt",
            [1],
        ),
        (
            lambda f: f.loc.__setitem__((3, "tryg"), "7"),
            r"unknown answer \(unsafe_in_neighbourhood\) code\(s\) '7'",
            "tryg",
            [4],
        ),
        (
            lambda f: f.loc.__setitem__((0, "herkomst"), "4"),
            r"unknown origin code\(s\) '4'",
            "herkomst",
            [1],
        ),
        (lambda f: f.loc.__setitem__((1, "koen"), "3"), r"unknown sex code\(s\) '3'", "koen", [2]),
        (lambda f: f.drop(columns="tryg", inplace=True), "missing column", "tryg", []),
    ],
)
def test_bad_files_import_nothing(tmp_path, edit, message, column, rows) -> None:
    store = register_store(tmp_path / "reg.duckdb")
    before = digest(store)
    path = bad_copy(tmp_path, edit)
    with pytest.raises(InputError, match=message) as err:
        import_survey(path, TINY_SPEC, store)
    assert err.value.column == column
    assert err.value.rows == rows
    assert str(path) in str(err.value)
    assert digest(store) == before
    with pytest.raises(InputError):
        import_survey(path, TINY_SPEC, tmp_path / "new.duckdb")
    assert not (tmp_path / "new.duckdb").exists()


def test_bad_spec_is_reported(tmp_path) -> None:
    text = TINY_SPEC.read_text("utf-8")
    overlap = tmp_path / "overlap.yaml"
    overlap.write_text(text.replace("no_codes: [1, 2, 3]", "no_codes: [1, 2, 3, 4]"), "utf-8")
    with pytest.raises(InputError, match="must not overlap"):
        import_survey(TINY, overlap, tmp_path / "s.duckdb")
    group = tmp_path / "group.yaml"
    group.write_text(text.replace("3: immigrants_non_western", "3: refugees"), "utf-8")
    with pytest.raises(InputError, match="unknown origin groups"):
        import_survey(TINY, group, tmp_path / "s.duckdb")
    area = tmp_path / "area.yaml"
    area.write_text(text.replace('area: "101"', 'area: "999"'), "utf-8")
    with pytest.raises(InputError, match="not an area code"):
        import_survey(TINY, area, tmp_path / "s.duckdb")
    assert not (tmp_path / "s.duckdb").exists()


def test_survey_sits_beside_register_figures_and_reimport_replaces(tmp_path) -> None:
    store = register_store(tmp_path / "reg.duckdb")
    import_survey(TINY, TINY_SPEC, store)
    import_survey(TINY, TINY_SPEC, store)
    counts = read(store, "SELECT source, count(*) n FROM observations GROUP BY 1 ORDER BY 1")
    assert counts.values.tolist() == [["registers", 1], ["survey:tiny_safety", 9]]
    assert read(store, "SELECT count(*) n FROM survey_cells")["n"][0] == 9
    assert read(store, "SELECT source_kind FROM runs")["source_kind"].tolist() == ["registers"]


def test_a_clash_with_another_source_is_refused(tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    import_survey(TINY, TINY_SPEC, store)
    other = tmp_path / "other.yaml"
    other.write_text(
        TINY_SPEC.read_text("utf-8").replace("name: tiny_safety", "name: other"), "utf-8"
    )
    before = digest(store)
    with pytest.raises(
        InputError, match="9 of the cells from survey:other are already in the store"
    ):
        import_survey(TINY, other, store)
    assert digest(store) == before
    import_survey(TINY, other, store, replace=True)
    assert read(store, "SELECT DISTINCT source FROM observations")["source"].tolist() == [
        "survey:other"
    ]


def test_demo_surveys_are_seeded_and_near_the_published_figures(tmp_path) -> None:
    a = generate_demo_surveys(tmp_path / "a", seed=7)
    b = generate_demo_surveys(tmp_path / "b", seed=7)
    assert digest(a["copenhagen_safety"][0]) == digest(b["copenhagen_safety"][0])
    # A .sav header holds its creation time, so compare the data, not the bytes.
    sav_a, _ = pyreadstat.read_sav(str(a["copenhagen_citizenship"][0]))
    sav_b, _ = pyreadstat.read_sav(str(b["copenhagen_citizenship"][0]))
    pd.testing.assert_frame_equal(sav_a, sav_b)
    store = tmp_path / "demo.duckdb"
    for data, spec in a.values():
        import_survey(data, spec, store)
    got = read(
        store,
        "SELECT indicator_id, year, value FROM observations WHERE area_code = '101' "
        "AND origin_group = 'all' AND sex = 'all'",
    ).set_index(["indicator_id", "year"])["value"]
    published = {
        (r["indicator"], int(r["year"])): float(r["value"])
        for r in load_published_values()
        if r["area_code"] == "101" and r["unit"] == "pct"
    }
    checked = 0
    for key in [
        ("unsafe_in_neighbourhood", 2021),
        ("unsafe_in_neighbourhood", 2022),
        ("unsafe_evening_night", 2021),
        ("unsafe_evening_night", 2022),
        ("felt_discriminated_last_year", 2021),
    ]:
        assert abs(got[key] - published[key]) <= 2.5, (key, got[key], published[key])
        checked += 1
    assert checked == 5
    topics = {json.loads(s)["topic"] for s in read(store, "SELECT spec FROM definitions")["spec"]}
    assert topics == {"safety", "discrimination", "citizenship", "health"}
    synthetic = read(store, "SELECT DISTINCT synthetic FROM imports")["synthetic"].tolist()
    assert synthetic == [True]
    assert read(store, "SELECT synthetic FROM runs")["synthetic"].tolist() == [True]


def test_spec_files_ship_with_the_package(tmp_path) -> None:
    from barometer.sources.surveys.spec import load_spec, specs_dir

    names = sorted(p.stem for p in specs_dir().glob("*.yaml"))
    assert names == ["copenhagen_citizenship", "copenhagen_safety"]
    for p in specs_dir().glob("*.yaml"):
        assert load_spec(p).synthetic
    shutil.copy(TINY, tmp_path / "x.csv")
