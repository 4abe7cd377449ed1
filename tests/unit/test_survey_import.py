"""``barometer survey import``: hand-checked cells, file formats, bad files and the store left
alone. The respondents become an input of cells; which cells are published (enough answers)
is the pipeline's finishing stage, tested here through the store."""

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

from barometer.catalogue import load_catalogue
from barometer.codes import load_published_values
from barometer.errors import InputError
from barometer.pipeline import add_inputs
from barometer.sources.surveys import generate_demo_surveys, survey_input
from barometer.store.write import inputs_path

from fixtures.stores import store_from_cells

DATA = Path(__file__).parents[1] / "data" / "surveys"
TINY = DATA / "tiny_safety.csv"
TINY_SPEC = DATA / "tiny_safety.yaml"
LOW = {"disclosure_threshold": 3}  # the floor, so that the tiny survey's cells of 4 show


def import_survey(file, spec, store, *, min_respondents=None, settings=LOW):
    """What ``barometer survey import`` does: the file as an input, then the pipeline."""
    inp = survey_input(file, spec, load_catalogue(), min_respondents=min_respondents)
    return add_inputs(store, [inp], settings=settings)


def read(store: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute(sql).df()


def obs(store: Path, origin: str, sex: str) -> dict:
    df = read(
        store,
        "SELECT o.*, c.respondents, c.n_eff, c.share, c.ci_low AS cell_low, "
        "c.ci_high AS cell_high, c.min_respondents FROM observations o "
        "JOIN survey_cells c USING (indicator_id, area_code, year, origin_group, sex, source) "
        f"WHERE origin_group = '{origin}' AND sex = '{sex}'",
    )
    assert len(df) == 1
    return df.iloc[0].to_dict()


def register_store(path: Path) -> Path:
    rows = [["population", "101", 2022, "all", "all", 65000.0, 65000.0, 65000.0, "count", "ok"]]
    return store_from_cells(path, rows, synthetic=True, scale=0.1)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_tiny_survey_cells_by_hand() -> None:
    # The input's cells before protection (tests/data/surveys/README.md).
    inp = survey_input(TINY, TINY_SPEC, load_catalogue())
    assert inp.details["respondents"] == 5  # the 16-year-old is filtered out
    assert inp.source == "survey:tiny_safety"
    cells = inp.cells.merge(inp.tables["survey_cells"]).set_index(["origin_group", "sex"])
    every = cells.loc[("all", "all")]
    assert every["value"] == pytest.approx(40.0)
    assert every["n_eff"] == pytest.approx(100 / 30)
    assert every["numerator"] == pytest.approx(0.4 * 100 / 30)
    assert every["denominator"] == pytest.approx(100 / 30)
    assert (every["weight_yes"], every["weight_sum"]) == (4.0, 10.0)
    assert every["respondents"] == 4
    dan = cells.loc[("danish_origin", "all")]
    assert dan["value"] == pytest.approx(100 / 3) and dan["n_eff"] == pytest.approx(1.8)
    nw = cells.loc[("non_western", "all")]
    assert nw["value"] == pytest.approx(300 / 7) and nw["n_eff"] == pytest.approx(1.96)
    men = cells.loc[("all", "male")]
    assert men["value"] == pytest.approx(100.0) and men["n_eff"] == pytest.approx(1.6)
    women = cells.loc[("all", "female")]
    assert women["value"] == pytest.approx(0.0) and women["n_eff"] == pytest.approx(1.8)


def test_tiny_survey_in_the_store_publishes_only_cells_with_enough_answers(tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    import_survey(TINY, TINY_SPEC, store)
    every = obs(store, "all", "all")  # 4 answers >= 3: published
    assert every["status"] == "ok" and every["value"] == pytest.approx(40.0)
    # Wilson on n_eff worked out by hand: 0.091098 .. 0.815984; the store keeps percent.
    assert (every["ci_low"], every["ci_high"]) == pytest.approx((9.1098, 81.5984), abs=1e-4)
    assert (every["cell_low"], every["cell_high"]) == pytest.approx((0.091098, 0.815984), abs=1e-6)
    assert every["source"] == "survey:tiny_safety" and every["unit"] == "pct"
    for origin, sex in (("danish_origin", "all"), ("all", "male"), ("danish_origin", "male")):
        few = obs(store, origin, sex)  # 2 answers or fewer: withheld with their numbers
        assert few["status"] == "suppressed_primary"
        assert few["reason"] == "survey_min_respondents"
        assert math.isnan(few["value"]) and math.isnan(few["numerator"])
        assert math.isnan(few["share"]) and few["min_respondents"] == 3
        assert few["respondents"] <= 2
    # The weighted totals stay in the inputs file: beside the published shares they would let
    # a withheld group be worked out by difference (all − the other groups).
    columns = set(read(store, "SELECT * FROM survey_cells LIMIT 0").columns)
    assert not columns & {"weight_yes", "weight_sum"}
    kept = read(inputs_path(store), "SELECT weight_yes, weight_sum FROM side_survey_cells")
    assert kept.notna().all().all() and len(kept) == 9
    imp = read(store, "SELECT * FROM inputs").iloc[0]
    assert imp["kind"] == "survey" and imp["sha256"] == digest(TINY)
    details = json.loads(imp["details"])
    assert details["respondents"] == 5 and details["filtered_out"] == 1
    sql = "SELECT spec FROM definitions WHERE indicator_id = 'unsafe_in_neighbourhood'"
    spec = json.loads(read(store, sql).iloc[0]["spec"])
    assert spec["kind"] == "survey" and spec["theme"] == "safety"
    assert spec["min_respondents"] == 20 and spec["survey"]["name"]["da"].startswith("Køben")


def test_the_store_threshold_is_the_floor_of_the_minimum_respondents(tmp_path) -> None:
    # Threshold 5 (the default): the cell of 4 answers is withheld too.
    store = tmp_path / "s.duckdb"
    import_survey(TINY, TINY_SPEC, store, settings=None)
    status = read(store, "SELECT DISTINCT status FROM observations")["status"].tolist()
    assert status == ["suppressed_primary"]


def test_min_respondents_parameter(tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    res = import_survey(TINY, TINY_SPEC, store, min_respondents=20)
    assert res.observations == 9
    assert read(store, "SELECT count(*) n FROM observations WHERE value IS NOT NULL")["n"][0] == 0
    with pytest.raises(InputError, match="at least 3"):
        import_survey(TINY, TINY_SPEC, store, min_respondents=2)


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
    before = digest(store), digest(inputs_path(store))
    path = bad_copy(tmp_path, edit)
    with pytest.raises(InputError, match=message) as err:
        import_survey(path, TINY_SPEC, store)
    assert err.value.column == column
    assert err.value.rows == rows
    assert str(path) in str(err.value)
    assert (digest(store), digest(inputs_path(store))) == before
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
    first = import_survey(TINY, TINY_SPEC, store)
    again = import_survey(TINY, TINY_SPEC, store)
    assert first.added == ["survey:tiny_safety"] and again.replaced == ["survey:tiny_safety"]
    assert again.kept == ["registers"]
    counts = read(store, "SELECT source, count(*) n FROM observations GROUP BY 1 ORDER BY 1")
    assert counts.values.tolist() == [["registers", 1], ["survey:tiny_safety", 9]]
    assert read(store, "SELECT count(*) n FROM survey_cells")["n"][0] == 9
    assert read(store, "SELECT source_kind FROM runs")["source_kind"].tolist() == [
        "registers+survey"
    ]


def test_two_surveys_of_one_indicator_sit_side_by_side(tmp_path) -> None:
    store = tmp_path / "s.duckdb"
    import_survey(TINY, TINY_SPEC, store)
    other = tmp_path / "other.yaml"
    other.write_text(
        TINY_SPEC.read_text("utf-8").replace("name: tiny_safety", "name: other"), "utf-8"
    )
    import_survey(TINY, other, store)
    sources = read(store, "SELECT source, bool_or(preferred) p FROM observations GROUP BY 1")
    # One preferred source per indicator: the same kind, so the first by name.
    assert sorted(map(tuple, sources.values.tolist())) == [
        ("survey:other", True),
        ("survey:tiny_safety", False),
    ]


def test_demo_surveys_are_seeded_and_near_the_published_figures(tmp_path) -> None:
    a = generate_demo_surveys(tmp_path / "a", seed=7)
    b = generate_demo_surveys(tmp_path / "b", seed=7)
    assert sorted(a) == [
        "copenhagen_citizenship",
        "copenhagen_health",
        "copenhagen_safety",
        "national_citizenship",
    ]
    for name in ("copenhagen_safety", "copenhagen_health"):
        assert digest(a[name][0]) == digest(b[name][0])
    # A .sav or .dta header holds its creation time, so compare the data, not the bytes.
    for name, reader in (
        ("copenhagen_citizenship", pyreadstat.read_sav),
        ("national_citizenship", pyreadstat.read_dta),
    ):
        pd.testing.assert_frame_equal(reader(str(a[name][0]))[0], reader(str(b[name][0]))[0])
    store = tmp_path / "demo.duckdb"
    catalogue = load_catalogue()
    add_inputs(store, [survey_input(data, spec, catalogue) for data, spec in a.values()])
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
    defs = {r: json.loads(s) for r, s in read(store, "SELECT * FROM definitions").values[:, :2]}
    surveyed = {i for i, d in defs.items() if d["kind"] == "survey"}
    assert {defs[i]["theme"] for i in surveyed} == {
        "safety",
        "discrimination",
        "citizenship",
        "health",
    }
    # Every survey indicator of the specs has figures for København, and only the national
    # survey has any other area: Denmark (its total), never another municipality.
    areas = read(
        store,
        "SELECT source, list(DISTINCT area_code ORDER BY area_code) a FROM observations "
        "GROUP BY source ORDER BY source",
    ).set_index("source")["a"]
    assert {k: list(v) for k, v in areas.items()} == {
        "survey:copenhagen_citizenship": ["101"],
        "survey:copenhagen_health": ["101"],
        "survey:copenhagen_safety": ["101"],
        "survey:national_citizenship": ["000", "101"],
    }
    stored = set(read(store, "SELECT DISTINCT indicator_id FROM observations")["indicator_id"])
    assert stored == surveyed
    synthetic = read(store, "SELECT DISTINCT synthetic FROM inputs")["synthetic"].tolist()
    assert synthetic == [True]
    assert read(store, "SELECT synthetic FROM runs")["synthetic"].tolist() == [True]


def test_spec_files_ship_with_the_package(tmp_path) -> None:
    from barometer.sources.surveys.spec import load_spec, specs_dir

    names = sorted(p.stem for p in specs_dir().glob("*.yaml"))
    assert names == [
        "copenhagen_citizenship",
        "copenhagen_health",
        "copenhagen_safety",
        "national_citizenship",
    ]
    for p in specs_dir().glob("*.yaml"):
        assert load_spec(p).synthetic
    shutil.copy(TINY, tmp_path / "x.csv")
