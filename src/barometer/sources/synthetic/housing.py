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
TREND_PROBS = (0.50, 0.30, 0.20)
# Badness of an area = its level in 2017 (BAD0_RANGE, by trajectory) + the trajectory's change
# relative to 2017 (interpolated by calendar year, flat outside) + a wobble. The lists shrank
# fast after the 2018 plan (DOMAIN.md §3.6: 43 udsatte in 2018, 40 in 2019, 25 in 2020, 17-20
# in 2021-23), so improving areas, mostly on the 2018 list, got worse up to 2017 (few were on
# every pre-2018 list, so omdannelse stays near 15) and turn around in data year 2019 (list
# year 2020); stable areas hold the hard core; worsening areas drift up, a few entering the
# lists late. The paths are in calendar years, so the areas do not depend on the first
# generated year.
BADNESS_PATH = {
    "improving": {
        2012: -0.7,
        2015: -0.4,
        2016: -0.2,
        2017: 0.0,
        2018: -0.05,
        2019: -1.0,
        2020: -1.35,
        2022: -1.45,
        2025: -1.5,
    },
    "stable": {2012: 0.0, 2025: 0.0},
    "worsening": {2012: -0.25, 2019: 0.0, 2025: 0.75},
}
BAD0_RANGE = {"improving": (0.85, 1.9), "stable": (0.2, 1.7), "worsening": (0.0, 1.2)}
# Each area's badness also wobbles around its path (amplitude, period in years, random phase), so
# that areas near the thresholds move on and off the lists.
WOBBLE = (0.15, 8.0)
# Non-western share = its 2012 level (uniform, by trajectory; the areas that left the lists
# were mostly ghetto areas, i.e. > 50 %) + the trajectory's change since 2012.
NV0_RANGE = {"improving": (0.35, 0.8), "stable": (0.2, 0.8), "worsening": (0.15, 0.6)}
NV_PATH = {
    "improving": {2012: 0.0, 2016: -0.01, 2024: -0.09},
    "stable": {2012: 0.0, 2025: 0.0},
    "worsening": {2012: 0.0, 2025: 0.12},
}
# Named areas whose fate the sources describe (DOMAIN.md §3.6): (badness in 2017, trajectory,
# non-western share in 2012). Mjølnerparken, Gellerup, Vollsmose and Bispehaven stayed on the
# list; the areas that left in 2020 (and Tingbjerg and Aldersrogade, 2022) improve; Askerød
# entered in 2022.
PINNED: dict[str, tuple[float, str, float]] = {
    "Mjølnerparken": (1.45, "stable", 0.80),
    "Gellerupparken/Toveshøj": (1.5, "stable", 0.78),
    "Vollsmose": (1.45, "stable", 0.75),
    "Bispehaven": (1.4, "stable", 0.72),
    "Nørager/Søstjernevej": (1.4, "stable", 0.7),
    "Tingbjerg/Utterslevhuse": (1.55, "improving", 0.7),
    "Aldersrogade": (1.45, "improving", 0.62),
    "Lundtoftegade": (1.15, "improving", 0.66),
    "Bispeparken": (1.15, "improving", 0.64),
    "Hørgården": (1.1, "improving", 0.62),
    "Gadehavegård": (1.15, "improving", 0.7),
    "Agervang": (1.15, "improving", 0.62),
    "Lindholm": (1.1, "improving", 0.6),
    "Korsløkkeparken": (1.15, "improving", 0.66),
    "Finlandsparken": (1.15, "improving", 0.62),
    "Askerød": (0.75, "worsening", 0.55),
}
# Selection into areas: weights of low education, labour-market propensity and crime propensity
SELECTION = (0.3, 0.6, 0.1)
STRENGTH = (0.4, 0.5)  # selection strength s = a + b × badness (at least 0.1)
ADDRESS_BASE = 900_000_000_000
PERSONS_PER_ADDRESS = 2.0
OUT_MOVE_RATE = 0.07  # see population._move


