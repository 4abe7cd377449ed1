"""Synthetic Denmark: seeded, calibrated fake register files in the real delivery layout.

``generate(out_dir, scale=…, years=…, seed=…)`` simulates a person panel year by year and
writes, per year, ``bef{Y}12``, ``akm{Y}``, ``udda{Y}09``, ``of{Y}``, ``ind{Y}``, ``eindk{Y}`` and
once the
cumulative ``udfk``, ``kraf``, ``danskuddannelse`` and ``boligomraader`` plus ``manifest.json``.
See docs/synthetic.md for the model and the calibration figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa

from . import crime, danish_courses, education, housing, labour, population, wages
from .origins import country_table, municipality_table
from .panel import Panel
from .sampling import day, rng_for
from .targets import all_targets
from .writer import (
    ADDRESS_WIDTH,
    PNR_WIDTH,
    Writer,
    dates,
    digits,
    fixed_strings,
    floats,
    ints,
    labels,
    table,
)

GENERATOR_VERSION = "synthetic-denmark/1.2"
Progress = Callable[[str, int, int], None]

# Random stream ids per purpose (see sampling.rng_for).
(
    _S_INIT,
    _S_AREAS,
    _S_KOM,
    _S_DEMO,
    _S_EDU,
    _S_EXAM,
    _S_LAB,
    _S_OF,
    _S_INC,
    _S_CRIME,
    _S_DK,
    _S_FILL,
    _S_WAGE,
) = range(13)
COURSE_LOOKBACK_YEARS = 5  # initial population: courses for arrivals in the 5 years before


def _municipality_effects(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-municipality shifts of employment and education propensity (so municipalities differ;
    the national rates stay calibrated). København: lower employment, more higher education."""
    rng = rng_for(seed, 0, _S_KOM)
    codes = list(municipality_table().codes)
    emp = rng.normal(0.0, 0.08, len(codes)).astype(np.float32)
    edu = rng.normal(0.0, 0.12, len(codes)).astype(np.float32)
    for code, d_emp, d_edu in (
        ("101", -0.15, 0.35),
        ("147", 0.0, 0.4),
        ("157", 0.25, 0.5),
        ("751", -0.05, 0.3),
        ("461", -0.15, 0.15),
        ("851", -0.05, 0.15),
    ):
        emp[codes.index(code)] = d_emp
        edu[codes.index(code)] = d_edu
    return emp, edu


def _arrivals(panel: Panel, first: int, last: int) -> np.ndarray:
    """Indices of immigrants whose first immigration is in [first, last]."""
    arr = panel["arrival"]
    return np.flatnonzero((panel["ie"] == 2) & (arr >= day(first)) & (arr < day(last + 1)))


def _write_year(writer: Writer, panel: Panel, year: int, has_akm, code, spells, inc) -> None:
    """The five yearly registers, rows in PNR order."""
    m_codes = municipality_table().codes
    pnr = fixed_strings(panel["pnr"])
    age = panel.age(year)
    addr = panel["addr"]
    writer.submit(
        "bef",
        f"bef{year}12",
        table(
            "bef",
            {
                "PNR": pnr,
                "FOED_DAG": dates(panel["birth"]),
                "ALDER": ints(age),
                "KOEN": ints(panel["sex"]),
                "KOM": labels(panel["kom"], m_codes),
                "IE_TYPE": ints(panel["ie"]),
                "OPR_LAND": labels(panel["country"], country_table().codes),
                "FOERSTE_INDVANDRING": dates(panel["arrival"]),
                "ADRESSE_ID": fixed_strings(panel["adr"], valid=addr >= 0),
            },
        ),
    )
    keep = pa.array(has_akm)
    writer.submit(
        "akm", f"akm{year}", table("akm", {"PNR": pnr.filter(keep), "SOCIO13": ints(code[has_akm])})
    )
    adult = age >= 15
    vocab, _, _ = education.hfaudd_vocabulary()
    hf = education.hfaudd_index(panel["edu"][adult], panel["pid"][adult])
    writer.submit(
        "udda",
        f"udda{year}09",
        table("udda", {"PNR": pnr.filter(pa.array(adult)), "HFAUDD": labels(hf, vocab)}),
    )
    writer.submit(
        "of",
        f"of{year}",
        table(
            "of",
            {
                "PNR": fixed_strings(spells["pnr"]),
                "PTI_TILSTAND_KODE": labels(spells["code"], labour.OF_CODE_LIST),
                "PTI_VFRA": dates(spells["vfra"]),
                "PTI_VTIL": dates(spells["vtil"]),
                "GRADAAR": floats(spells["gradaar"]),
            },
        ),
    )
    writer.submit("ind", f"ind{year}", table("ind", {"PNR": pnr, "PERINDKIALT_13": floats(inc)}))


