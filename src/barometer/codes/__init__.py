"""Reference classifications vendored from ../shared/reference (sources in data/SOURCES.md).

Codes are kept as text everywhere: municipality ``101``, region ``084``, Denmark ``000``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

DENMARK = "000"

# Origin groups (DOMAIN.md §4.1-4.2). The five detailed groups partition the population;
# the roll-ups are unions of them (menapt is the part of non_western from the 24 MENAPT countries).
DETAILED_ORIGIN_GROUPS = (
    "danish_origin",
    "immigrants_western",
    "immigrants_non_western",
    "descendants_western",
    "descendants_non_western",
)
ROLLUP_ORIGIN_GROUPS = ("immigrants", "descendants", "western", "non_western", "menapt", "all")
ORIGIN_GROUPS = DETAILED_ORIGIN_GROUPS + ROLLUP_ORIGIN_GROUPS
SEXES = ("all", "male", "female")


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    region_code: str  # three digits, "081".."085"
    region_name: str


@dataclass(frozen=True)
class Country:
    code: str
    name_da: str
    name_en: str
    is_western: bool
    is_menapt: bool
    kind: str


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("barometer.codes").joinpath("data", name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@cache
def load_municipalities() -> dict[str, Municipality]:
    """The 98 municipalities (2007-) keyed by 3-digit code."""
    return {
        r["code"].zfill(3): Municipality(
            r["code"].zfill(3), r["name"], r["region_code"].zfill(3), r["region_name"]
        )
        for r in _read_csv("municipalities.csv")
    }


@cache
def load_regions() -> dict[str, str]:
    """Region code ("081".."085") → name."""
    return {m.region_code: m.region_name for m in load_municipalities().values()}


@cache
def load_countries() -> dict[str, Country]:
    """DST 4-digit country codes with western and MENAPT flags (DOMAIN.md §4.2)."""
    return {
        r["code"]: Country(
            r["code"],
            r["name_da"],
            r["name_en"],
            r["is_western"] == "true",
            r["is_menapt"] == "true",
            r["kind"],
        )
        for r in _read_csv("countries.csv")
    }


@cache
def load_education_main_groups() -> dict[str, str]:
    """HFAUDD code → main group code ("10", "20", …, "90"), DST format AUDD_HOVED_E_L1L5_K."""
    return {
        r["hfaudd"]: r["main_group_code"].zfill(2) for r in _read_csv("education_main_groups.csv")
    }


@cache
def load_main_group_names() -> dict[str, tuple[str, str]]:
    """Education main group code → (Danish name, English name)."""
    return {r["code"].zfill(2): (r["name_da"], r["name_en"]) for r in _read_csv("main_groups.csv")}


@cache
def load_socio13() -> dict[int, bool]:
    """Level-3 SOCIO13 codes (and 0) → employed flag (employed = 110-139)."""
    return {
        int(r["code"]): r["employed"] == "true"
        for r in _read_csv("socio13.csv")
        if r["level"] in ("3", "")
    }


@cache
def load_population_2024() -> dict[str, int]:
    """Real population per municipality on 1 January 2024 (StatBank FOLK1AM), for calibration."""
    return {
        r["code"].zfill(3): int(r["population_2024_01_01"])
        for r in _read_csv("population_by_municipality.csv")
    }


@cache
def load_non_danish_share() -> dict[tuple[str, int], float]:
    """(municipality, year of first quarter) → % not of Danish origin (FOLK1E derived)."""
    return {
        (r["code"].zfill(3), int(r["period"][:4])): float(r["not_danish_origin_pct"])
        for r in _read_csv("non_danish_origin_share_by_municipality.csv")
    }


def load_published_values() -> list[dict[str, str]]:
    """Official published figures (DOMAIN.md §§1.4, 1.8, 2.3, 3.6) with their sources."""
    return _read_csv("published_values.csv")


def area_codes() -> list[str]:
    """Every area code: Denmark, the 5 regions and the 98 municipalities."""
    return [DENMARK, *sorted(load_regions()), *sorted(load_municipalities())]


def area_level(code: str) -> str:
    """'country', 'region' or 'municipality' for an area code."""
    if code == DENMARK:
        return "country"
    return "region" if code in load_regions() else "municipality"
