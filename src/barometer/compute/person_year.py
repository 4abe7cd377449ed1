"""The person-year table of one year, as an Ibis expression. It never leaves the compute step.

The population snapshot (bef) is the base; every other register contributes a small fact table
keyed by PNR (employed persons, education groups, summed public support, convicted persons,
9th-grade results, Danish-test cohorts) that is left-joined onto it. Fact tables are reduced
before the join (only employed PNRs, supports summed per person), so each join builds a hash
table much smaller than the population. (An alternative that stacks every register and groups
by PNR was measured slower on these machines: see docs/performance.md.)
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from barometer.codes import load_socio13
from barometer.sources.registers import Delivery


@dataclass(frozen=True)
class SupportSpec:
    codes: tuple[str, ...] | None  # PTI_TILSTAND_KODE counted; None = every spell


@dataclass(frozen=True)
class ConvictionSpec:
    criminal_code_prefixes: tuple[str, ...]
    non_guilty_decision_types: tuple[int, ...]


@dataclass(frozen=True)
class PaidWorkSpec:
    month: int  # the reference month of the wage records
    min_hours: float  # fewest paid hours in it, summed over employers


@dataclass(frozen=True)
class Fact:
    """Columns one source adds to the person-year table, and how they combine per person."""

    source: str  # register key, for messages ("akm", "udda", …)
    table: ir.Table  # PNR plus the fact columns
    combine: dict[str, str]  # unused by joins; kept for engines that stack facts
    snapshot: bool = False  # one row per person (a duplicate would be counted twice)


# The finest origin cells (DOMAIN.md §4.1): IE_TYPE × the country's western flag.
ORIGIN_CELLS = (
    "danish_origin",
    "immigrants_western",
    "immigrants_non_western",
    "descendants_western",
    "descendants_non_western",
)
SEX_CODES = {"male": 1, "female": 2}  # KOEN

DEMOGRAPHIC_COLUMNS = {
    "KOM": dt.string,
    "KOEN": dt.int32,
    "ALDER": dt.int32,
    "IE_TYPE": dt.int32,
    "OPR_LAND": dt.string,
    "FOED_DAG": dt.date,
    "FOERSTE_INDVANDRING": dt.date,
}


def exact_age(born: ir.DateValue, at: ir.DateValue) -> ir.IntegerValue:
    """Whole years between two dates: a birthday counts from its day (DOMAIN.md §1.5, 0-12)."""
    before_birthday = (at.month() * 100 + at.day()) < (born.month() * 100 + born.day())
    return (at.year() - born.year()) - ibis.ifelse(before_birthday, 1, 0)


def population_fact(con: ibis.BaseBackend, delivery: Delivery, year: int) -> Fact:
    bef = con.table(delivery.view("bef", year))
    cols = {c: bef[c].cast(t) for c, t in DEMOGRAPHIC_COLUMNS.items()}
    return Fact("bef", bef.select(PNR=bef.PNR, **cols), {}, snapshot=True)


def employment_fact(con: ibis.BaseBackend, delivery: Delivery, year: int) -> Fact:
    """employed: SOCIO13 in akm{year} is an employed code (110-139, reference/socio13.csv)."""
    akm = con.table(delivery.view("akm", year))
    codes = [c for c, employed in load_socio13().items() if employed]
    # Only the employed are joined: half the hash table of all akm rows. A person without a
    # row counts as not employed. (Validation has checked one row per person.)
    t = akm.filter(akm.SOCIO13.isin(codes)).select(PNR=akm.PNR, employed=ibis.literal(True))
    return Fact("akm", t, {}, snapshot=True)


def education_fact(con: ibis.BaseBackend, delivery: Delivery, year: int, groups: set[str]) -> Fact:
    """edu_main_group: the main group of HFAUDD in udda{year}09 (reference/main_groups.csv),
    for persons in one of ``groups`` (the union of the numerators' groups) only: everyone else
    counts as not completed either way, and the join's hash table shrinks."""
    udda = con.table(delivery.view("udda", year))
    edu = con.table("code_education")
    edu = edu.filter(edu.main_group.isin(sorted(groups)))
    j = udda.inner_join(edu, udda.HFAUDD == edu.hfaudd)
    t = j.select(PNR=j.PNR, edu_main_group=j.main_group)
    return Fact("udda", t, {}, snapshot=True)


def support_fact(
    con: ibis.BaseBackend, delivery: Delivery, year: int, spec: SupportSpec, column: str
) -> Fact:
    """Full-time recipient share: GRADAAR summed per person (capped at 1 by the caller)."""
    of = con.table(delivery.view("of", year))
    if spec.codes is not None:
        of = of.filter(of.PTI_TILSTAND_KODE.isin(list(spec.codes)))
    return Fact("of", of.group_by("PNR").aggregate(**{column: of.GRADAAR.sum()}), {})


def conviction_fact(
    con: ibis.BaseBackend, delivery: Delivery, year: int, spec: ConvictionSpec, column: str
) -> Fact:
    """A guilty criminal-code decision dated in ``year`` (a person counts once)."""
    kraf = con.table(delivery.view("kraf"))
    cond = (kraf.AFG_AFGOEDTO.year() == year) & ibis.or_(
        *[kraf.AFG_GER7.startswith(p) for p in spec.criminal_code_prefixes]
    )
    if spec.non_guilty_decision_types:
        cond &= ~kraf.AFG_AFGTYP3.isin(list(spec.non_guilty_decision_types))
    k = kraf.filter(cond).select("PNR").distinct()
    return Fact("kraf", k.mutate(**{column: ibis.literal(True)}), {})


def paid_work_fact(
    con: ibis.BaseBackend, delivery: Delivery, year: int, spec: PaidWorkSpec, column: str
) -> Fact:
    """Paid work in the reference month of eindk{year}: the paid hours of every employer in
    the month summed per person, at least the minimum (a fee without hours does not count)."""
    w = con.table(delivery.view("eindk", year))
    w = w.filter(w.MAANED == spec.month)
    per = w.group_by("PNR").aggregate(hours=w.LOENTIMER.sum())
    t = per.filter(per.hours >= spec.min_hours).select("PNR", **{column: ibis.literal(True)})
    return Fact("eindk", t, {})


def join_facts(base: Fact, facts: list[Fact]) -> ir.Table:
    """Left-join each fact table onto the population by PNR."""
    t = base.table
    for f in facts:
        r = f.table.rename(_pnr="PNR")
        cols = [c for c in r.columns if c != "_pnr"]
        j = t.left_join(r, r._pnr == t.PNR)
        t = j.select(*t.columns, *cols)
    return t


def label_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells keyed by ``origin_code``/``sex_code`` → the same keyed by their labels."""
    origin = np.asarray(ORIGIN_CELLS, dtype=object)[cells.pop("origin_code").astype(int)]
    sexes = {code: label for label, code in SEX_CODES.items()}
    return cells.assign(origin_cell=origin, sex=cells.pop("sex_code").astype(int).map(sexes))


def with_demographics(con: ibis.BaseBackend, person: ir.Table) -> ir.Table:
    """Persons resident at 31 December (in bef) with their grouping dimensions (DOMAIN §4.1)."""
    p = person
    countries = con.table("code_countries")
    t = p.left_join(countries, countries.code == p.OPR_LAND)
    is_imm = t.IE_TYPE == 2
    western = t.is_western.fill_null(False)
    # Small integer codes, not labels: grouping 6 million rows by integers is cheaper, and the
    # labels are put on the few cells afterwards (label_cells).
    origin_code = ibis.cases(
        (t.IE_TYPE == 1, ORIGIN_CELLS.index("danish_origin")),
        (is_imm & western, ORIGIN_CELLS.index("immigrants_western")),
        (is_imm, ORIGIN_CELLS.index("immigrants_non_western")),
        (western, ORIGIN_CELLS.index("descendants_western")),
        else_=ORIGIN_CELLS.index("descendants_non_western"),
    )
    extra = [c for c in p.columns if c not in DEMOGRAPHIC_COLUMNS and c != "PNR"]
    return t.select(
        *[t[c] for c in extra],
        municipality_code=t.KOM,
        sex_code=ibis.ifelse(t.KOEN == 1, SEX_CODES["male"], SEX_CODES["female"]),
        origin_code=origin_code,
        menapt=(t.IE_TYPE != 1) & t.is_menapt.fill_null(False),
        ie_type=t.IE_TYPE,
        age=t.ALDER,
        immigrant_arrival_age=ibis.ifelse(
            is_imm, exact_age(t.FOED_DAG, t.FOERSTE_INDVANDRING), ibis.null("int64")
        ),
    )
