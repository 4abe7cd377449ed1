"""Case-domain tables (PROGRAMME.md §4.2): persons, responsibilities, dated episodes, competence
profiles, waivers, companies and internship slots, and cases anonymised to statistics.

Pathway states and deadline tasks are never stored: they are derived from these rows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from barometer.casework.db import Base

EPISODE_KINDS = (
    "contract",
    "follow_up",
    "danish_education",
    "danish_test",
    "internship",
    "wage_subsidy",
    "upskilling",
    "mentor",
    "igu",
    "ordinary_job",
    "education",
    # Beyond the list: the asylum-centre meeting (K16) and benefit spells (§4.3).
    "asylum_contact",
    "benefit",
)
COMPANY_OFFER_KINDS = ("internship", "wage_subsidy")  # D4: virksomhedspraktik or løntilskud
COMPANY_KINDS = ("internship", "wage_subsidy", "igu")  # K8: company-oriented, IGU included
OFFER_KINDS = ("upskilling", "internship", "wage_subsidy", "mentor")  # § 23 offers
SEXES = ("male", "female")
PERMIT_BASES = ("refugee", "reunified")
EXIT_REASONS = (
    "ordinary_employment",
    "ordinary_education",
    "max_5_years",
    "permanent_residence",
    "transferred",
    "left_country",
    "repatriated",
    "deceased",
    "other",
)
# Exits after which the person is no longer alive and resident in Denmark (K12).
GONE_REASONS = ("left_country", "repatriated", "deceased")
CEFR_LEVELS = ("none", "A1", "A2", "B1", "B2", "C1")


class Person(Base):
    __tablename__ = "persons"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_ref: Mapped[str] = mapped_column(String(64), unique=True)  # the municipality's id
    cpr_cipher: Mapped[bytes] = mapped_column(LargeBinary)  # AES-GCM, key outside the database
    cpr_hash: Mapped[str] = mapped_column(String(64), unique=True)  # keyed hash, for lookup
    name: Mapped[str | None] = mapped_column(String(200))
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date]
    country_code: Mapped[str] = mapped_column(String(4))
    permit_basis: Mapped[str] = mapped_column(String(16), default="refugee")
    municipality_code: Mapped[str] = mapped_column(String(3))  # placed in (responsible at T0)
    placement_date: Mapped[date]
    takeover_date: Mapped[date | None]  # agreed T0, when earlier than the rule's
    arrival_date: Mapped[date | None]
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    exit_date: Mapped[date | None]
    exit_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]

    episodes: Mapped[list[Episode]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Episode.start_date"
    )
    responsibilities: Mapped[list[Responsibility]] = relationship(
        cascade="all, delete-orphan", order_by="Responsibility.start_date"
    )
    profile: Mapped[CompetenceProfile | None] = relationship(cascade="all, delete-orphan")
    waivers: Mapped[list[Waiver]] = relationship(cascade="all, delete-orphan")


class Responsibility(Base):
    """Which municipality is responsible from when: the start (T0), transfers with acceptance."""

    __tablename__ = "responsibilities"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[str] = mapped_column(String(3))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    accepted_by: Mapped[str | None] = mapped_column(String(64))


class Episode(Base):
    """A dated episode of one kind (EPISODE_KINDS); the fields that do not apply stay empty."""

    __tablename__ = "episodes"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    hours_per_week: Mapped[float | None]
    company_cvr: Mapped[str | None] = mapped_column(String(8), index=True)
    disco_code: Mapped[str | None] = mapped_column(String(4))
    passed: Mapped[bool | None]
    goal: Mapped[str | None] = mapped_column(String(16))  # contract: employment | education
    level: Mapped[str | None] = mapped_column(String(16))  # DU1-3; PD1-3, studieproeve
    module: Mapped[int | None]  # DU module 1-6
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id", ondelete="SET NULL"))
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]

    person: Mapped[Person] = relationship(back_populates="episodes")


class CompetenceProfile(Base):
    """Education and occupations as clarified at the asylum centre or later (LetAsyl-shaped)."""

    __tablename__ = "competence_profiles"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), unique=True
    )
    schooling_years: Mapped[int | None]
    education_level: Mapped[int | None]  # ISCED 2011 level 0-8
    occupations: Mapped[list] = mapped_column(JSON, default=list)  # [{"disco": "5223", "years": 3}]
    languages: Mapped[list] = mapped_column(JSON, default=list)  # ["ar", "en"]
    danish_cefr: Mapped[str] = mapped_column(String(4), default="none")
    source: Mapped[str | None] = mapped_column(String(32))  # handover_form, interview
    updated_at: Mapped[datetime]


class Waiver(Base):
    """A deadline set aside for one person; it counts only with a reason and an approver."""

    __tablename__ = "waivers"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(500))
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None]


class Company(Base):
    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(primary_key=True)
    cvr: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(6))  # DB07
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    partnership_since: Mapped[date | None]
    slots: Mapped[list[Slot]] = relationship(back_populates="company", order_by="Slot.start_date")


class Slot(Base):
    """An internship, wage-subsidy or IGU place a company offers (CiviVolunteer's "need")."""

    __tablename__ = "slots"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # internship | wage_subsidy | igu
    title: Mapped[str] = mapped_column(String(200))
    disco_code: Mapped[str] = mapped_column(String(4))
    capacity: Mapped[int]
    start_date: Mapped[date]
    end_date: Mapped[date]
    hours_per_week: Mapped[float]
    min_danish: Mapped[str] = mapped_column(String(4), default="none")  # CEFR_LEVELS
    company: Mapped[Company] = relationship(back_populates="slots")


class AnonymisedCase(Base):
    """A closed case reduced to what the KPIs need (§4.6): dates as day offsets from T0,
    T0 as its month, age as a band, origin as flags, company identity as a per-case index."""

    __tablename__ = "anonymised_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_month: Mapped[str] = mapped_column(String(7))  # YYYY-MM of T0
    t0_day: Mapped[int]  # day of month of T0 (1 unless an earlier takeover was agreed)
    municipality_code: Mapped[str] = mapped_column(String(3))
    sex: Mapped[str] = mapped_column(String(8))
    age_band: Mapped[str] = mapped_column(String(8))
    western: Mapped[bool]
    menapt: Mapped[bool]
    permit_basis: Mapped[str] = mapped_column(String(16))
    record: Mapped[dict] = mapped_column(JSON)  # offsets: placement, arrival, exit, episodes …
    anonymised_at: Mapped[datetime]
