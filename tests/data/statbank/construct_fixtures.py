"""Write the CONSTRUCTED StatBank fixtures in constructed/ (values synthetic, format real).

Run from the repository root: ``python tests/data/statbank/construct_fixtures.py``. The
files are committed; this script documents exactly how they were made.

Formats copy the real recordings in recorded/: tableinfo is compact JSON with the keys of
table_info_straf42.body.json; data answers are BULK as the API writes CSV: UTF-8 with a BOM,
CRLF, ';' between fields, upper-case variable ids and INDHOLD in the header, comma decimals,
'..' for suppressed cells. Codes follow DOMAIN.md §6 and third-party scripts where known;
RAS201's SOCIO variable and codes are invented (see README.md). Values are synthetic.
"""

from __future__ import annotations

import csv
import itertools
import json
import random
from pathlib import Path

HERE = Path(__file__).parent / "constructed"
MUNICIPALITIES = Path(__file__).parents[3] / "src/barometer/codes/data/municipalities.csv"
UPDATED = "2025-02-11T08:00:00"

HERKOMST_FOLK = [
    ("TOT", "Total"),
    ("1", "Persons of Danish origin"),
    ("24", "Immigrants from western countries"),
    ("25", "Immigrants from non-western countries"),
    ("34", "Descendants from western countries"),
    ("35", "Descendants from non-western countries"),
]
HERKOMST_RAS200 = [("00", "Total"), ("10", "Persons of Danish origin"), *HERKOMST_FOLK[2:]]
HERKOMST_STRAF = [
    ("TOT", "Total"),
    ("1", "Persons of Danish origin"),
    ("21", "Immigrants, total"),
    ("24", "Immigrants from western countries"),
    ("25", "Immigrants from non-western countries"),
    ("31", "Descendants, total"),
    ("34", "Descendants from western countries"),
    ("35", "Descendants from non-western countries"),
]
KOEN_FOLK = [("TOT", "Total"), ("1", "Men"), ("2", "Women")]
KOEN_RAS200 = [("TOT", "Total"), ("M", "Men"), ("K", "Women")]
KOEN_STRAF = [("M", "Men"), ("K", "Women")]
BANDS = ["16-19", "20-24", *[f"{a}-{a + 4}" for a in range(25, 65, 5)]]
DATA_AREAS = ["000", "084", "101", "147"]


def areas() -> list[tuple[str, str]]:
    with MUNICIPALITIES.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    regions = sorted({(r["region_code"].zfill(3), r["region_name"]) for r in rows})
    munis = [(r["code"].zfill(3), r["name"]) for r in rows]
    return [("000", "All Denmark"), *regions, *munis, ("411", "Christiansø")]


def variable(vid: str, text: str, values: list[tuple[str, str]], time: bool = False) -> dict:
    return {
        "id": vid,
        "text": text,
        "elimination": not time,
        "time": time,
        **({"map": "denmark_municipality_07"} if vid == "OMRÅDE" else {}),
        "values": [{"id": c, "text": t} for c, t in values],
    }


