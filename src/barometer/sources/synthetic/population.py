"""Demography: the initial population and the yearly births, deaths, migration and moves."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .origins import (
    IMMIGRATION_PER_YEAR,
    WESTERN_SHARE_OF_FLOW,
    country_table,
    flow_weights,
    interp_path,
    municipality_table,
    non_danish_share,
)
from .panel import FIELDS, Panel, address_bytes
from .sampling import NO_DATE, day, random_days_in_year, year_of
from .targets import DO, NV, W
from .writer import PNR_WIDTH, digit_bytes

# Denmark's age pyramid around 2012, persons (thousands) per 5-year band 0-4 … 95-99.
AGE_PYRAMID = np.array(
    [
        320,
        330,
        340,
        350,
        340,
        320,
        330,
        380,
        410,
        400,
        370,
        350,
        370,
        330,
        230,
        160,
        110,
        70,
        30,
        8,
    ],
    dtype=float,
)
# Immigrant age at arrival: (low, high, weight); 0-12 arrivals count as "raised in Denmark".
ARRIVAL_AGE_BANDS = (
    (0, 12, 16),
    (13, 17, 6),
    (18, 24, 28),
    (25, 34, 32),
    (35, 49, 14),
    (50, 70, 4),
)
NV_SHARE_OF_NON_DANISH = 0.64  # ~2/3 of immigrants+descendants are non-western
DESCENDANT_SHARE = {NV: 0.30, W: 0.12}  # descendants in each group's stock
POPULATION_GROWTH = 0.0049  # per year; 2012 ≈ 94 % of 2024
NO_ADDRESS_SHARE = 0.002  # persons without a registered address (ADRESSE_ID null)


@dataclass
class Counters:
    """Ids handed out so far, and events per year for the manifest."""

    next_pid: int = 1
    next_addr: int = 1
    events: dict[str, dict[str, int]] = field(default_factory=dict)

    def take_pids(self, n: int) -> np.ndarray:
        out = np.arange(self.next_pid, self.next_pid + n, dtype=np.int64)
        self.next_pid += n
        return out

    def take_addrs(self, n: int) -> np.ndarray:
        out = np.arange(self.next_addr, self.next_addr + n, dtype=np.int64)
        self.next_addr += n
        return out


def draw_traits(rng: np.random.Generator, grp: np.ndarray, refugee: np.ndarray) -> dict:
    """Persistent person traits; correlated so that the panel hangs together."""
    n = len(grp)
    z = rng.standard_normal((6, n), dtype=np.float32)
    ability = z[0]
    emp = 0.3 * ability + 0.95 * z[2] - 0.45 * refugee + 0.1 * (grp == W)
    return {
        "ability": ability,
        "edu_z": 0.7 * ability + 0.71 * z[1],
        "emp_trait": emp,
        "emp_ar": z[3],
        "crime_trait": -0.3 * ability - 0.2 * emp + 0.93 * z[4],
        "inc_trait": 0.5 * emp + 0.87 * z[5],
    }


def _finish(rng, counters: Counters, cols: dict) -> Panel:
    """Fill traits and default fields and return a Panel (rows keep the given order)."""
    n = len(cols["birth"])
    cols["byear"] = year_of(cols["birth"])
    cols.setdefault("area", np.full(n, -1, np.int16))
    cols.setdefault("edu", np.zeros(n, np.int8))
    cols.setdefault("socio", np.zeros(n, np.int16))
    cols.update(draw_traits(rng, cols["grp"], cols["refugee"]))
    if "addr" not in cols:
        cols["addr"] = counters.take_addrs(n)
        cols["addr"][rng.random(n) < NO_ADDRESS_SHARE] = -1
    cols["pid"] = counters.take_pids(n)
    cols["adr"] = address_bytes(cols["addr"])
    cols["pnr"] = digit_bytes(cols["pid"], PNR_WIDTH).view("S10").ravel()
    return Panel(cols)


def _birth_in_year(rng, years: np.ndarray) -> np.ndarray:
    """A uniform birth date inside each given year (vectorised over mixed years)."""
    start = (years.astype(np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    start = start.astype(np.int64)
    leap = ((years % 4 == 0) & (years % 100 != 0)) | (years % 400 == 0)
    return (start + (rng.random(len(years)) * (365 + leap)).astype(np.int64)).astype(np.int32)


def _draw_arrival_ages(rng, n: int) -> np.ndarray:
    lo = np.array([b[0] for b in ARRIVAL_AGE_BANDS])
    hi = np.array([b[1] for b in ARRIVAL_AGE_BANDS])
    w = np.array([b[2] for b in ARRIVAL_AGE_BANDS], dtype=float)
    band = rng.choice(len(w), size=n, p=w / w.sum())
    return lo[band] + rng.random(n) * (hi[band] - lo[band] + 1)


def _immigrants(rng, year: int, arr_days: np.ndarray, grp: np.ndarray, stock: bool = False) -> dict:
    """Immigrant rows given arrival dates: country (the flow mix of ``year``, or the stock mix),
    age at arrival, birth date, refugee status."""
    n = len(arr_days)
    t = country_table()
    country = np.zeros(n, np.int16)
    for g, western in ((NV, False), (W, True)):
        m = grp == g
        if stock:
            idx, w = (t.w_idx, t.w_w) if western else (t.nv_idx, t.nv_w)
        else:
            idx, w = flow_weights(year, western)
        country[m] = rng.choice(idx, size=int(m.sum()), p=w / w.sum())
    arr_age_cont = _draw_arrival_ages(rng, n)
    birth = (arr_days - (arr_age_cont * 365.25).astype(np.int64)).astype(np.int32)
    arr_age = np.floor((arr_days - birth) / 365.25).astype(np.int8)
    adult = arr_age >= 18
    refugee = t.refugee[country] & adult & (rng.random(n) < 0.9)
    refugee |= (grp == NV) & adult & ~t.refugee[country] & (rng.random(n) < 0.35)
    return {
        "birth": birth,
        "sex": rng.integers(1, 3, n).astype(np.int8),
        "ie": np.full(n, 2, np.int8),
        "grp": grp.astype(np.int8),
        "country": country,
        "arrival": arr_days.astype(np.int32),
        "arr_age": arr_age,
        "refugee": refugee,
    }


def initial_population(rng, counters: Counters, scale: float, year: int) -> Panel:
    """Everyone resident on 31 December of the first year, municipality by municipality.

    Sizes ∝ real 2024 population (FOLK1AM) × scale, shrunk by the growth since ``year``; the
    non-Danish share per municipality comes from load_non_danish_share() (FOLK1E).
    """
    m = municipality_table()
    n_k = np.round(m.pop2024 * scale * (1 - POPULATION_GROWTH * (2024 - year))).astype(int)
    share = non_danish_share(year)
    nat = float((share * m.pop2024).sum() / m.pop2024.sum())
    nv_frac = np.clip(NV_SHARE_OF_NON_DANISH + 0.6 * (share - nat), 0.45, 0.8)
    n_ie = np.round(n_k * share).astype(int)
    n_nv = np.round(n_ie * nv_frac).astype(int)
    counts = {
        (NV, 3): np.round(n_nv * DESCENDANT_SHARE[NV]).astype(int),
        (W, 3): np.round((n_ie - n_nv) * DESCENDANT_SHARE[W]).astype(int),
    }
    counts[(NV, 2)] = n_nv - counts[(NV, 3)]
    counts[(W, 2)] = n_ie - n_nv - counts[(W, 3)]
    counts[(DO, 1)] = n_k - n_ie
    parts = []
    t = country_table()
    end = day(year, 12, 31)
    for (g, ie), cnt in counts.items():
        total = int(cnt.sum())
        kom = np.repeat(np.arange(len(m.codes), dtype=np.int16), cnt)
        if ie == 2:
            mean_yrs = 11.0 if g == NV else 7.0
            yrs = np.minimum(rng.exponential(mean_yrs, total), 50.0)
            arr_days = (end - (yrs * 365.25).astype(np.int64)).astype(np.int32)
            # the stock's origin mix: use stock weights (flows of year-yrs would also do)
            cols = _immigrants(rng, year, arr_days, np.full(total, g), stock=True)
            too_old = (end - cols["birth"]) > 99 * 365.25
            k = int(too_old.sum())
            cols["birth"][too_old] = end - ((90 + rng.random(k) * 5) * 365.25).astype(np.int64)
            cols["arrival"][too_old] = cols["birth"][too_old] + (25 * 365.25 + rng.random(k) * 9000)
            cols["arr_age"] = np.floor((cols["arrival"] - cols["birth"]) / 365.25).astype(np.int8)
        else:
            if ie == 1:
                w = np.repeat(AGE_PYRAMID / 5, 5)
            else:
                w = np.exp(-np.arange(100) / (12.0 if g == NV else 20.0))
                w[51 if g == NV else 61 :] = 0
            age = rng.choice(100, size=total, p=w / w.sum())
            cols = {
                "birth": _birth_in_year(rng, (year - age).astype(np.int64)),
                "sex": rng.integers(1, 3, total).astype(np.int8),
                "ie": np.full(total, ie, np.int8),
                "grp": np.full(total, g, np.int8),
                "arrival": np.full(total, NO_DATE, np.int32),
                "arr_age": np.full(total, -1, np.int8),
                "refugee": np.zeros(total, bool),
            }
            if ie == 1:
                cols["country"] = np.zeros(total, np.int16)
            else:
                idx = t.nv_idx if g == NV else t.w_idx
                w = t.nv_w if g == NV else t.w_w
                cols["country"] = rng.choice(idx, size=total, p=w / w.sum()).astype(np.int16)
        cols["kom"] = kom
        parts.append(cols)
    merged = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    # shuffle so that PNR order says nothing about municipality or origin
    perm = rng.permutation(len(merged["birth"]))
    merged = {k: v[perm] for k, v in merged.items()}
    # ordinary addresses: ~2.2 persons per address within a municipality
    n = len(perm)
    order = np.argsort(merged["kom"], kind="stable")  # rows are already in random order
    pos = np.empty(n, np.int64)
    pos[order] = np.arange(n)
    kom_start = np.concatenate([[0], np.cumsum(np.bincount(merged["kom"], minlength=len(m.codes)))])
    within = pos - kom_start[merged["kom"]]
    addr_local = within * 10 // 22 + kom_start[merged["kom"]]
    merged["addr"] = counters.take_addrs(int(addr_local.max()) + 1)[addr_local]
    merged["addr"][rng.random(n) < NO_ADDRESS_SHARE] = -1
    return _finish(rng, counters, merged)


def mortality(age: np.ndarray) -> np.ndarray:
    """Yearly death probability (Gompertz, roughly Danish life tables; infants 0.3 %)."""
    q = np.exp(-10.4 + 0.093 * age.astype(np.float64))
    q[age == 0] = 0.003
    return np.minimum(q, 0.6)


def fertility(age: np.ndarray) -> np.ndarray:
    """Births per woman-year by age 18-45 (TFR ≈ 1.7)."""
    f = 0.175 * np.exp(-(((age - 30.5) / 5.2) ** 2))
    return np.where((age >= 18) & (age <= 45), f, 0.0)


def emigration(panel: Panel, year: int) -> np.ndarray:
    """Yearly emigration probability: high for recent (western) immigrants, low otherwise."""
    ie = panel["ie"]
    p = np.array([0.0, 0.001, 0.0, 0.006], np.float32)[ie]
    imm = np.flatnonzero(ie == 2)
    yrs = (day(year, 7, 1) - panel["arrival"][imm]) / np.float32(365.25)
    western = panel["grp"][imm] == W
    p[imm] = np.where(western, 0.30 * np.exp(-yrs / 2.5) + 0.05, 0.12 * np.exp(-yrs / 3) + 0.02)
    return p


def step(rng, counters: Counters, panel: Panel, year: int, scale: float) -> Panel:
    """Simulate ``year``: deaths, emigration, births, immigration and moves.

    The input is the panel at 31 Dec ``year - 1``; the output is the panel at 31 Dec ``year``.
    """
    age = panel.age(year)
    died = rng.random(len(panel)) < mortality(age)
    emigrated = ~died & (rng.random(len(panel)) < emigration(panel, year))
    # births to women alive at the start of the year (mothers 18-45)
    mothers = np.flatnonzero(
        (panel["sex"] == 2)
        & (rng.random(len(panel)) < fertility(age - 1) * np.where(panel["grp"] == NV, 1.15, 1.0))
    )
    babies = _births(rng, counters, panel, mothers, year)
    immigrants = _immigration(rng, counters, panel, year, scale)
    counters.events[str(year)] = {
        "deaths": int(died.sum()),
        "emigrations": int(emigrated.sum()),
        "births": len(babies),
        "immigrations": len(immigrants),
    }
    survivors = panel.subset(~(died | emigrated))
    _move(rng, counters, survivors, year)
    return survivors.append(babies, immigrants)


def _births(rng, counters: Counters, panel: Panel, mothers: np.ndarray, year: int) -> Panel:
    """Newborns: descendants (IE_TYPE 3, mother's OPR_LAND) if the mother is an immigrant or
    descendant and the child is not of Danish origin via the father (DOMAIN.md §4.1)."""
    n = len(mothers)
    m_ie = panel["ie"][mothers]
    p_desc = np.select([m_ie == 2, m_ie == 3], [0.85, 0.6], 0.0)
    p_desc = np.where(panel["grp"][mothers] == W, p_desc * 0.7, p_desc)
    desc = rng.random(n) < p_desc
    cols = {
        "birth": random_days_in_year(rng, year, n),
        "sex": rng.integers(1, 3, n).astype(np.int8),
        "kom": panel["kom"][mothers],
        "ie": np.where(desc, 3, 1).astype(np.int8),
        "grp": np.where(desc, panel["grp"][mothers], DO).astype(np.int8),
        "country": np.where(desc, panel["country"][mothers], 0).astype(np.int16),
        "arrival": np.full(n, NO_DATE, np.int32),
        "arr_age": np.full(n, -1, np.int8),
        "refugee": np.zeros(n, bool),
        "addr": panel["addr"][mothers],
        "area": panel["area"][mothers],
    }
    babies = _finish(rng, counters, cols)
    # children resemble their mothers (intergenerational persistence)
    for trait in ("ability", "edu_z"):
        babies[trait] = 0.5 * panel[trait][mothers] + 0.87 * babies[trait]
    return babies


def _immigration(rng, counters: Counters, panel: Panel, year: int, scale: float) -> Panel:
    """Arrivals during ``year``; they settle where earlier immigrants live."""
    n = round(interp_path(IMMIGRATION_PER_YEAR, year) * scale)
    grp = np.where(rng.random(n) < WESTERN_SHARE_OF_FLOW, W, NV)
    cols = _immigrants(rng, year, random_days_in_year(rng, year, n), grp)
    n_kom = len(municipality_table().codes)
    foreign = np.bincount(panel["kom"][panel["ie"] != 1], minlength=n_kom).astype(float)
    everyone = np.bincount(panel["kom"], minlength=n_kom).astype(float)
    w = 0.6 * foreign / max(foreign.sum(), 1) + 0.4 * everyone / max(everyone.sum(), 1)
    cols["kom"] = rng.choice(n_kom, size=n, p=w / w.sum()).astype(np.int16)
    return _finish(rng, counters, cols)


def _move(rng, counters: Counters, panel: Panel, year: int) -> None:
    """Moves between municipalities (young adults most) and to a new address in the same one;
    housing-area residents who move leave the area (in-movers are chosen in housing.py)."""
    age = panel.age(year)
    n = len(panel)
    p_far = 0.015 + 0.07 * ((age >= 18) & (age <= 30))
    p_near = np.where(panel["area"] >= 0, 0.07, 0.06)
    u = rng.random(n)
    far = u < p_far
    near = ~far & (u < p_far + p_near)
    m = municipality_table()
    young = far & (age >= 18) & (age <= 30)
    for mask, w in ((young, m.pop2024**1.15), (far & ~young, m.pop2024)):
        panel["kom"][mask] = rng.choice(len(w), size=int(mask.sum()), p=w / w.sum())
    moved = far | near
    k = int(moved.sum())
    new_addr = counters.take_addrs(k)
    new_addr[rng.random(k) < NO_ADDRESS_SHARE] = -1
    panel.set_address(moved, new_addr)
    panel["area"][moved] = -1


__all__ = ["FIELDS", "Counters", "initial_population", "step"]
