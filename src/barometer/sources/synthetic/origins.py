"""Countries of origin and municipalities: who lives where, and where immigrants come from.

Country weights are rough shares of the Danish immigrant stock around 2012 (thousands of
immigrants and descendants); yearly flow multipliers add the big waves (Syria 2014-16,
Eritrea 2014-15, Ukraine 2022). Western/non-western follows countries.csv (DOMAIN.md §4.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from barometer.codes import (
    load_countries,
    load_municipalities,
    load_non_danish_share,
    load_population_2024,
)

DENMARK = "5100"

NON_WESTERN_STOCK = {
    "5172": 60,
    "5436": 30,
    "5456": 25,
    "5472": 22,
    "5754": 22,
    "5438": 20,
    "5289": 18,
    "5404": 17,
    "5152": 15,
    "5488": 15,
    "5448": 12,
    "5418": 11,
    "5492": 11,
    "5474": 10,
    "5432": 10,
    "5244": 10,
    "5103": 8,
    "5700": 8,
    "5704": 8,
    "5486": 5,
    "5756": 5,
    "5157": 4,
    "5761": 3,
    "5757": 3,
    "5272": 3,
    "5306": 3,
    "5464": 2,
    "5216": 2,
    "5214": 2,
    "5228": 2,
    "5246": 2,
    "5234": 2,
    "5410": 2,
    "5434": 2,
    "5444": 2,
    "5484": 2,
    "5354": 2,
    "5318": 2,
    "5316": 2,
    "5122": 1,
}
WESTERN_STOCK = {
    "5154": 30,
    "5180": 30,
    "5120": 20,
    "5110": 17,
    "5170": 15,
    "5158": 12,
    "5106": 10,
    "5611": 9,
    "5390": 8,
    "5140": 7,
    "5150": 7,
    "5130": 6,
    "5164": 6,
    "5128": 5,
    "5609": 4,
    "5104": 4,
    "5174": 3,
    "5156": 3,
    "5134": 2,
    "5776": 2,
    "5182": 2,
    "5314": 2,
    "5502": 2,
    "5142": 1,
}
# Multipliers of a country's weight in the inflow of a given year.
FLOW_WAVES = {
    "5486": {2012: 3, 2013: 8, 2014: 35, 2015: 45, 2016: 25, 2017: 10, 2018: 4},
    "5216": {2013: 3, 2014: 12, 2015: 10, 2016: 5, 2017: 2},
    "5704": {2021: 1, 2022: 60, 2023: 15, 2024: 8},
    "5404": {2015: 2.5, 2016: 2, 2021: 1.5},
    "5158": {2012: 1.2, 2016: 1.8, 2020: 2.0},
}
# Countries whose adult arrivals are mostly refugees/family-reunified (I-kursister).
REFUGEE_COUNTRIES = {"5486", "5216", "5404", "5289", "5436", "5438", "5103", "5157", "5456", "5214"}

# Immigrant inflow (foreign-born arrivals, real persons) per year; real DK ~55-80k a year.
IMMIGRATION_PER_YEAR = {
    2008: 55000,
    2012: 52000,
    2013: 57000,
    2014: 64000,
    2015: 74000,
    2016: 66000,
    2017: 58000,
    2018: 56000,
    2019: 55000,
    2020: 45000,
    2021: 55000,
    2022: 88000,
    2023: 62000,
    2024: 60000,
}
WESTERN_SHARE_OF_FLOW = 0.5


@dataclass(frozen=True)
class CountryTable:
    codes: np.ndarray  # object array of 4-digit codes; index 0 = Denmark
    western: np.ndarray  # bool per index
    refugee: np.ndarray  # bool per index
    nv_idx: np.ndarray  # indices of non-western codes (weights below align)
    nv_w: np.ndarray
    w_idx: np.ndarray
    w_w: np.ndarray


@cache
def country_table() -> CountryTable:
    """Index the countries we draw from; flags come from countries.csv."""
    known = load_countries()
    codes = [DENMARK, *NON_WESTERN_STOCK, *WESTERN_STOCK]
    for c in codes:
        if c not in known:
            raise KeyError(f"country {c} missing from countries.csv")
    western = np.array([known[c].is_western for c in codes])
    for c in NON_WESTERN_STOCK:
        assert not known[c].is_western, c
    for c in WESTERN_STOCK:
        assert known[c].is_western, c
    n_nv = len(NON_WESTERN_STOCK)
    return CountryTable(
        codes=np.array(codes, dtype=object),
        western=western,
        refugee=np.array([c in REFUGEE_COUNTRIES for c in codes]),
        nv_idx=np.arange(1, 1 + n_nv),
        nv_w=np.array(list(NON_WESTERN_STOCK.values()), dtype=float),
        w_idx=np.arange(1 + n_nv, len(codes)),
        w_w=np.array(list(WESTERN_STOCK.values()), dtype=float),
    )


def flow_weights(year: int, western: bool) -> tuple[np.ndarray, np.ndarray]:
    """(country indices, weights) of the inflow in ``year``."""
    t = country_table()
    idx, w = (t.w_idx, t.w_w.copy()) if western else (t.nv_idx, t.nv_w.copy())
    for code, waves in FLOW_WAVES.items():
        pos = np.flatnonzero(t.codes[idx] == code)
        if len(pos):
            ys = sorted(waves)
            w[pos] *= float(np.interp(year, ys, [waves[y] for y in ys]))
    return idx, w


@dataclass(frozen=True)
class MunicipalityTable:
    codes: np.ndarray  # object array of 3-digit codes, sorted
    region: np.ndarray  # region code per municipality (object)
    pop2024: np.ndarray  # real population 1 Jan 2024


@cache
def municipality_table() -> MunicipalityTable:
    munis = load_municipalities()
    pop = load_population_2024()
    codes = sorted(munis)
    return MunicipalityTable(
        codes=np.array(codes, dtype=object),
        region=np.array([munis[c].region_code for c in codes], dtype=object),
        pop2024=np.array([pop[c] for c in codes], dtype=float),
    )


def non_danish_share(year: int) -> np.ndarray:
    """Share (0-1) not of Danish origin per municipality, interpolated between the
    FOLK1E-derived anchor years (2008, 2011, 2015, 2019, 2022, 2026)."""
    table = load_non_danish_share()
    m = municipality_table()
    out = np.empty(len(m.codes))
    for i, code in enumerate(m.codes):
        ys = sorted(y for (c, y) in table if c == code)
        out[i] = np.interp(year, ys, [table[(code, y)] for y in ys]) / 100.0
    return out


def interp_path(path: dict[int, float], year: int) -> float:
    ys = sorted(path)
    return float(np.interp(year, ys, [path[y] for y in ys]))
