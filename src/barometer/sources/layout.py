"""The register delivery layout: file names, columns and logical types.

Names follow Statistics Denmark's research deliveries (../shared/docs/REGISTERS.md §2). One file
per register and period, as Parquet, CSV or SAS (``.sas7bdat``); the stem is lower case:

- ``bef{YYYY}12``   population at the end of year YYYY (one row per person)
- ``akm{YYYY}``     socio-economic classification for year YYYY (SOCIO13)
- ``udda{YYYY}09``  highest completed education at September of year YYYY
- ``of{YYYY}``      public support spells in year YYYY (OF, full-time shares per spell)
- ``ind{YYYY}``     personal income in year YYYY (IND)
- ``eindk{YYYY}``   monthly wage records of year YYYY (eIndkomst style; provisional names)
- ``udfk``          9th-grade exam marks, cumulative (all school years)
- ``kraf``          criminal decisions, cumulative
- ``danskuddannelse`` Danish education for adults: NOT a DST register (REGISTERS.md §2, "Danish
  tests: gap"); the names below are this project's provisional names.
- ``boligomraader`` address → housing area (an external input keyed to ADRESSE_ID).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["str", "int", "float", "date"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    nullable: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Register:
    """One register: its file-name pattern and columns."""

    key: str
    pattern: str  # stem with {year} where the register is per period
    columns: tuple[Column, ...]
    doc: str
    unique_pnr: bool = False  # a snapshot has one row per person
    provisional: bool = False  # names are ours, not Statistics Denmark's

    @property
    def yearly(self) -> bool:
        return "{year}" in self.pattern

    def stem(self, year: int | None = None) -> str:
        return self.pattern.format(year=year) if self.yearly else self.pattern

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


BEF = Register(
    key="bef",
    pattern="bef{year}12",
    doc="Population at 31 December (BEF).",
    unique_pnr=True,
    columns=(
        Column("PNR", "str", doc="pseudonymised person key"),
        Column("FOED_DAG", "date", doc="date of birth"),
        Column("ALDER", "int", doc="age at the reference date (31 December)"),
        Column("KOEN", "int", doc="1 male, 2 female"),
        Column("KOM", "str", doc="3-digit municipality code (one of the 98)"),
        Column("IE_TYPE", "int", doc="1 Danish origin, 2 immigrant, 3 descendant"),
        Column("OPR_LAND", "str", doc="4-digit DST country-of-origin code"),
        Column("FOERSTE_INDVANDRING", "date", nullable=True, doc="first immigration date"),
        Column("ADRESSE_ID", "str", nullable=True, doc="residence address key"),
    ),
)
AKM = Register(
    key="akm",
    pattern="akm{year}",
    doc="Socio-economic classification of the year (AKM); employed = SOCIO13 110-139.",
    unique_pnr=True,
    columns=(Column("PNR", "str"), Column("SOCIO13", "int", doc="SOCIO13 code")),
)
UDDA = Register(
    key="udda",
    pattern="udda{year}09",
    doc="Highest completed education at September (UDDA).",
    unique_pnr=True,
    columns=(Column("PNR", "str"), Column("HFAUDD", "str", nullable=True, doc="education code")),
)
OF = Register(
    key="of",
    pattern="of{year}",
    doc="Public support spells of the year (OF); GRADAAR is the spell's share of a full year.",
    columns=(
        Column("PNR", "str"),
        Column("PTI_TILSTAND_KODE", "str", doc="4-digit measure code"),
        Column("PTI_VFRA", "date", doc="spell start"),
        Column("PTI_VTIL", "date", doc="spell end"),
        Column("GRADAAR", "float", doc="share of the year (0-1) as a full-time recipient"),
    ),
)
UDFK = Register(
    key="udfk",
    pattern="udfk",
    doc="9th-grade exam marks (UDFK), cumulative over school years.",
    columns=(
        Column("PNR", "str"),
        Column("SKOLEAAR", "str", doc="school year, e.g. 2020/2021"),
        Column("GRUNDSKOLEFAG", "str", doc="subject, e.g. Dansk, Matematik"),
        Column("FAGDISCIPLIN", "str", doc="discipline, e.g. Skriftlig fremstilling"),
        Column("KLTRIN", "int", doc="grade level (9 = 9th grade)"),
        Column("GRUNDSKOLEKARAKTER", "float", nullable=True, doc="mark on the 7-point scale"),
    ),
)
KRAF = Register(
    key="kraf",
    pattern="kraf",
    doc="Criminal decisions (KRAF), cumulative.",
    columns=(
        Column("PNR", "str"),
        Column("AFG_AFGOEDTO", "date", doc="date of the decision"),
        Column("AFG_GER7", "str", doc="7-digit offence code (1xxxxxx = criminal code)"),
        Column("AFG_AFGTYP3", "int", doc="type of decision or sanction"),
    ),
)
IND = Register(
    key="ind",
    pattern="ind{year}",
    doc="Personal income of the year (IND); used for the housing-law income criterion.",
    unique_pnr=True,
    columns=(
        Column("PNR", "str"),
        Column("PERINDKIALT_13", "float", nullable=True, doc="total personal income, DKK"),
    ),
)
EINDK = Register(
    key="eindk",
    pattern="eindk{year}",
    doc=(
        "Monthly wage records of the year (eIndkomst style, as in BFL/AKM's sources): one row "
        "per person, employer and month with paid hours (provisional names)."
    ),
    provisional=True,
    columns=(
        Column("PNR", "str"),
        Column("CVRNR", "str", doc="the employer's CVR number"),
        Column("MAANED", "int", doc="month of the wage period, 1-12"),
        Column("LOENTIMER", "float", doc="paid hours in the month (0 for fees without hours)"),
        Column("LOENBELOEB", "float", doc="wage paid in the month, DKK"),
    ),
)
DANSKUDDANNELSE = Register(
    key="danskuddannelse",
    pattern="danskuddannelse",
    doc="Danish education for adults (provisional names; not a DST register).",
    provisional=True,
    columns=(
        Column("PNR", "str"),
        Column("KURSISTTYPE", "str", doc="I = under the integration programme, S = self-support"),
        Column("STARTDATO", "date", doc="start of Danish education"),
        Column("PROEVE", "str", nullable=True, doc="test taken: PD1, PD2, PD3"),
        Column("PROEVEDATO", "date", nullable=True, doc="date of the test"),
        Column("BESTAAET", "int", nullable=True, doc="1 passed, 0 failed"),
    ),
)
BOLIGOMRAADER = Register(
    key="boligomraader",
    pattern="boligomraader",
    doc="Address to housing area (almenboligloven § 61 a, stk. 3).",
    provisional=True,
    columns=(
        Column("ADRESSE_ID", "str"),
        Column("area_id", "str"),
        Column("area_name", "str"),
        Column("KOM", "str"),
    ),
)

REGISTERS: dict[str, Register] = {
    r.key: r for r in (BEF, AKM, UDDA, OF, IND, EINDK, UDFK, KRAF, DANSKUDDANNELSE, BOLIGOMRAADER)
}
FILE_SUFFIXES = (".parquet", ".csv", ".sas7bdat")
