"""SYNTHETIC demo surveys for København, so the safety, discrimination and health areas of
Copenhagen's barometer (DOMAIN.md §2.3) can be shown without real survey files.

Nothing here is real data. Respondents are drawn from a seeded model whose weighted shares
land near the published figures in codes/data/published_values.csv: 9 % unsafe in the
neighbourhood (2021 and 2022), 16 % / 17 % unsafe in the evening (2021 / 2022) and 27 % of
young Copenhageners feeling discriminated against (2021). Group differences, the 2019
citizenship round, association membership and self-rated health are assumptions made for the
demo, not published figures.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

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
    hit = rng.random(n) < p
    out = np.where(hit, rng.choice(yes, n), rng.choice(no, n))
    return np.where(rng.random(n) < dont_know, 8, out)


def safety_survey(rng: np.random.Generator) -> pd.DataFrame:
    sample = np.array([0.78, 0.08, 0.07, 0.01, 0.06])
    frames = []
    targets = {2021: (0.09, 0.16), 2022: (0.09, 0.17)}  # published_values.csv
    for year, n in ((2021, 3_480), (2022, 3_596)):
        idx = rng.choice(len(ORIGINS), n, p=sample / sample.sum())
        origin = np.array(ORIGINS)[idx]
        sex = rng.choice([1, 2], n)
        sex_factor = np.where(sex == 2, 1.25, 0.75)
        hood = _scaled(targets[year][0], np.array([1.0, 0.9, 1.4, 1.0, 1.3]), POP_ADULTS)[idx]
        night = _scaled(targets[year][1], np.array([1.0, 0.95, 1.3, 1.0, 1.2]), POP_ADULTS)[idx]
        frame = pd.DataFrame(
            {
                "respondent": [f"S{year}-{i:05d}" for i in range(n)],
                "aar": year,
                "koen": sex,
                "alder": rng.integers(18, 90, n),
                "herkomst": np.where(rng.random(n) < 0.01, 9, origin),
                "vaegt": _weights(rng, idx, POP_ADULTS, sample).round(6),
                "tryg_nabolag": _answer(rng, hood * sex_factor, (4, 4, 5), (1, 2, 2, 3), 0.02),
                "tryg_aften": _answer(rng, night * sex_factor, (4, 4, 5), (1, 2, 2, 3), 0.03),
            }
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def citizenship_survey(rng: np.random.Generator) -> pd.DataFrame:
    sample = np.array([0.40, 0.12, 0.18, 0.02, 0.28])  # non-Western over-sampled
    frames = []
    for year, n, target in ((2019, 3_063, 0.26), (2021, 3_000, 0.27)):
        idx = rng.choice(len(ORIGINS), n, p=sample / sample.sum())
        sex = rng.choice([1, 2], n)
        disc = _scaled(target, np.array([0.7, 1.1, 1.8, 1.0, 1.9]), POP_YOUNG)[idx]
        assoc = _scaled(0.55, np.array([1.1, 0.9, 0.7, 1.0, 0.8]), POP_YOUNG)[idx]
        health = _scaled(0.86, np.array([1.0, 1.0, 0.95, 1.0, 0.97]), POP_YOUNG)[idx]
        age = rng.integers(18, 30, n)
        age = np.where(rng.random(n) < 0.02, 30, age)  # out of scope, dropped by the spec filter
        answers = _answer(rng, disc, (1,), (2,), 0.03)
        answers = np.where(rng.random(n) < 0.01, 9, answers)  # "ønsker ikke at svare"
        frames.append(
            pd.DataFrame(
                {
                    "respondent": [f"M{year}-{i:05d}" for i in range(n)],
                    "year": year,
                    "sex": sex,
                    "age": age,
                    "origin": np.array(ORIGINS)[idx],
                    "weight": _weights(rng, idx, POP_YOUNG, sample).round(6),
                    "q_discrimination": answers,
                    "q_association": _answer(rng, assoc, (1,), (2,), 0.01),
                    "q_health": _answer(rng, np.minimum(health, 0.99), (1, 2, 3), (4, 5), 0.01),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def generate_demo_surveys(out_dir: Path, seed: int = 1) -> dict[str, tuple[Path, Path]]:
    """Write both SYNTHETIC surveys and their specs; return name → (data file, spec file).

    The safety survey is a CSV; the citizenship survey is an SPSS .sav with value labels,
    as vendors deliver it. Same seed, same files.
    """
    import pyreadstat

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    safety = safety_survey(rng)
    safety_path = out / "copenhagen_safety_SYNTHETIC.csv"
    safety.to_csv(safety_path, index=False)
    citizenship = citizenship_survey(rng)
    citizenship_path = out / "copenhagen_citizenship_SYNTHETIC.sav"
    labels = {
        "origin": {k: v for k, v in ORIGIN_LABELS.items() if k != 9},
        "sex": {1: "Mand", 2: "Kvinde"},
        "q_discrimination": {1: "Ja", 2: "Nej", 8: "Ved ikke", 9: "Ønsker ikke at svare"},
        "q_association": {1: "Ja", 2: "Nej", 8: "Ved ikke"},
        "q_health": {
            1: "Fremragende",
            2: "Vældig godt",
            3: "Godt",
            4: "Mindre godt",
            5: "Dårligt",
            8: "Ved ikke",
        },
    }
    pyreadstat.write_sav(
        citizenship,
        str(citizenship_path),
        file_label="SYNTHETIC demo data - not a real survey",
        variable_value_labels=labels,
    )
    result = {}
    for name, data in (
        ("copenhagen_safety", safety_path),
        ("copenhagen_citizenship", citizenship_path),
    ):
        spec = out / f"{name}.yaml"
        shutil.copyfile(specs_dir() / f"{name}.yaml", spec)
        result[name] = (data, spec)
    return result
