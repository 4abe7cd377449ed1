"""Social-housing areas (almenboligloven § 61 a, stk. 3; DOMAIN.md §3): addresses, residents
and a per-area trajectory.

Names are public estate names (DOMAIN.md §3.6) or invented Danish-sounding ones; every figure
is synthetic. Residents are *selected* into areas (non-western origin, low education, weak
labour-market attachment, higher crime propensity) and each area carries a ``badness`` that
lowers employment and income and raises convictions of its residents, so that under the legal
criteria (§3.1, § 61 a/b) some areas are listed, and improving/worsening trajectories move
areas on and off the lists over the years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .origins import interp_path, municipality_table
from .panel import Panel
from .sampling import weighted_sample
from .targets import NV

# (name, municipality). København has 9, then the big cities and the Copenhagen suburbs.
AREA_SPECS: tuple[tuple[str, str], ...] = (
    ("Mjølnerparken", "101"),
    ("Tingbjerg/Utterslevhuse", "101"),
    ("Gadelandet/Husumgård", "101"),
    ("Bispeparken", "101"),
    ("Hørgården", "101"),
    ("Lundtoftegade", "101"),
    ("Aldersrogade", "101"),
    ("Sjælør Boulevard", "101"),
    ("Degnegården", "101"),
    ("Gellerupparken/Toveshøj", "751"),
    ("Bispehaven", "751"),
    ("Herredsvang", "751"),
    ("Skovgårdsparken", "751"),
    ("Trigeparken", "751"),
    ("Frydenlund Nord", "751"),
    ("Vollsmose", "461"),
    ("Korsløkkeparken", "461"),
    ("Ejerslykke", "461"),
    ("Rosengårdsparken", "461"),
    ("Kildeparken", "851"),
    ("Løvvangen", "851"),
    ("Lindholm", "851"),
    ("Fremtidsparken", "851"),
    ("Stengårdsvej", "561"),
    ("Kvaglund", "561"),
    ("Skovparken/Skovvejen", "621"),
    ("Finlandsparken", "630"),
    ("Nørremarksparken", "630"),
    ("Sundparken", "615"),
    ("Vestervangen", "730"),
    ("Kristrup Engparken", "730"),
    ("Agervang", "316"),
    ("Ladegårdsparken", "316"),
    ("Resedavej/Nørrevang II", "316"),
    ("Ringparken", "330"),
    ("Motalavej", "330"),
    ("Kalbyris Vænge", "370"),
    ("Karlemoseparken", "259"),
    ("Askerød", "253"),
    ("Vejleåparken", "183"),
    ("Strandgårdsparken", "183"),
    ("Hyldespjældet", "165"),
    ("Galgebakken", "165"),
    ("Brøndby Strand Parkerne", "153"),
    ("Brøndby Nord", "153"),
    ("Gadehavegård", "169"),
    ("Charlottekvarteret", "169"),
    ("Taastrupgård", "169"),
    ("Avedøre Stationsby", "167"),
    ("Friheden", "167"),
    ("Værebro Park", "159"),
    ("Gyngemosen", "159"),
    ("Kildegården", "163"),
    ("Farum Midtpunkt", "190"),
    ("Nøjsomhed", "217"),
    ("Vapnagaard", "217"),
    ("Skyllebakken", "250"),
    ("Trollesmindeparken", "219"),
    ("Bybækterrasserne", "175"),
    ("Fortunbyen", "173"),
    ("Grantoftegård", "151"),
    ("Korskærparken", "607"),
    ("Skansevejskvarteret", "607"),
    ("Byparken/Skovparken", "479"),
    ("Nørager/Søstjernevej", "540"),
    ("Holtbjerg", "657"),
    ("Fredhøj", "657"),
    ("Sølystparken", "740"),
    ("Høje Kolstrup", "580"),
    ("Munkebo", "440"),
    ("Æblehaven/Rønnebærparken", "265"),
    ("Stenhusparken", "326"),
    ("Nordbyparken", "860"),
)
TRENDS = ("improving", "stable", "worsening")
TREND_PROBS = (0.45, 0.35, 0.20)  # national lists shrank from 2018 to 2022 (DOMAIN.md §3.6)
BADNESS_SLOPE = {"improving": -0.07, "stable": 0.0, "worsening": 0.04}
NV_SLOPE = {"improving": -0.012, "stable": 0.0, "worsening": 0.01}
ADDRESS_BASE = 900_000_000_000
PERSONS_PER_ADDRESS = 2.0
OUT_MOVE_RATE = 0.07  # see population._move


@dataclass
class Areas:
    """Per-area parameters (arrays indexed by area number)."""

    names: list[str]
    kom: np.ndarray  # municipality index
    size_real: np.ndarray  # residents at real scale (1,000-8,000)
    nv0: np.ndarray  # initial share of non-western immigrants+descendants
    bad0: np.ndarray  # initial badness
    trend: list[str]
    first_year: int
    n_addr: np.ndarray
    scale: float

    def ids(self) -> list[str]:
        return [f"BO{i + 1:03d}" for i in range(len(self.names))]

    def target_size(self, year: int) -> np.ndarray:
        size = self.size_real.copy()
        # Mjølnerparken was emptied for renovation and fell below 1,000 residents (966 in 2023)
        size[0] = interp_path({2019: size[0], 2021: 1500.0, 2023: 966.0}, year)
        return np.round(size * self.scale).astype(int)

    def badness(self, year: int) -> np.ndarray:
        slope = np.array([BADNESS_SLOPE[t] for t in self.trend])
        return np.clip(self.bad0 + slope * (year - self.first_year), -0.5, 2.0)

    def nv_share(self, year: int) -> np.ndarray:
        slope = np.array([NV_SLOPE[t] for t in self.trend])
        return np.clip(self.nv0 + slope * (year - self.first_year), 0.1, 0.85)

    def address_numbers(self, a: int) -> np.ndarray:
        return ADDRESS_BASE + a * 100_000 + np.arange(self.n_addr[a], dtype=np.int64)


def build_areas(rng: np.random.Generator, scale: float, first_year: int) -> Areas:
    """Draw each area's size, origin mix, initial badness and trajectory."""
    m = municipality_table()
    pos = {c: i for i, c in enumerate(m.codes)}
    n = len(AREA_SPECS)
    size = np.clip(np.exp(rng.normal(np.log(2300), 0.55, n)), 1050, 8000)
    big = {
        "Vollsmose": 8000,
        "Gellerupparken/Toveshøj": 7500,
        "Tingbjerg/Utterslevhuse": 6200,
        "Brøndby Strand Parkerne": 5500,
        "Mjølnerparken": 2200,
    }
    names = [s[0] for s in AREA_SPECS]
    for name, value in big.items():
        size[names.index(name)] = value
    trend = [TRENDS[i] for i in rng.choice(3, size=n, p=TREND_PROBS)]
    return Areas(
        names=names,
        kom=np.array([pos[s[1]] for s in AREA_SPECS], dtype=np.int16),
        size_real=size,
        nv0=rng.uniform(0.3, 0.8, n),
        bad0=rng.uniform(-0.2, 1.3, n),
        trend=trend,
        first_year=first_year,
        n_addr=np.maximum(np.ceil(size * scale * 1.2 / PERSONS_PER_ADDRESS), 1).astype(int),
        scale=scale,
    )


