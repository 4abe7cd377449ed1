"""SYNTHETIC demo surveys shaped like the real ones (DOMAIN.md §1.6, §2.3), so that the safety,
discrimination, health and citizenship areas of Copenhagen's barometer and the national survey
goals 4-6 can be shown without real survey files.

Nothing here is real data. Respondents are drawn from a seeded model whose weighted shares land
near the published figures in codes/data/published_values.csv: 9 % unsafe in the neighbourhood
(2021 and 2022), 16 % / 17 % unsafe in the evening (2021 / 2022) and 27 % of young
Copenhageners feeling discriminated against (2021). Every other level, trend and group
difference is an assumption of the demo (docs/sources.md lists them), chosen so that the demo
shows green, yellow and red lights.

Four files, each with its spec (sources/surveys/specs/):

* ``copenhagen_safety_SYNTHETIC.csv`` — Københavns Tryghedsundersøgelse, yearly 2014-2022,
  an equal sample in each of the ten districts (bydele), weighted to the population;
* ``copenhagen_citizenship_SYNTHETIC.sav`` — Medborgerskabsundersøgelsen blandt unge (18-29),
  2015, 2017, 2019 and 2021, non-Western respondents over-sampled, seven indicators;
* ``copenhagen_health_SYNTHETIC.csv`` — Copenhagen's part of the health profile
  (Sundhedsprofilen), 2010, 2013, 2017 and 2021, adults 16+;
* ``national_citizenship_SYNTHETIC.dta`` — the national citizenship survey (UIM/DST) every
  second year 2012-2022: a national sample of new Danes and persons of Danish origin with an
  additional sample in København (an assumption that gives Copenhagen its own figures; the
  real survey is national only, DOMAIN.md §1.6).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from barometer.codes import load_non_danish_share, load_population_2024
from barometer.sources.surveys.spec import specs_dir

ORIGINS = (1, 2, 3, 4, 5)  # danish, imm. western, imm. non-western, desc. western, desc. nw
ORIGIN_LABELS = {
    1: "Dansk oprindelse",
    2: "Indvandrer, vestlig",
    3: "Indvandrer, ikke-vestlig",
    4: "Efterkommer, vestlig",
    5: "Efterkommer, ikke-vestlig",
    9: "Uoplyst",
}
# Approximate population shares of Copenhagen adults and of 18-29-year-olds (demo values).
POP_ADULTS = np.array([0.72, 0.10, 0.11, 0.01, 0.06])
POP_YOUNG = np.array([0.66, 0.12, 0.09, 0.01, 0.12])
NON_WESTERN = np.array([False, False, True, False, True])

# Copenhagen's ten districts (bydele): population share and relative level of feeling unsafe.
DISTRICTS = {
    1: ("Indre By", 0.09, 0.8),
    2: ("Østerbro", 0.12, 0.6),
    3: ("Nørrebro", 0.13, 1.35),
    4: ("Vesterbro/Kongens Enghave", 0.11, 1.15),
    5: ("Valby", 0.10, 0.9),
    6: ("Vanløse", 0.07, 0.7),
    7: ("Brønshøj-Husum", 0.07, 1.15),
    8: ("Bispebjerg", 0.09, 1.45),
    9: ("Amager Øst", 0.10, 0.8),
    10: ("Amager Vest", 0.12, 1.2),
}
# Weighted shares drawn near (published where codes/data/published_values.csv has them).
UNSAFE_HOOD = {2014: 0.12, 2015: 0.115, 2016: 0.11, 2017: 0.105, 2018: 0.10, 2019: 0.10}
UNSAFE_HOOD |= {2020: 0.095, 2021: 0.09, 2022: 0.09}
UNSAFE_NIGHT = {2014: 0.20, 2015: 0.195, 2016: 0.19, 2017: 0.185, 2018: 0.18, 2019: 0.175}
UNSAFE_NIGHT |= {2020: 0.165, 2021: 0.16, 2022: 0.17}


def _scaled(target: float, relative: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Group probabilities proportional to ``relative`` whose population mean is ``target``."""
    return relative * target / float(np.dot(population, relative))


def _weights(
    rng: np.random.Generator, origin_idx: np.ndarray, pop: np.ndarray, sample: np.ndarray
) -> np.ndarray:
    """Post-stratification-like weights: population ÷ sample share, with noise; mean 1."""
    w = (pop / sample)[origin_idx] * rng.lognormal(0.0, 0.25, len(origin_idx))
    return w / w.mean()