@dataclass
class Areas:
    """Per-area parameters (arrays indexed by area number)."""

    names: list[str]
    kom: np.ndarray  # municipality index
    size_real: np.ndarray  # residents at real scale (1,000-8,000)
    nv0: np.ndarray  # share of non-western immigrants+descendants in 2012 (NV_PATH adds)
    bad0: np.ndarray  # badness in 2017 (BADNESS_PATH adds)
    phase: np.ndarray  # phase of the wobble (fraction of a period)
    trend: list[str]
    first_year: int  # first generated year (the trajectories use calendar years)
    n_addr: np.ndarray
    scale: float

    def ids(self) -> list[str]:
        return [f"BO{i + 1:03d}" for i in range(len(self.names))]

    def target_size(self, year: int) -> np.ndarray:
        size = self.size_real.copy()
        # Mjølnerparken was emptied for renovation: 966 residents at the reference date of the
        # 2023 list (1 January 2023 = data year 2022), so it left the list (DOMAIN.md §3.6)
        size[0] = interp_path({2019: size[0], 2021: 1500.0, 2022: 966.0}, year)
        return np.round(size * self.scale).astype(int)

    def badness(self, year: int) -> np.ndarray:
        delta = np.array([interp_path(BADNESS_PATH[t], year) for t in self.trend])
        amplitude, period = WOBBLE
        wobble = amplitude * np.sin(2 * np.pi * (year / period + self.phase))
        return np.clip(self.bad0 + delta + wobble, -0.5, 2.0)

    def nv_share(self, year: int) -> np.ndarray:
        delta = np.array([interp_path(NV_PATH[t], year) for t in self.trend])
        return np.clip(self.nv0 + delta, 0.1, 0.85)

    def address_numbers(self, a: int) -> np.ndarray:
        return ADDRESS_BASE + a * 100_000 + np.arange(self.n_addr[a], dtype=np.int64)


def build_areas(rng: np.random.Generator, scale: float, first_year: int) -> Areas:
    """Draw each area's size, origin mix, badness level, trajectory and wobble phase."""
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

    def draw(ranges: dict[str, tuple[float, float]]) -> np.ndarray:
        lo, hi = (np.array([ranges[t][j] for t in trend]) for j in (0, 1))
        return lo + rng.uniform(0.0, 1.0, n) * (hi - lo)

    nv0 = np.clip(draw(NV0_RANGE), 0.25, 0.85)
    bad0 = draw(BAD0_RANGE)
    for name, (bad, tr, nv) in PINNED.items():
        i = names.index(name)
        bad0[i], trend[i], nv0[i] = bad, tr, nv
    return Areas(
        names=names,
        kom=np.array([pos[s[1]] for s in AREA_SPECS], dtype=np.int16),
        size_real=size,
        nv0=nv0,
        bad0=bad0,
        phase=rng.uniform(0.0, 1.0, n),
        trend=trend,
        first_year=first_year,
        n_addr=np.maximum(np.ceil(size * scale * 1.2 / PERSONS_PER_ADDRESS), 1).astype(int),
        scale=scale,
    )


def selection_weight(panel: Panel, idx: np.ndarray, strength: float) -> np.ndarray:
    """Who moves into a deprived estate: low education, weak attachment, more crime."""
    edu = panel["edu"][idx]
    low_edu = ((edu == -1) | (edu == 10) | (edu == 90)).astype(np.float32)
    w_edu, w_emp, w_crime = SELECTION
    x = w_edu * low_edu - w_emp * panel["emp_trait"][idx] + w_crime * panel["crime_trait"][idx]
    return np.exp(strength * x)


def fill_areas(rng: np.random.Generator, panel: Panel, areas: Areas, year: int) -> None:
    """Top up every area to its target size with residents of its municipality."""
    target = areas.target_size(year)
    current = np.bincount(panel["area"][panel["area"] >= 0], minlength=len(target))
    need = target - current
    nv_share = areas.nv_share(year)
    strength = np.clip(STRENGTH[0] + STRENGTH[1] * areas.badness(year), 0.1, None)
    order = np.argsort(panel["kom"], kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(panel["kom"], minlength=98))])
    # An area above its target (Mjølnerparken's renovation) re-houses the excess elsewhere in
    # its municipality, at the address of a random resident outside the areas.
    for a in np.flatnonzero(need < 0):
        out = rng.choice(np.flatnonzero(panel["area"] == a), size=int(-need[a]), replace=False)
        k = int(areas.kom[a])
        hosts = order[bounds[k] : bounds[k + 1]]
        hosts = hosts[(panel["area"][hosts] < 0) & (panel["addr"][hosts] >= 0)]
        panel["area"][out] = -1
        panel.set_address(out, panel["addr"][hosts[rng.integers(0, len(hosts), len(out))]])
    free = panel["area"] < 0
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