def selection_weight(panel: Panel, idx: np.ndarray, strength: float) -> np.ndarray:
    """Who moves into a deprived estate: low education, weak attachment, more crime."""
    edu = panel["edu"][idx]
    low_edu = ((edu == -1) | (edu == 10) | (edu == 90)).astype(np.float32)
    x = 1.0 * low_edu - 0.6 * panel["emp_trait"][idx] + 0.3 * panel["crime_trait"][idx]
    return np.exp(strength * x)


def fill_areas(rng: np.random.Generator, panel: Panel, areas: Areas, year: int) -> None:
    """Top up every area to its target size with residents of its municipality."""
    target = areas.target_size(year)
    current = np.bincount(panel["area"][panel["area"] >= 0], minlength=len(target))
    need = target - current
    nv_share = areas.nv_share(year)
    strength = np.clip(0.4 + 0.5 * areas.badness(year), 0.1, None)
    free = panel["area"] < 0
    order = np.argsort(panel["kom"], kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(panel["kom"], minlength=98))])
    for a in np.argsort(-areas.size_real, kind="stable"):  # biggest first
        if need[a] <= 0:
            continue
        k = int(areas.kom[a])
        cand = order[bounds[k] : bounds[k + 1]]
        pool_size = 40 * int(need[a]) + 2000  # a random pool is plenty to select from
        if len(cand) > pool_size:
            pick = np.zeros(len(cand), bool)
            pick[rng.integers(0, len(cand), pool_size)] = True
            cand = cand[pick]
        cand = cand[free[cand]]
        is_nv = panel["grp"][cand] == NV
        n_nv = round(float(need[a] * nv_share[a]))
        chosen = []
        for pool, n in ((cand[is_nv], n_nv), (cand[~is_nv], int(need[a]) - n_nv)):
            pick = weighted_sample(rng, selection_weight(panel, pool, strength[a]), n)
            chosen.append(pool[pick])
        chosen = np.concatenate(chosen)
        addrs = areas.address_numbers(a)
        panel["area"][chosen] = a
        panel.set_address(chosen, addrs[rng.integers(0, len(addrs), len(chosen))])
        free[chosen] = False


def area_badness(panel: Panel, areas: Areas, year: int) -> np.ndarray:
    """Per-person badness of the area lived in (0 outside areas)."""
    bad = np.concatenate([areas.badness(year), [0.0]]).astype(np.float32)
    return bad[np.where(panel["area"] >= 0, panel["area"], len(bad) - 1)]