def _answer(
    rng: np.random.Generator, p: np.ndarray, yes: tuple, no: tuple, dont_know: float
) -> np.ndarray:
    """A coded answer per respondent: a 'yes' code with probability p, else a 'no' code;
    a share ``dont_know`` answer 8 instead."""
    n = len(p)
    hit = rng.random(n) < np.clip(p, 0.0, 0.99)
    out = np.where(hit, rng.choice(yes, n), rng.choice(no, n))
    return np.where(rng.random(n) < dont_know, 8, out)


def safety_survey(rng: np.random.Generator) -> pd.DataFrame:
    sample = np.array([0.78, 0.08, 0.07, 0.01, 0.06])
    codes = np.array(list(DISTRICTS))
    d_pop = np.array([v[1] for v in DISTRICTS.values()])
    d_level = np.array([v[2] for v in DISTRICTS.values()])
    d_level = d_level / float(np.dot(d_pop, d_level))  # population mean 1
    frames = []
    for year in sorted(UNSAFE_HOOD):
        n = 3_480 if year < 2022 else 3_596
        idx = rng.choice(len(ORIGINS), n, p=sample / sample.sum())
        district = rng.integers(0, len(codes), n)  # an equal sample per district
        origin = np.array(ORIGINS)[idx]
        sex = rng.choice([1, 2], n)
        sex_factor = np.where(sex == 2, 1.25, 0.75)
        hood = _scaled(UNSAFE_HOOD[year], np.array([1.0, 0.9, 1.4, 1.0, 1.3]), POP_ADULTS)[idx]
        night = _scaled(UNSAFE_NIGHT[year], np.array([1.0, 0.95, 1.3, 1.0, 1.2]), POP_ADULTS)
        night = night[idx]
        w = _weights(rng, idx, POP_ADULTS, sample) * (d_pop * len(codes))[district]
        level = d_level[district] * sex_factor
        frames.append(
            pd.DataFrame(
                {
                    "respondent": [f"S{year}-{i:05d}" for i in range(n)],
                    "aar": year,
                    "bydel": codes[district],
                    "koen": sex,
                    "alder": rng.integers(18, 90, n),
                    "herkomst": np.where(rng.random(n) < 0.01, 9, origin),
                    "vaegt": (w / w.mean()).round(6),
                    "tryg_nabolag": _answer(rng, hood * level, (4, 4, 5), (1, 2, 2, 3), 0.02),
                    "tryg_aften": _answer(rng, night * level, (4, 4, 5), (1, 2, 2, 3), 0.03),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# Young Copenhageners: the all-group level per round and the relative level by origin 1-5.
ROUNDS = (2015, 2017, 2019, 2021)
CITIZENSHIP = {
    "q_discrimination": ((0.24, 0.25, 0.26, 0.27), (0.7, 1.1, 1.8, 1.0, 1.9)),
    "q_association": ((0.52, 0.54, 0.55, 0.57), (1.1, 0.9, 0.72, 1.0, 0.8)),
    "q_democracy": ((0.88, 0.89, 0.90, 0.91), (1.02, 1.0, 0.93, 1.0, 0.95)),
    "q_partner": ((0.080, 0.075, 0.070, 0.066), (0.4, 0.8, 2.8, 1.0, 2.6)),
    "q_edu_friends": ((0.060, 0.058, 0.056, 0.052), (0.5, 0.8, 2.5, 1.0, 2.3)),
    "q_equality": ((0.045, 0.045, 0.043, 0.042), (0.6, 0.9, 2.2, 1.0, 2.0)),
    "q_included": ((0.80, 0.81, 0.82, 0.83), (1.05, 0.95, 0.86, 1.0, 0.9)),
}
CITIZENSHIP_CODES = {  # yes codes, no codes (8 = don't know)
    "q_discrimination": ((1,), (2,)),
    "q_association": ((1,), (2,)),
    "q_democracy": ((1, 2), (3, 4, 5)),
    "q_partner": ((1, 2), (3, 4)),
    "q_edu_friends": ((1, 2), (3, 4)),
    "q_equality": ((4, 5), (1, 2, 3)),
    "q_included": ((1, 2), (3, 4)),
}


def citizenship_survey(rng: np.random.Generator) -> pd.DataFrame:
    sample = np.array([0.40, 0.12, 0.18, 0.02, 0.28])  # non-Western over-sampled
    frames = []
    for year, n in zip(ROUNDS, (2_400, 2_450, 3_063, 3_000), strict=True):
        idx = rng.choice(len(ORIGINS), n, p=sample / sample.sum())
        age = rng.integers(18, 30, n)
        age = np.where(rng.random(n) < 0.02, 30, age)  # out of scope, dropped by the spec filter
        frame = {
            "respondent": [f"M{year}-{i:05d}" for i in range(n)],
            "year": year,
            "sex": rng.choice([1, 2], n),
            "age": age,
            "origin": np.array(ORIGINS)[idx],
            "weight": _weights(rng, idx, POP_YOUNG, sample).round(6),
        }
        for column, (levels, relative) in CITIZENSHIP.items():
            p = _scaled(levels[ROUNDS.index(year)], np.array(relative), POP_YOUNG)[idx]
            yes, no = CITIZENSHIP_CODES[column]
            answers = _answer(rng, p, yes, no, 0.02)
            if column in ("q_discrimination", "q_partner", "q_edu_friends"):
                answers = np.where(rng.random(n) < 0.01, 9, answers)  # "ønsker ikke at svare"
            frame[column] = answers
        frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)


HEALTH_GOOD = {2010: 0.84, 2013: 0.85, 2017: 0.855, 2021: 0.85}
HEALTH_GOOD_NW = {2010: 0.86, 2013: 0.88, 2017: 0.91, 2021: 0.94}  # relative; catching up
HIGH_STRESS = {2010: 0.22, 2013: 0.23, 2017: 0.27, 2021: 0.31}


def health_survey(rng: np.random.Generator) -> pd.DataFrame:
    sample = np.array([0.68, 0.08, 0.14, 0.01, 0.09])  # non-Western over-sampled a little
    frames = []
    for year in sorted(HEALTH_GOOD):
        n = 4_000
        idx = rng.choice(len(ORIGINS), n, p=sample / sample.sum())
        nw = HEALTH_GOOD_NW[year]
        good = _scaled(HEALTH_GOOD[year], np.array([1.0, 0.98, nw, 1.0, nw + 0.03]), POP_ADULTS)
        stress = _scaled(HIGH_STRESS[year], np.array([1.0, 1.1, 1.3, 1.0, 1.35]), POP_ADULTS)
        score = _answer(rng, stress[idx], (1,), (0,), 0.0)
        frames.append(
            pd.DataFrame(
                {
                    "lbnr": [f"H{year}-{i:05d}" for i in range(n)],
                    "aar": year,
                    "koen": rng.choice([1, 2], n),
                    "alder": rng.integers(16, 95, n),
                    "herkomst": np.array(ORIGINS)[idx],
                    "vaegt": _weights(rng, idx, POP_ADULTS, sample).round(6),
                    "helbred": _answer(rng, good[idx], (1, 2, 2, 3, 3, 3), (4, 4, 5), 0.0),
                    # the score needs all ten stress questions answered: 9 = not computable
                    "stress_hoej": np.where(rng.random(n) < 0.04, 9, score),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# The national survey: the non-Western level per round and the Danish-origin level.
NATIONAL_ROUNDS = (2012, 2014, 2016, 2018, 2020, 2022)
NATIONAL = {
    "inkluderet": ((0.72, 0.73, 0.74, 0.76, 0.77, 0.78), 0.93),
    "forskelsbehandling": ((0.45, 0.44, 0.44, 0.43, 0.42, 0.42), 0.10),
    "partnervalg": ((0.20, 0.20, 0.19, 0.18, 0.17, 0.16), 0.03),
}
NATIONAL_CODES = {
    "inkluderet": ((1, 2), (3, 4)),
    "forskelsbehandling": ((1,), (2,)),
    "partnervalg": ((1, 2), (3, 4)),
}
COPENHAGEN_LEVEL = {"inkluderet": 0.97, "forskelsbehandling": 1.06, "partnervalg": 1.0}
NATIONAL_SAMPLE = {"nw": 3_000, "do": 1_000}  # per round, drawn over Denmark
COPENHAGEN_BOOST = {"nw": 600, "do": 200}  # the additional sample in København
NW_SHARE_OF_ADULTS = 0.09  # non-Western immigrants and descendants among 18+ (demo value)


def national_survey(rng: np.random.Generator) -> pd.DataFrame:
    pop = load_population_2024()
    share = load_non_danish_share()
    codes = sorted(pop)
    people = np.array([pop[c] for c in codes], dtype=float)
    nd = np.array(
        [max((v for (c2, _), v in share.items() if c2 == c), default=10.0) for c in codes]
    )
    weight_of = {"nw": people * nd, "do": people * (100 - nd)}
    cph = codes.index("101")
    frames = []
    for year in NATIONAL_ROUNDS:
        for kind, n_nat in NATIONAL_SAMPLE.items():
            p_area = weight_of[kind] / weight_of[kind].sum()
            area = np.concatenate(
                [rng.choice(len(codes), n_nat, p=p_area), np.full(COPENHAGEN_BOOST[kind], cph)]
            )
            n = len(area)
            # Design weights: the population share of each area ÷ its respondents, so the
            # national figure is right although København is over-represented.
            in_cph = area == cph
            pop_share = NW_SHARE_OF_ADULTS if kind == "nw" else 1 - NW_SHARE_OF_ADULTS
            w = np.where(in_cph, p_area[cph] / in_cph.sum(), (1 - p_area[cph]) / (~in_cph).sum())
            w = w * pop_share * rng.lognormal(0.0, 0.25, n)
            origin = rng.choice([3, 5], n, p=[0.7, 0.3]) if kind == "nw" else np.ones(n, int)
            age = rng.integers(18, 80, n)
            frame = {
                "aar": np.full(n, year),
                "kommune": np.array([int(codes[i]) for i in area]),
                "herkomst": origin,
                "koen": rng.choice([1, 2], n),
                "alder": age,
                "vaegt": w,
            }
            for column, (levels, danish) in NATIONAL.items():
                level = levels[NATIONAL_ROUNDS.index(year)] if kind == "nw" else danish
                p = np.where(in_cph, level * COPENHAGEN_LEVEL[column], level)
                yes, no = NATIONAL_CODES[column]
                answers = _answer(rng, p, yes, no, 0.02).astype(float)
                if column == "partnervalg":  # asked of 18-29-year-olds only
                    answers = np.where(age <= 29, answers, np.nan)
                frame[column] = answers
            frames.append(pd.DataFrame(frame))
    out = pd.concat(frames, ignore_index=True)
    out["vaegt"] = (out["vaegt"] / out["vaegt"].mean()).round(6)
    out.insert(0, "lbnr", [f"N{i:06d}" for i in range(len(out))])
    return out


def generate_demo_surveys(out_dir: Path, seed: int = 1) -> dict[str, tuple[Path, Path]]:
    """Write the four SYNTHETIC surveys and their specs; return name → (data file, spec file).

    The safety and health surveys are CSV files, the Copenhagen citizenship survey an SPSS
    .sav with value labels and the national survey a Stata .dta, as vendors deliver them. Same
    seed, same files (a .sav or .dta header holds its creation time, so compare the data).
    """
    import pyreadstat

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    files = {}
    files["copenhagen_safety"] = out / "copenhagen_safety_SYNTHETIC.csv"
    safety_survey(rng).to_csv(files["copenhagen_safety"], index=False)
    files["copenhagen_citizenship"] = out / "copenhagen_citizenship_SYNTHETIC.sav"
    restrict = {1: "Ja, i høj grad", 2: "Ja, i nogen grad", 3: "Nej, kun i mindre grad"}
    restrict |= {4: "Nej, slet ikke", 8: "Ved ikke", 9: "Ønsker ikke at svare"}
    agree = {1: "Helt enig", 2: "Overvejende enig", 3: "Hverken enig eller uenig"}
    agree |= {4: "Overvejende uenig", 5: "Helt uenig", 8: "Ved ikke"}
    labels = {
        "origin": {k: v for k, v in ORIGIN_LABELS.items() if k != 9},
        "sex": {1: "Mand", 2: "Kvinde"},
        "q_discrimination": {1: "Ja", 2: "Nej", 8: "Ved ikke", 9: "Ønsker ikke at svare"},
        "q_association": {1: "Ja", 2: "Nej", 8: "Ved ikke"},
        "q_democracy": agree,
        "q_partner": restrict,
        "q_edu_friends": restrict,
        "q_equality": agree,
        "q_included": {1: "I høj grad", 2: "I nogen grad", 3: "I mindre grad", 4: "Slet ikke"}
        | {8: "Ved ikke"},
    }
    pyreadstat.write_sav(
        citizenship_survey(rng),
        str(files["copenhagen_citizenship"]),
        file_label="SYNTHETIC demo data - not a real survey",
        variable_value_labels=labels,
    )
    files["copenhagen_health"] = out / "copenhagen_health_SYNTHETIC.csv"
    health_survey(rng).to_csv(files["copenhagen_health"], index=False)
    files["national_citizenship"] = out / "national_citizenship_SYNTHETIC.dta"
    pyreadstat.write_dta(
        national_survey(rng),
        str(files["national_citizenship"]),
        file_label="SYNTHETIC demo data - not a real survey",
    )
    result = {}
    for name, data in files.items():
        spec = out / f"{name}.yaml"
        shutil.copyfile(specs_dir() / f"{name}.yaml", spec)
        result[name] = (data, spec)
    return result
