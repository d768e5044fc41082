"""agencies as data, AGENCY accounts, petition forwardings, the outbox and notification
preferences

The role CHECKs (account, petition_event) gain AGENCY; an AGENCY account is linked to one
agency (ck_account_agency). Nothing here depends on another domain's tables but the directory's
(administrative_unit), accounts and petitions.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ROLES_BEFORE = "'CITIZEN', 'DELEGATE', 'STAFF', 'MONITOR', 'ADMIN'"
ROLES_AFTER = ROLES_BEFORE + ", 'AGENCY'"


def _role_checks(roles: str) -> None:
    for table, name in (
        ("account", "ck_account_role"),
        ("petition_event", "ck_petition_event_role"),
    ):
        column = "role" if table == "account" else "actor_role"
        op.drop_constraint(name, table, type_="check")
        op.create_check_constraint(name, table, f"{column} IN ({roles})")


def upgrade() -> None:
    _role_checks(ROLES_AFTER)
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("answer_days", sa.Integer(), nullable=True),
        sa.CheckConstraint("level IN ('PROVINCE', 'DISTRICT', 'COMMUNE')", name="ck_agency_level"),
        sa.CheckConstraint("answer_days IS NULL OR answer_days > 0", name="ck_agency_answer_days"),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["agency.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "agency_unit",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"],
            ["administrative_unit.code"],
        ),
        sa.PrimaryKeyConstraint("agency_id", "unit_code"),
    )
    op.create_index("ix_agency_unit_unit", "agency_unit", ["unit_code"], unique=False)
    op.create_table(
        "notification_preference",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("push", sa.Boolean(), nullable=False),
        sa.Column("zalo", sa.Boolean(), nullable=False),
        sa.Column("zalo_phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("quiet_hours", sa.Boolean(), nullable=False),
        sa.Column("quiet_from", sa.Time(), nullable=False),
        sa.Column("quiet_until", sa.Time(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "NOT zalo OR zalo_phone IS NOT NULL", name="ck_notification_preference_zalo_phone"
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.CheckConstraint("channel IN ('PUSH', 'ZALO')", name="ck_outbox_channel"),
        sa.CheckConstraint(
            "kind IN ('PETITION_ACKNOWLEDGED', 'PETITION_FORWARDED', 'PETITION_ANSWERED', 'PETITION_REJECTED', 'PETITION_RECEIVED', 'PETITION_RETURNED', 'GROUP_POST', 'VOTER_MEETING')",
            name="ck_outbox_kind",
        ),
        sa.CheckConstraint(
            "state IN ('PENDING', 'DELIVERED', 'DEAD', 'SKIPPED')", name="ck_outbox_state"
        ),
        sa.CheckConstraint("attempts >= 0", name="ck_outbox_attempts"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id"),
    )
    op.create_index(
        "ix_outbox_due",
        "outbox",
        ["next_attempt_at", "id"],
        unique=False,
        postgresql_where=sa.text("state = 'PENDING'"),
    )
    op.create_index(
        "ix_outbox_recipient_pending",
        "outbox",
        ["account_id", "channel", "id"],
        unique=False,
        postgresql_where=sa.text("state = 'PENDING'"),
    )
    op.create_table(
        "petition_forward",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column(
            "forwarded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("letter_number", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("letter_date", sa.Date(), nullable=True),
        sa.Column("return_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("forwarded_by_account_id", sa.Integer(), nullable=True),
        sa.Column("settled_by_account_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('PENDING', 'ANSWERED', 'RETURNED')", name="ck_petition_forward_outcome"
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["forwarded_by_account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petition.id"],
        ),
        sa.ForeignKeyConstraint(
            ["settled_by_account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_petition_forward_agency",
        "petition_forward",
        ["agency_id", "forwarded_at", "id"],
        unique=False,
    )
    op.create_index(
        "uq_petition_forward_pending",
        "petition_forward",
        ["petition_id"],
        unique=True,
        postgresql_where=sa.text("outcome = 'PENDING'"),
    )
    op.add_column("account", sa.Column("agency_id", sa.Integer(), nullable=True))
    op.create_index("ix_account_agency", "account", ["agency_id"], unique=False)
    op.create_foreign_key("account_agency_id_fkey", "account", "agency", ["agency_id"], ["id"])
    op.create_check_constraint(
        "ck_account_agency", "account", "(role = 'AGENCY') = (agency_id IS NOT NULL)"
    )
    op.add_column("petition", sa.Column("agency_id", sa.Integer(), nullable=True))
    op.add_column(
        "petition",
        sa.Column(
            "answer_letter_number", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True
        ),
    )
    op.add_column("petition", sa.Column("answer_letter_date", sa.Date(), nullable=True))
    op.create_index(op.f("ix_petition_agency_id"), "petition", ["agency_id"], unique=False)
    op.create_foreign_key("petition_agency_id_fkey", "petition", "agency", ["agency_id"], ["id"])


def downgrade() -> None:
    op.drop_constraint("petition_agency_id_fkey", "petition", type_="foreignkey")
    op.drop_index(op.f("ix_petition_agency_id"), table_name="petition")
    op.drop_column("petition", "answer_letter_date")
    op.drop_column("petition", "answer_letter_number")
    op.drop_column("petition", "agency_id")
    # AGENCY accounts become citizens again: the old CHECK knows no AGENCY.
    op.execute("UPDATE account SET role = 'CITIZEN', agency_id = NULL WHERE role = 'AGENCY'")
    op.execute("UPDATE petition_event SET actor_role = 'CITIZEN' WHERE actor_role = 'AGENCY'")
    op.drop_constraint("ck_account_agency", "account", type_="check")
    op.drop_constraint("account_agency_id_fkey", "account", type_="foreignkey")
    op.drop_index("ix_account_agency", table_name="account")
    op.drop_column("account", "agency_id")
    op.drop_index(
        "uq_petition_forward_pending",
        table_name="petition_forward",
        postgresql_where=sa.text("outcome = 'PENDING'"),
    )
    op.drop_index("ix_petition_forward_agency", table_name="petition_forward")
    op.drop_table("petition_forward")
    op.drop_index(
        "ix_outbox_recipient_pending",
        table_name="outbox",
        postgresql_where=sa.text("state = 'PENDING'"),
    )
    op.drop_index(
        "ix_outbox_due", table_name="outbox", postgresql_where=sa.text("state = 'PENDING'")
    )
    op.drop_table("outbox")
    op.drop_table("notification_preference")
    op.drop_index("ix_agency_unit_unit", table_name="agency_unit")
    op.drop_table("agency_unit")
    op.drop_table("agency")
    _role_checks(ROLES_BEFORE)
