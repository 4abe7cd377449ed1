"""Synthetic Denmark generator: determinism, layout conformance, panel consistency, events."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from barometer.codes import (
    load_countries,
    load_education_main_groups,
    load_municipalities,
    load_socio13,
)
from barometer.sources.layout import REGISTERS
from barometer.sources.synthetic import GENERATOR_VERSION, generate

SCALE = 0.004
YEARS = list(range(2012, 2016))
SEED = 7
KIND_TYPES = {
    "str": {pa.string()},
    "int": {pa.int8(), pa.int16(), pa.int32(), pa.int64()},
    "float": {pa.float64()},
    "date": {pa.date32()},
}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("synth")
    calls = []
    manifest = generate(
        d,
        scale=SCALE,
        years=YEARS,
        seed=SEED,
        progress=lambda step, done, total: calls.append((step, done, total)),
    )
    assert calls and calls[-1][1] == calls[-1][2]
    assert all(0 <= done <= total for _, done, total in calls)
    assert manifest == json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    return d


def read(out: Path, stem: str) -> pa.Table:
    return pq.read_table(out / f"{stem}.parquet")


def frame(out: Path, stem: str):
    return read(out, stem).to_pandas()


def expected_stems() -> set[str]:
    stems = set()
    for reg in REGISTERS.values():
        stems |= {reg.stem(y) for y in YEARS} if reg.yearly else {reg.stem()}
    return stems


def test_writes_exactly_the_layout_files(out):
    written = {p.name for p in out.iterdir()}
    assert written == {f"{s}.parquet" for s in expected_stems()} | {"manifest.json"}


def test_manifest(out):
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["synthetic"] is True
    assert m["generator_version"] == GENERATOR_VERSION
    assert m["scale"] == SCALE and m["seed"] == SEED and m["years"] == YEARS
    assert set(m["files"]) == {f"{s}.parquet" for s in expected_stems()}
    for name, rows in m["files"].items():
        assert pq.ParquetFile(out / name).metadata.num_rows == rows
    assert m["calibration_targets"]
    text = (out / "manifest.json").read_text(encoding="utf-8")
    assert text == json.dumps(m, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("key", sorted(REGISTERS))
def test_files_conform_to_layout(out, key):
    reg = REGISTERS[key]
    stems = [reg.stem(y) for y in YEARS] if reg.yearly else [reg.stem()]
    for stem in stems:
        t = read(out, stem)
        assert t.column_names == [c.name for c in reg.columns], stem
        assert t.num_rows > 0, stem
        for c in reg.columns:
            col = t.column(c.name)
            assert col.type in KIND_TYPES[c.kind], (stem, c.name, col.type)
            if not c.nullable:
                assert col.null_count == 0, (stem, c.name)
        if reg.unique_pnr:
            pnr = t.column("PNR").to_numpy()
            assert len(np.unique(pnr)) == len(pnr), stem
        pnr = t.column("PNR").to_pylist() if "PNR" in t.column_names else []
        assert all(re.fullmatch(r"\d{10}", p) for p in pnr[:1000])
        assert pnr == sorted(pnr), f"{stem} rows are not sorted by PNR"


def test_int_types_are_consistent(out):
    types = {
        str(f.type)
        for p in out.glob("*.parquet")
        for f in pq.read_schema(p)
        if pa.types.is_integer(f.type)
    }
    assert len(types) == 1


def test_codes_are_valid(out):
    munis = set(load_municipalities())
    countries = set(load_countries())
    socio = set(load_socio13())
    hfaudd = set(load_education_main_groups())
    for y in YEARS:
        bef = frame(out, f"bef{y}12")
        assert set(bef["KOM"]) <= munis
        assert len(set(bef["KOM"])) >= 90  # (almost) every municipality is populated
        assert set(bef["OPR_LAND"]) <= countries
        assert set(bef["KOEN"]) == {1, 2}
        assert set(bef["IE_TYPE"]) == {1, 2, 3}
        akm = frame(out, f"akm{y}")
        assert set(akm["SOCIO13"]) <= socio
        udda = frame(out, f"udda{y}09")
        assert set(udda["HFAUDD"].dropna()) <= hfaudd
    assert set(frame(out, "boligomraader")["KOM"]) <= munis


def test_origin_rules(out):
    for y in YEARS:
        bef = frame(out, f"bef{y}12")
        do = bef[bef.IE_TYPE == 1]
        assert (do.OPR_LAND == "5100").all()
        assert do.FOERSTE_INDVANDRING.isna().all()
        desc = bef[bef.IE_TYPE == 3]
        assert (desc.OPR_LAND != "5100").all()
        assert desc.FOERSTE_INDVANDRING.isna().all()
        imm = bef[bef.IE_TYPE == 2]
        assert imm.FOERSTE_INDVANDRING.notna().all()
        assert (imm.FOERSTE_INDVANDRING >= imm.FOED_DAG).all()
        assert imm.FOERSTE_INDVANDRING.le(date(y, 12, 31)).all()
        assert (imm.OPR_LAND != "5100").all()
        # age at 31 December matches the birth date
        born = bef.FOED_DAG.map(lambda d: d.year)
        assert bef.ALDER.eq(y - born).all()
        assert bef.FOED_DAG.le(date(y, 12, 31)).all()


def test_panel_is_consistent_across_years(out):
    for y in YEARS[:-1]:
        a = frame(out, f"bef{y}12").set_index("PNR")
        b = frame(out, f"bef{y + 1}12").set_index("PNR")
        both = a.index.intersection(b.index)
        assert len(both) > 0.9 * len(a)
        a, b2 = a.loc[both], b.loc[both]
        assert (b2.ALDER == a.ALDER + 1).all()
        for col in ("FOED_DAG", "KOEN", "IE_TYPE", "OPR_LAND"):
            assert (b2[col] == a[col]).all(), col
        same_arrival = (b2.FOERSTE_INDVANDRING == a.FOERSTE_INDVANDRING) | (
            b2.FOERSTE_INDVANDRING.isna() & a.FOERSTE_INDVANDRING.isna()
        )
        assert same_arrival.all()
        # persons mostly keep their address; some move
        kept = (b2.ADRESSE_ID == a.ADRESSE_ID).mean()
        assert 0.75 < kept < 0.99
        assert (b2.KOM != a.KOM).any()


def test_demographic_events_happen(out):
    for y in YEARS[1:]:
        prev = frame(out, f"bef{y - 1}12")
        cur = frame(out, f"bef{y}12")
        gone = set(prev.PNR) - set(cur.PNR)
        new = cur[~cur.PNR.isin(prev.PNR)]
        assert len(gone) > 0.005 * len(prev)  # deaths and emigration
        babies = new[new.IE_TYPE != 2]  # born in Denmark during the year
        arrivals = new[new.IE_TYPE == 2]
        assert len(babies) > 0.005 * len(prev)
        assert len(arrivals) > 0.002 * len(prev)
        assert (babies.FOED_DAG.map(lambda d: d.year) == y).all()
        assert (arrivals.FOERSTE_INDVANDRING.map(lambda d: d.year) == y).all()
        assert (babies.IE_TYPE == 3).any()  # descendants are born in Denmark
        assert (len(babies) + len(arrivals)) == len(new)
        # new persons get new PNRs, never reused
        assert not set(new.PNR) & set(prev.PNR)
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for y in YEARS[1:]:
        ev = m["events"][str(y)]
        assert min(ev["births"], ev["deaths"], ev["immigrations"], ev["emigrations"]) > 0


def test_population_size_follows_scale(out):
    bef = frame(out, f"bef{YEARS[0]}12")
    real_2012 = 5_580_000  # Statistics Denmark, 1 January 2013 (about)
    assert abs(len(bef) / SCALE - real_2012) / real_2012 < 0.03
    cph = (bef.KOM == "101").mean()
    assert 0.09 < cph < 0.13  # København ≈ 11 % of Denmark
    ie = (bef.IE_TYPE != 1).mean()
    assert 0.08 < ie < 0.14


def test_akm_leaves_some_persons_out(out):
    for y in YEARS:
        bef = set(frame(out, f"bef{y}12").PNR)
        akm = set(frame(out, f"akm{y}").PNR)
        assert akm <= bef
        missing = 1 - len(akm) / len(bef)
        assert 0.005 < missing < 0.03


def test_employment_calibration(out):
    """IE-NV 51 % and Danish origin 77 % employed at 25-64 in 2012 (DOMAIN.md §1.4)."""
    western = {c for c, v in load_countries().items() if v.is_western}
    bef = frame(out, "bef201212")
    akm = frame(out, "akm2012").set_index("PNR").SOCIO13
    bef = bef[(bef.ALDER >= 25) & (bef.ALDER <= 64)]
    employed = bef.PNR.map(akm).between(110, 139)
    ienv = (bef.IE_TYPE != 1) & ~bef.OPR_LAND.isin(western)
    assert abs(employed[ienv].mean() - 0.51) < 0.01
    assert abs(employed[bef.IE_TYPE == 1].mean() - 0.77) < 0.01


def test_public_support_spells(out):
    for y in YEARS:
        of = frame(out, f"of{y}")
        assert of.PTI_VFRA.ge(date(y, 1, 1)).all() and of.PTI_VTIL.le(date(y, 12, 31)).all()
        assert (of.PTI_VFRA <= of.PTI_VTIL).all()
        assert of.PTI_TILSTAND_KODE.str.fullmatch(r"\d{4}").all()
        days = (date(y + 1, 1, 1) - date(y, 1, 1)).days
        length = (of.PTI_VTIL - of.PTI_VFRA).map(lambda d: d.days) + 1
        assert np.allclose(of.GRADAAR, length / days, atol=1e-5)
        assert (of.groupby("PNR").GRADAAR.sum() <= 1 + 1e-9).all()


def test_exam_marks(out):
    u = frame(out, "udfk")
    assert set(u.KLTRIN) == {9}
    assert set(u.GRUNDSKOLEKARAKTER.dropna()) <= {-3, 0, 2, 4, 7, 10, 12}
    assert u.GRUNDSKOLEKARAKTER.isna().any()
    pairs = set(zip(u.GRUNDSKOLEFAG, u.FAGDISCIPLIN, strict=True))
    assert ("Dansk", "Skriftlig fremstilling") in pairs
    assert ("Matematik", "Matematisk problemløsning") in pairs
    assert len(pairs) == 6
    assert set(u.SKOLEAAR) == {f"{y - 1}/{y}" for y in YEARS}
    bef = frame(out, f"bef{YEARS[0]}12")
    cohort = bef[bef.FOED_DAG.map(lambda d: d.year) == YEARS[0] - 16]
    sat = u[u.SKOLEAAR.eq(f"{YEARS[0] - 1}/{YEARS[0]}")].PNR.unique()
    share = len(set(sat) & set(cohort.PNR)) / len(cohort)
    assert 0.9 < share < 0.99  # a few exempt


def test_criminal_decisions(out):
    k = frame(out, "kraf")
    assert k.AFG_GER7.str.fullmatch(r"[123]\d{6}").all()
    assert (k.AFG_GER7.str[0] == "1").mean() > 0.5
    assert {d.year for d in k.AFG_AFGOEDTO} == set(YEARS)
    assert (k.AFG_AFGTYP3 == 61).any()
    assert (k.groupby([k.PNR, k.AFG_AFGOEDTO.map(lambda d: d.year)]).size() >= 2).any()


def test_danish_courses(out):
    d = frame(out, "danskuddannelse")
    assert set(d.KURSISTTYPE) == {"I", "S"}
    null = d.PROEVE.isna()
    assert (null == d.PROEVEDATO.isna()).all() and (null == d.BESTAAET.isna()).all()
    assert set(d.PROEVE.dropna()) <= {"PD1", "PD2", "PD3"}
    assert set(d.BESTAAET.dropna()) <= {0, 1}
    tested = d[~null]
    assert (tested.PROEVEDATO >= tested.STARTDATO).all()
    assert tested.PROEVEDATO.le(date(YEARS[-1], 12, 31)).all()


def test_housing_areas(out):
    areas = frame(out, "boligomraader")
    assert areas.ADRESSE_ID.is_unique
    assert 60 <= areas.area_id.nunique() <= 80
    assert (areas.groupby("area_id").area_name.nunique() == 1).all()
    bef = frame(out, f"bef{YEARS[-1]}12")
    in_area = bef.ADRESSE_ID.isin(areas.ADRESSE_ID)
    assert 0.005 < in_area.mean() < 0.1
    western = {c for c, v in load_countries().items() if v.is_western}
    ienv = (bef.IE_TYPE != 1) & ~bef.OPR_LAND.isin(western)
    assert ienv[in_area].mean() > 2 * ienv[~in_area].mean()


def test_deterministic(out, tmp_path):
    again = tmp_path / "again"
    generate(again, scale=SCALE, years=YEARS, seed=SEED)
    for p in sorted(out.iterdir()):
        assert p.read_bytes() == (again / p.name).read_bytes(), p.name


def test_seed_changes_output(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    generate(a, scale=0.002, years=[2012], seed=1)
    generate(b, scale=0.002, years=[2012], seed=2)
    assert (a / "bef201212.parquet").read_bytes() != (b / "bef201212.parquet").read_bytes()
