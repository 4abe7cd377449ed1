"""Welcome House tables: houses, organisations, volunteers (no CPR), certificate notes,
activities, sessions, assignments, attendance headcounts, consents and their visits, and the
scope of Welcome House users. Branches from the platform, beside the programme's tables.

Revision ID: welcomehouse_0001
Revises: platform_0001
Create Date: 2026-12-06 22:01:10.997859

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "welcomehouse_0001"
down_revision: str | Sequence[str] | None = "platform_0001"
branch_labels: str | Sequence[str] | None = ("welcomehouse",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "wh_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wh_consents")),
        sa.UniqueConstraint("code", name=op.f("uq_wh_consents_code")),
    )
    with op.batch_alter_table("wh_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wh_consents_person_id"), ["person_id"], unique=False)

    op.create_table(
        "wh_houses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wh_houses")),
        sa.UniqueConstraint("code", name=op.f("uq_wh_houses_code")),
    )
    op.create_table(
        "wh_organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_ref", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("cvr", sa.String(length=8), nullable=True),
        sa.Column("agreement", sa.String(length=200), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wh_organisations")),
        sa.UniqueConstraint("org_ref", name=op.f("uq_wh_organisations_org_ref")),
    )
    op.create_table(
        "wh_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_ref", sa.String(length=64), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("requires_certificate", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["house_id"], ["wh_houses.id"], name=op.f("fk_wh_activities_house_id_wh_houses")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["wh_organisations.id"],
            name=op.f("fk_wh_activities_organisation_id_wh_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wh_activities")),
        sa.UniqueConstraint("activity_ref", name=op.f("uq_wh_activities_activity_ref")),
    )
    with op.batch_alter_table("wh_activities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wh_activities_house_id"), ["house_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_wh_activities_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "wh_volunteers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_ref", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("house_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["house_id"], ["wh_houses.id"], name=op.f("fk_wh_volunteers_house_id_wh_houses")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["wh_organisations.id"],
            name=op.f("fk_wh_volunteers_organisation_id_wh_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wh_volunteers")),
        sa.UniqueConstraint("volunteer_ref", name=op.f("uq_wh_volunteers_volunteer_ref")),
    )
    with op.batch_alter_table("wh_volunteers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wh_volunteers_house_id"), ["house_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_wh_volunteers_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "wh_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("assessed_ok", sa.Boolean(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("assessed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["wh_volunteers.id"],
            name=op.f("fk_wh_certificates_volunteer_id_wh_volunteers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wh_certificates")),
    )
    with op.batch_alter_table("wh_certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wh_certificates_volunteer_id"), ["volunteer_id"], unique=False
        )

    op.create_table(
        "wh_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_ref", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=False),
        sa.Column("roles", sa.String(length=200), nullable=True),
        sa.Column("volunteers_needed", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["wh_activities.id"],
            name=op.f("fk_wh_sessions_activity_id_wh_activities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wh_sessions")),
        sa.UniqueConstraint("session_ref", name=op.f("uq_wh_sessions_session_ref")),
    )
    with op.batch_alter_table("wh_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wh_sessions_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_wh_sessions_date"), ["date"], unique=False)

    op.create_table(
        "wh_user_scopes",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("house_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["house_id"], ["wh_houses.id"], name=op.f("fk_wh_user_scopes_house_id_wh_houses")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["wh_organisations.id"],
            name=op.f("fk_wh_user_scopes_organisation_id_wh_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_wh_user_scopes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["wh_volunteers.id"],
            name=op.f("fk_wh_user_scopes_volunteer_id_wh_volunteers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_wh_user_scopes")),
    )
    op.create_table(
        "wh_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Double(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["wh_sessions.id"],
            name=op.f("fk_wh_assignments_session_id_wh_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["wh_volunteers.id"],
            name=op.f("fk_wh_assignments_volunteer_id_wh_volunteers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wh_assignments")),
        sa.UniqueConstraint(
            "volunteer_id", "session_id", name=op.f("uq_wh_assignments_volunteer_id")
        ),
    )
    with op.batch_alter_table("wh_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wh_assignments_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_wh_assignments_volunteer_id"), ["volunteer_id"], unique=False
        )

    op.create_table(
        "wh_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("age_band", sa.String(length=8), nullable=False),
        sa.Column("sex", sa.String(length=8), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["wh_sessions.id"], name=op.f("fk_wh_attendance_session_id_wh_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wh_attendance")),
        sa.UniqueConstraint(
            "session_id", "age_band", "sex", name=op.f("uq_wh_attendance_session_id")
        ),
    )
    with op.batch_alter_table("wh_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wh_attendance_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "wh_consent_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["wh_consents.id"],
            name=op.f("fk_wh_consent_visits_consent_id_wh_consents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["wh_sessions.id"],
            name=op.f("fk_wh_consent_visits_session_id_wh_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wh_consent_visits")),
        sa.UniqueConstraint(
            "consent_id", "session_id", name=op.f("uq_wh_consent_visits_consent_id")
        ),
    )
    with op.batch_alter_table("wh_consent_visits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wh_consent_visits_consent_id"), ["consent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_wh_consent_visits_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("wh_consent_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wh_consent_visits_session_id"))
        batch_op.drop_index(batch_op.f("ix_wh_consent_visits_consent_id"))

    op.drop_table("wh_consent_visits")
    with op.batch_alter_table("wh_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wh_attendance_session_id"))

    op.drop_table("wh_attendance")
    with op.batch_alter_table("wh_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wh_assignments_volunteer_id"))
        batch_op.drop_index(batch_op.f("ix_wh_assignments_session_id"))

    op.drop_table("wh_assignments")
    op.drop_table("wh_user_scopes")
    with op.batch_alter_table("wh_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wh_sessions_date"))
        batch_op.drop_index(batch_op.f("ix_wh_sessions_activity_id"))

    op.drop_table("wh_sessions")
    with op.batch_alter_table("wh_certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wh_certificates_volunteer_id"))

    op.drop_table("wh_certificates")
    with op.batch_alter_table("wh_volunteers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wh_volunteers_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_wh_volunteers_house_id"))

    op.drop_table("wh_volunteers")
    with op.batch_alter_table("wh_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wh_activities_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_wh_activities_house_id"))

    op.drop_table("wh_activities")
    op.drop_table("wh_organisations")
    op.drop_table("wh_houses")
    with op.batch_alter_table("wh_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wh_consents_person_id"))

    op.drop_table("wh_consents")