def _write_wages(writer: Writer, rows: dict[str, np.ndarray], year: int) -> None:
    """The year's monthly wage records (wages.py), rows in PNR order."""
    writer.submit(
        "eindk",
        f"eindk{year}",
        table(
            "eindk",
            {
                "PNR": digits(rows["pid"], PNR_WIDTH),
                "CVRNR": digits(rows["employer"], 8),
                "MAANED": ints(rows["month"]),
                "LOENTIMER": floats(rows["hours"]),
                "LOENBELOEB": floats(rows["wage"]),
            },
        ),
    )


def _concat(chunks: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    if not chunks:
        return {}
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}


def _write_cumulative(writer: Writer, exams, decisions, courses, areas, last_year: int) -> None:
    ex = _concat(exams)
    order = np.lexsort((ex["discipline"], ex["year"], ex["pid"]))
    ex = {k: v[order] for k, v in ex.items()}
    years = np.unique(ex["year"])
    school_years = [f"{y - 1}/{y}" for y in range(int(years.min()), int(years.max()) + 1)]
    disc = education.EXAM_DISCIPLINES
    writer.submit(
        "udfk",
        "udfk",
        table(
            "udfk",
            {
                "PNR": digits(ex["pid"], PNR_WIDTH),
                "SKOLEAAR": labels(ex["year"].astype(np.int64) - int(years.min()), school_years),
                "GRUNDSKOLEFAG": labels(ex["discipline"], [d[0] for d in disc]),
                "FAGDISCIPLIN": labels(ex["discipline"], [d[1] for d in disc]),
                "KLTRIN": ints(np.full(len(ex["pid"]), 9)),
                "GRUNDSKOLEKARAKTER": floats(ex["mark"]),
            },
        ),
    )
    kr = _concat(decisions)
    order = np.lexsort((kr["type"], kr["ger7"], kr["date"], kr["pid"]))
    kr = {k: v[order] for k, v in kr.items()}
    writer.submit(
        "kraf",
        "kraf",
        table(
            "kraf",
            {
                "PNR": digits(kr["pid"], PNR_WIDTH),
                "AFG_AFGOEDTO": dates(kr["date"]),
                "AFG_GER7": labels(kr["ger7"], crime.OFFENCE_CODES),
                "AFG_AFGTYP3": ints(kr["type"]),
            },
        ),
    )
    du = danish_courses.censor(_concat(courses), day(last_year, 12, 31))
    order = np.lexsort((du["test_day"], du["start"], du["pid"]))
    du = {k: v[order] for k, v in du.items()}
    writer.submit(
        "danskuddannelse",
        "danskuddannelse",
        table(
            "danskuddannelse",
            {
                "PNR": digits(du["pid"], PNR_WIDTH),
                "KURSISTTYPE": labels(np.where(du["is_i"], 0, 1), ["I", "S"]),
                "STARTDATO": dates(du["start"]),
                "PROEVE": labels(du["test"], danish_courses.TESTS),
                "PROEVEDATO": dates(du["test_day"]),
                "BESTAAET": ints(du["passed"], null=du["passed"] < 0),
            },
        ),
    )
    addr = np.concatenate([areas.address_numbers(a) for a in range(len(areas.names))])
    area = np.repeat(np.arange(len(areas.names)), areas.n_addr)
    writer.submit(
        "boligomraader",
        "boligomraader",
        table(
            "boligomraader",
            {
                "ADRESSE_ID": digits(addr, ADDRESS_WIDTH),
                "area_id": labels(area, areas.ids()),
                "area_name": labels(area, areas.names),
                "KOM": labels(areas.kom[area], municipality_table().codes),
            },
        ),
    )


