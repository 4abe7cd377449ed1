"""Welcome House tables (PROGRAMME.md §4.4). None holds case data or a CPR number.

A certificate row is the dated note of an assessment (kind, received, assessed OK, valid
until): the certificate document itself is deleted once assessed and never stored here.
Attendance is an anonymous headcount by age band and sex. A person from the case domain
appears only through a :class:`Consent` (a programme person id, no foreign key: the domains
migrate apart), and only while that consent holds.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from barometer.casework.db import Base

CERTIFICATE_KINDS = ("criminal_record", "child")  # straffeattest, børneattest
REQUIREMENTS = ("none", "criminal_record", "child")
VOLUNTEER_STATUSES = ("prospective", "approved", "active", "expired", "inactive", "denied")
ASSIGNABLE_STATUSES = ("approved", "active")
ACTIVITY_KINDS = (
    "cafe",
    "danish_help",
    "job_cafe",
    "sewing",
    "bicycle_workshop",
    "children",
    "outing",
    "counselling",
    "other",
)
AGE_BANDS = ("0-5", "6-14", "15-17", "18-29", "30-49", "50-64", "65+")
SEXES = ("male", "female")
CONSENT_PURPOSES = ("reach",)  # W4: attendance linked to the person's programme cohort


class House(Base):
    __tablename__ = "wh_houses"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(200))


class Organisation(Base):
    __tablename__ = "wh_organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_ref: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    cvr: Mapped[str | None] = mapped_column(String(8))
    agreement: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))


class Volunteer(Base):
    """A volunteer: no CPR number (it is given orally when a certificate is ordered)."""

    __tablename__ = "wh_volunteers"
    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_ref: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("wh_organisations.id"), index=True
    )
    # The house a volunteer without an organisation belongs to (optional).
    house_id: Mapped[int | None] = mapped_column(ForeignKey("wh_houses.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    contact: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[Organisation | None] = relationship()
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="volunteer", order_by="Certificate.received_date"
    )


class Certificate(Base):
    """The note of an assessed certificate; the document is deleted once assessed."""

    __tablename__ = "wh_certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("wh_volunteers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    received_date: Mapped[date]
    assessed_ok: Mapped[bool]
    valid_until: Mapped[date | None]  # None: received + the renewal period
    assessed_by: Mapped[str | None] = mapped_column(String(64))
    volunteer: Mapped[Volunteer] = relationship(back_populates="certificates")


class Activity(Base):
    __tablename__ = "wh_activities"
    id: Mapped[int] = mapped_column(primary_key=True)
    activity_ref: Mapped[str] = mapped_column(String(64), unique=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("wh_houses.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("wh_organisations.id"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(200))
    requires_certificate: Mapped[str] = mapped_column(String(16))
    house: Mapped[House] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class ActivitySession(Base):
    """One dated session of an activity (a CiviVolunteer "need": roles and how many)."""

    __tablename__ = "wh_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_ref: Mapped[str] = mapped_column(String(64), unique=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("wh_activities.id"), index=True)
    date: Mapped[date] = mapped_column(index=True)
    start: Mapped[time]
    end: Mapped[time]
    roles: Mapped[str | None] = mapped_column(String(200))
    volunteers_needed: Mapped[int | None]
    activity: Mapped[Activity] = relationship()


class Assignment(Base):
    """A volunteer on a session; ``hours`` are the actual hours, logged afterwards."""

    __tablename__ = "wh_assignments"
    __table_args__ = (UniqueConstraint("volunteer_id", "session_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("wh_volunteers.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(ForeignKey("wh_sessions.id"), index=True)
    hours: Mapped[float | None]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    volunteer: Mapped[Volunteer] = relationship()
    session: Mapped[ActivitySession] = relationship()


class Attendance(Base):
    """An anonymous headcount of one session's participants in one age band and sex."""

    __tablename__ = "wh_attendance"
    __table_args__ = (UniqueConstraint("session_id", "age_band", "sex"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("wh_sessions.id"), index=True)
    age_band: Mapped[str] = mapped_column(String(8))
    sex: Mapped[str] = mapped_column(String(8))
    headcount: Mapped[int]


class Consent(Base):
    """A participant's consent to link attendance to their programme case for one purpose.

    ``person_id`` is the programme's internal person id (no foreign key: the two domains keep
    their own migrations). Welcome House staff see only ``code``, the card the participant
    shows; the link holds from ``given_on`` to ``expires_on`` unless withdrawn earlier.
    """

    __tablename__ = "wh_consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    person_id: Mapped[int] = mapped_column(index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    given_on: Mapped[date]
    expires_on: Mapped[date]
    withdrawn_on: Mapped[date | None]
    recorded_by: Mapped[str] = mapped_column(String(64))


class ConsentVisit(Base):
    """A consenting participant at a session (deleted when the consent is withdrawn)."""

    __tablename__ = "wh_consent_visits"
    __table_args__ = (UniqueConstraint("consent_id", "session_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(
        ForeignKey("wh_consents.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(ForeignKey("wh_sessions.id"), index=True)


class UserScope(Base):
    """The scope of a Welcome House user: a house (staff), an organisation (coordinator) or
    the volunteer the login belongs to."""

    __tablename__ = "wh_user_scopes"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    house_id: Mapped[int | None] = mapped_column(ForeignKey("wh_houses.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("wh_organisations.id"))
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("wh_volunteers.id", ondelete="CASCADE")
    )
