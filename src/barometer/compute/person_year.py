"""Person-level base tables as Ibis expressions. They never leave the compute step.

Every base is keyed by the person's demographics from ``bef{Y}12`` (DOMAIN.md §4.1): municipality,
sex, an origin cell (IE_TYPE × western flag of OPR_LAND, plus the MENAPT flag), age and, for
immigrants, the exact age at first immigration.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from barometer.codes import load_socio13
from barometer.sources.registers import Delivery


@dataclass(frozen=True)
class SupportSpec:
    codes: tuple[str, ...] | None  # PTI_TILSTAND_KODE counted; None = every spell


@dataclass(frozen=True)
class ConvictionSpec:
    criminal_code_prefixes: tuple[str, ...]
    non_guilty_decision_types: tuple[int, ...]


def exact_age(born: ir.DateValue, at: ir.DateValue) -> ir.IntegerValue:
    """Whole years between two dates: a birthday counts from its day (DOMAIN.md §1.5, 0-12)."""
    before_birthday = (at.month() * 100 + at.day()) < (born.month() * 100 + born.day())
    return (at.year() - born.year()) - ibis.ifelse(before_birthday, 1, 0)


def demographics(con: ibis.BaseBackend, delivery: Delivery, year: int) -> ir.Table:
    """One row per person resident at 31 December ``year`` with the grouping dimensions."""
    bef = con.table(delivery.view("bef", year))
    countries = con.table("code_countries")
    t = bef.left_join(countries, countries.code == bef.OPR_LAND)
    is_imm = t.IE_TYPE == 2
    western = t.is_western.fill_null(False)
    origin_cell = ibis.cases(
        (t.IE_TYPE == 1, "danish_origin"),
        (is_imm & western, "immigrants_western"),
        (is_imm, "immigrants_non_western"),
        (western, "descendants_western"),
        else_="descendants_non_western",
    )
    return t.select(
        PNR=t.PNR,
        municipality_code=t.KOM,
        sex=ibis.ifelse(t.KOEN == 1, "male", "female"),
        origin_cell=origin_cell,
        menapt=(t.IE_TYPE != 1) & t.is_menapt.fill_null(False),
        ie_type=t.IE_TYPE,
        age=t.ALDER,
        immigrant_arrival_age=ibis.ifelse(
            is_imm, exact_age(t.FOED_DAG, t.FOERSTE_INDVANDRING), ibis.null("int64")
        ),
    )


def employed_pnrs(con: ibis.BaseBackend, delivery: Delivery, year: int) -> ir.Table:
    """Persons whose SOCIO13 in akm{year} is an employed code (110-139, reference/socio13.csv)."""
    akm = con.table(delivery.view("akm", year))
    codes = [c for c, employed in load_socio13().items() if employed]
    return akm.filter(akm.SOCIO13.isin(codes)).select("PNR").distinct()


def education_groups(con: ibis.BaseBackend, delivery: Delivery, year: int) -> ir.Table:
    """PNR → education main group of HFAUDD in udda{year}09."""
    udda = con.table(delivery.view("udda", year))
    edu = con.table("code_education")
    j = udda.inner_join(edu, edu.hfaudd == udda.HFAUDD)
    return j.select(PNR=j.PNR, edu_main_group=j.main_group)


def support_fte(
    con: ibis.BaseBackend, delivery: Delivery, year: int, spec: SupportSpec
) -> ir.Table:
    """PNR → full-time recipient share of the year: sum of GRADAAR, capped at 1 (DOMAIN §1.5)."""
    of = con.table(delivery.view("of", year))
    if spec.codes is not None:
        of = of.filter(of.PTI_TILSTAND_KODE.isin(list(spec.codes)))
    agg = of.group_by("PNR").aggregate(fte=of.GRADAAR.sum())
    return agg.select("PNR", fte=ibis.least(agg.fte, 1.0))


def convicted_pnrs(
    con: ibis.BaseBackend, delivery: Delivery, year: int, spec: ConvictionSpec
) -> ir.Table:
    """Persons with a guilty criminal-code decision dated in ``year`` (counted once)."""
    kraf = con.table(delivery.view("kraf"))
    code_ok = ibis.or_(*[kraf.AFG_GER7.startswith(p) for p in spec.criminal_code_prefixes])
    cond = (kraf.AFG_AFGOEDTO.year() == year) & code_ok
    if spec.non_guilty_decision_types:
        cond &= ~kraf.AFG_AFGTYP3.isin(list(spec.non_guilty_decision_types))
    return kraf.filter(cond).select("PNR").distinct()