def generate(
    out_dir: Path,
    *,
    scale: float,
    years: Iterable[int],
    seed: int,
    progress: Progress | None = None,
) -> dict:
    """Write a synthetic Denmark for ``years`` (every year from the first to the last is
    simulated; files are written for the requested ones) and return the manifest.

    Same arguments ⇒ byte-identical files. ``scale`` 1.0 ≈ the real population (5.9 million in
    2024); ``progress(step, done, total)`` is called as the years complete.
    """
    wanted = sorted({int(y) for y in years})
    if not wanted:
        raise ValueError("no years requested")
    if not 0 < scale <= 2:
        raise ValueError("scale must be in (0, 2]")
    first, last = wanted[0], wanted[-1]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    total = last - first + 2
    report = progress or (lambda step, done, total: None)
    report("initial population", 0, total)

    counters = population.Counters()
    areas = housing.build_areas(rng_for(seed, 0, _S_AREAS), scale, first)
    kom_emp, kom_edu = _municipality_effects(seed)
    rng = rng_for(seed, first, _S_INIT)
    panel = population.initial_population(rng, counters, scale, first)
    education.initial_education(rng, panel, first)
    housing.fill_areas(rng_for(seed, first, _S_FILL), panel, areas, first)
    courses = [
        danish_courses.courses(
            rng_for(seed, first, _S_DK),
            panel,
            _arrivals(panel, first - COURSE_LOOKBACK_YEARS, first),
        )
    ]
    exams, decisions = [], []
    writer = Writer(out_dir)
    try:
        for i, year in enumerate(range(first, last + 1)):
            if year > first:
                panel = population.step(rng_for(seed, year, _S_DEMO), counters, panel, year, scale)
                new = _arrivals(panel, year, year)
                late = new[(panel["arr_age"][new] >= 13) & (panel.age(year)[new] >= 15)]
                education.foreign_education(rng_for(seed, year, _S_EDU), panel, late)
                courses.append(danish_courses.courses(rng_for(seed, year, _S_DK), panel, new))
                housing.fill_areas(rng_for(seed, year, _S_FILL), panel, areas, year)
            bad = housing.area_badness(panel, areas, year)
            education.update_education(rng_for(seed, year, _S_EDU + 100), panel, year, bad, kom_edu)
            exams.append(education.exam_rows(rng_for(seed, year, _S_EXAM), panel, year, bad))
            employed, has_akm = labour.employment(
                rng_for(seed, year, _S_LAB), panel, year, bad, kom_emp
            )
            code = labour.socio13(rng_for(seed, year, _S_LAB + 100), panel, year, employed)
            spells = labour.support_spells(rng_for(seed, year, _S_OF), panel, year, code)
            inc = labour.income(rng_for(seed, year, _S_INC), panel, year, code, bad)
            decisions.append(
                crime.decisions(rng_for(seed, year, _S_CRIME), panel, year, bad, employed)
            )
            if year in wanted:
                _write_year(writer, panel, year, has_akm, code, spells, inc)
                _write_wages(
                    writer, wages.wage_records(rng_for(seed, year, _S_WAGE), panel, year), year
                )
            report(f"year {year}", i + 1, total)
        _write_cumulative(writer, exams, decisions, courses, areas, last)
    finally:
        writer.close()
    manifest = {
        "synthetic": True,
        "generator_version": GENERATOR_VERSION,
        "scale": scale,
        "seed": seed,
        "years": wanted,
        "files": dict(sorted(writer.rows.items())),
        "events": counters.events,
        "persons_created": counters.next_pid - 1,
        "housing_areas": {
            aid: {
                "name": name,
                "kom": str(municipality_table().codes[k]),
                "trajectory": trend,
                "residents_real_first_year": round(float(size), 0),
            }
            for aid, name, k, trend, size in zip(
                areas.ids(), areas.names, areas.kom, areas.trend, areas.size_real, strict=True
            )
        },
        "calibration_targets": all_targets(wanted),
    }
    text = json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    (out_dir / "manifest.json").write_text(text, encoding="utf-8")
    report("done", total, total)
    return manifest


__all__ = ["GENERATOR_VERSION", "generate"]