def tableinfo(table: str, text: str, description: str, unit: str, variables: list[dict]) -> str:
    body = {
        "id": table,
        "text": text,
        "description": description,
        "unit": unit,
        "suppressedDataValue": "0",
        "updated": UPDATED,
        "active": True,
        "contacts": [{"name": "(removed)", "phone": "(removed)", "mail": "(removed)"}],
        "documentation": {"id": "constructed", "url": "https://www.dst.dk/"},
        "footnote": None,
        "variables": variables,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def bulk(header: list[str], rows: list[list[str]]) -> bytes:
    lines = [";".join([*header, "INDHOLD"])] + [";".join(r) for r in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def number(x: float, decimals: int) -> str:
    return f"{x:.{decimals}f}".replace(".", ",") if decimals else str(round(x))


def write(name: str, content: str | bytes) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    (HERE / name).write_bytes(data)


def folk1e(rng: random.Random) -> None:
    ages = [("IALT", "Age, total")] + [(str(a), f"{a} years") for a in range(0, 100)]
    ages.append(("100OV", "100 years and over"))
    quarters = [(f"{y}K{q}", f"{y}Q{q}") for y in range(2008, 2026) for q in range(1, 5)]
    quarters = quarters[: quarters.index(("2025K2", "2025Q2")) + 1]
    write(
        "tableinfo_FOLK1E.json",
        tableinfo(
            "FOLK1E",
            "Population at the first day of the quarter",
            "Population at the first day of the quarter by region, sex, age, ancestry and time",
            "Number",
            [
                variable("OMRÅDE", "region", areas()),
                variable("KØN", "sex", KOEN_FOLK),
                variable("ALDER", "age", ages),
                variable("HERKOMST", "ancestry", HERKOMST_FOLK),
                variable("Tid", "time", quarters, time=True),
            ],
        ),
    )
    size = {"000": 5_900_000, "084": 1_880_000, "101": 650_000, "147": 104_000}
    share = {"1": 0.84, "24": 0.045, "25": 0.065, "34": 0.007, "35": 0.043}
    rows = []
    for area, tid in itertools.product(DATA_AREAS, ["2023K1", "2024K1"]):
        for her, _ in HERKOMST_FOLK[1:]:
            m = round(size[area] * share[her] * rng.uniform(0.48, 0.52))
            f = round(size[area] * share[her] * rng.uniform(0.48, 0.52))
            cells = {"1": m, "2": f, "TOT": m + f}
            for sex in ("TOT", "1", "2"):
                rows.append([area, sex, "IALT", her, tid, str(cells[sex])])
        for sex in ("TOT", "1", "2"):  # totals are the sums of the five groups
            tot = sum(int(r[5]) for r in rows if r[0] == area and r[4] == tid and r[1] == sex)
            rows.append([area, sex, "IALT", "TOT", tid, str(tot)])
    # One suppressed cell, as the API writes it (ANCHORS.md §5.3).
    for r in rows:
        if r[:5] == ["147", "2", "IALT", "34", "2023K1"]:
            r[5] = ".."
    write("data_FOLK1E.bulk.csv", bulk(["OMRÅDE", "KØN", "ALDER", "HERKOMST", "TID"], rows))


def ras200(rng: random.Random) -> None:
    ages = [("TOT", "Age, total"), ("16-64", "16-64 years")] + [(b, f"{b} years") for b in BANDS]
    years = [(str(y), str(y)) for y in range(2008, 2024)]
    write(
        "tableinfo_RAS200.json",
        tableinfo(
            "RAS200",
            "Activity and employment rates (end November)",
            "Activity and employment rates (end November) by region, ancestry, age (16-65 years), "
            "sex, type of rate and time",
            "Per cent",
            [
                variable("OMRÅDE", "region", areas()),
                variable("HERKOMST", "ancestry", HERKOMST_RAS200),
                variable("ALDER", "age", ages),
                variable("KØN", "sex", KOEN_RAS200),
                variable(
                    "BEREGNING",
                    "type of rate",
                    [("EFK", "Activity rate"), ("BFK", "Employment rate")],
                ),
                variable("Tid", "time", years, time=True),
            ],
        ),
    )
    base = {"00": 76.0, "10": 79.0, "24": 66.0, "25": 58.0, "34": 70.0, "35": 62.0}
    rows = []
    for area, her, age, sex, calc, year in itertools.product(
        DATA_AREAS,
        [h for h, _ in HERKOMST_RAS200],
        ["16-64", "25-29"],
        ["TOT", "M", "K"],
        ["BFK", "EFK"],
        ["2022", "2023"],
    ):
        v = base[her] + rng.uniform(-3, 3) + (3 if calc == "EFK" else 0)
        rows.append([area, her, age, sex, calc, year, number(v, 1)])
    for r in rows:
        if r[:6] == ["147", "34", "16-64", "K", "BFK", "2023"]:
            r[6] = ".."
    write(
        "data_RAS200.bulk.csv",
        bulk(["OMRÅDE", "HERKOMST", "ALDER", "KØN", "BEREGNING", "TID"], rows),
    )


def ras201(rng: random.Random) -> None:
    ages = [("TOT", "Age, total")] + [(b, f"{b} years") for b in BANDS]
    socio = [
        ("TOT", "Total"),
        ("100", "Employed"),
        ("200", "Unemployed"),
        ("300", "Outside the labour force"),
    ]
    years = [(str(y), str(y)) for y in range(2008, 2024)]
    write(
        "tableinfo_RAS201.json",
        tableinfo(
            "RAS201",
            "Population (end November)",
            "Population (end November) by region, socioeconomic status, ancestry, age, sex and time",
            "Number",
            [
                variable("OMRÅDE", "region", areas()),
                variable("SOCIO", "socioeconomic status", socio),
                variable("HERKOMST", "ancestry", HERKOMST_FOLK),
                variable("ALDER", "age", ages),
                variable("KØN", "sex", KOEN_FOLK),
                variable("Tid", "time", years, time=True),
            ],
        ),
    )
    rate = {"1": 0.80, "24": 0.68, "25": 0.60, "34": 0.72, "35": 0.64}
    size = {"000": 30_000, "101": 4_000}
    rows = []
    for area, year, age in itertools.product(["000", "101"], ["2022", "2023"], BANDS):
        for her, _ in HERKOMST_FOLK[1:]:
            for sex in ("1", "2"):
                pop = round(size[area] * (0.85 if her == "1" else 0.04) * rng.uniform(0.8, 1.2))
                emp = round(pop * rate[her] * rng.uniform(0.9, 1.05))
                une = round((pop - emp) * 0.15)
                for code, v in (("TOT", pop), ("100", emp), ("200", une), ("300", pop - emp - une)):
                    rows.append([area, code, her, age, sex, year, v])
    # Totals over sex and over origin, summed from the parts as the table does.
    keyed: dict[tuple, int] = {}
    for r in rows:
        for sex in (r[4], "TOT"):
            for her in (r[2], "TOT"):
                k = (r[0], r[1], her, r[3], sex, r[5])
                keyed[k] = keyed.get(k, 0) + r[6] if (her, sex) != (r[2], r[4]) else r[6]
    out = [[*k, str(v)] for k, v in sorted(keyed.items())]
    for r in out:
        if r[:6] == ["101", "100", "34", "30-34", "2", "2023"]:
            r[6] = ".."
    write("data_RAS201.bulk.csv", bulk(["OMRÅDE", "SOCIO", "HERKOMST", "ALDER", "KØN", "TID"], out))


def strafna9(rng: random.Random) -> None:
    ages = [("TOT", "Age, total"), ("15-29", "15-29 years"), ("30-49", "30-49 years")]
    ages.append(("50-79", "50-79 years"))
    years = [(str(y), str(y)) for y in range(2008, 2025)]
    write(
        "tableinfo_STRAFNA9.json",
        tableinfo(
            "STRAFNA9",
            "Persons guilty in crimes",
            "Persons guilty in crimes by sex, age, ancestry and time",
            "Number",
            [
                variable("KOEN", "sex", KOEN_STRAF),
                variable("ALDER", "age", ages),
                variable("HERKOMST", "ancestry", HERKOMST_STRAF),
                variable("Tid", "time", years, time=True),
            ],
        ),
    )
    men = {"1": 88_000, "24": 3_500, "25": 15_000, "34": 400, "35": 9_300}
    rows = []
    for year, sex in itertools.product(["2022", "2023"], ["M", "K"]):
        parts = {
            h: round(n * (1 if sex == "M" else 0.3) * rng.uniform(0.95, 1.05))
            for h, n in men.items()
        }
        parts["21"] = parts["24"] + parts["25"]
        parts["31"] = parts["34"] + parts["35"]
        parts["TOT"] = parts["1"] + parts["21"] + parts["31"]
        for her, _ in HERKOMST_STRAF:
            bands = [round(parts[her] * s) for s in (0.45, 0.35)]
            bands.append(parts[her] - sum(bands))
            for (age, _), v in zip(ages, [parts[her], *bands], strict=True):
                rows.append([sex, age, her, year, str(v)])
    write("data_STRAFNA9.bulk.csv", bulk(["KOEN", "ALDER", "HERKOMST", "TID"], rows))


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    rng = random.Random(20250907)
    folk1e(rng)
    ras200(rng)
    ras201(rng)
    strafna9(rng)
