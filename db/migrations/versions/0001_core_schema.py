"""core schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 00:05:54.842238
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen as this revision first shipped it: a migration never imports live code, whose later
# changes would not reach databases already past it. 0008 installs today's fold.
_FOLD_FROM = (
    "đĐAàÀáÁảẢãÃạẠăĂằẰắẮẳẲẵẴặẶâÂầẦấẤẩẨẫẪậẬEèÈéÉẻẺẽẼẹẸêÊềỀếẾểỂễỄệỆIìÌíÍỉỈĩĨịỊOòÒóÓỏỎõÕ"
    "ọỌôÔồỒốỐổỔỗỖộỘơƠờỜớỚởỞỡỠợỢUùÙúÚủỦũŨụỤưƯừỪứỨửỬữỮựỰYỳỲýÝỷỶỹỸỵỴBCDFGHJKLMNPQRSTVWXZ"
)
_FOLD_TO = (
    "ddaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeeeeeeeeiiiiiiiiiiiooooooooo"
    "oooooooooooooooooooooooooouuuuuuuuuuuuuuuuuuuuuuuyyyyyyyyyyybcdfghjklmnpqrstvwxz"
)
FOLD_FUNCTION = (
    "CREATE OR REPLACE FUNCTION hdnd_fold(value text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS "
    f"$$ SELECT lower(translate(value, '{_FOLD_FROM}', '{_FOLD_TO}')) $$"
)


def upgrade() -> None:
    # Diacritics-insensitive search without extensions: generated columns below use it.
    op.execute(FOLD_FUNCTION)
    op.create_table(
        "administrative_unit",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("parent_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "name_folded", sa.Text(), sa.Computed("hdnd_fold(name)", persisted=True), nullable=False
        ),
        sa.CheckConstraint("level IN ('PROVINCE', 'DISTRICT', 'COMMUNE')", name="ck_unit_level"),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["administrative_unit.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index(
        op.f("ix_administrative_unit_path"), "administrative_unit", ["path"], unique=False
    )
    op.create_index("ix_unit_parent", "administrative_unit", ["parent_code"], unique=False)
    op.create_table(
        "committee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('STANDING', 'LEGAL', 'ECONOMY_BUDGET', 'CULTURE_SOCIAL', 'ETHNIC')",
            name="ck_committee_kind",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "delegate_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_table(
        "constituency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["term_id"],
            ["term.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("term_id", "number", name="uq_constituency_number"),
    )
    op.create_table(
        "council_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("required_discussions", sa.Integer(), nullable=False),
        sa.Column("required_questions", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('REGULAR', 'SPECIAL', 'THEMATIC')", name="ck_session_kind"),
        sa.CheckConstraint(
            "status IN ('UPCOMING', 'IN_PROGRESS', 'CLOSED')", name="ck_session_status"
        ),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_session_dates"),
        sa.CheckConstraint(
            "required_discussions >= 0 AND required_questions >= 0", name="ck_session_quota"
        ),
        sa.ForeignKeyConstraint(
            ["term_id"],
            ["term.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("term_id", "number", name="uq_session_number"),
    )
    op.create_index("ix_session_order", "council_session", ["starts_on", "id"], unique=False)
    op.create_index(
        "ix_session_status_order", "council_session", ["status", "starts_on", "id"], unique=False
    )
    op.create_table(
        "group_area",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["delegate_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"],
            ["administrative_unit.code"],
        ),
        sa.PrimaryKeyConstraint("group_id", "unit_code"),
    )
    op.create_index("ix_group_area_unit", "group_area", ["unit_code"], unique=False)
    op.create_table(
        "constituency_unit",
        sa.Column("constituency_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["constituency_id"],
            ["constituency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["unit_code"],
            ["administrative_unit.code"],
        ),
        sa.PrimaryKeyConstraint("constituency_id", "unit_code"),
    )
    op.create_index("ix_constituency_unit_unit", "constituency_unit", ["unit_code"], unique=False)
    op.create_table(
        "delegate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "full_name_folded",
            sa.Text(),
            sa.Computed("hdnd_fold(full_name)", persisted=True),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("workplace", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("photo_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("is_full_time", sa.Boolean(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("constituency_id", sa.Integer(), nullable=True),
        sa.Column("served_from", sa.Date(), nullable=False),
        sa.Column("served_until", sa.Date(), nullable=True),
        sa.Column("end_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "served_until IS NULL OR served_until >= served_from", name="ck_delegate_service"
        ),
        sa.ForeignKeyConstraint(
            ["constituency_id"],
            ["constituency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["delegate_group.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_delegate_constituency", "delegate", ["constituency_id"], unique=False)
    op.create_index(
        "ix_delegate_group_name", "delegate", ["group_id", "full_name_folded", "id"], unique=False
    )
    op.create_index("ix_delegate_name", "delegate", ["full_name_folded", "id"], unique=False)
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sub", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(role = 'DELEGATE') = (delegate_id IS NOT NULL)", name="ck_account_delegate"
        ),
        sa.CheckConstraint(
            "role IN ('CITIZEN', 'DELEGATE', 'STAFF', 'MONITOR', 'ADMIN')", name="ck_account_role"
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"],
            ["delegate.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delegate_id"),
        sa.UniqueConstraint("sub"),
    )
    op.create_table(
        "committee_member",
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.id"],
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"],
            ["delegate.id"],
        ),
        sa.PrimaryKeyConstraint("committee_id", "delegate_id"),
    )
    op.create_index(
        "ix_committee_member_delegate", "committee_member", ["delegate_id"], unique=False
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor_account_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["actor_account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_actor", "audit_event", ["actor_account_id", "at"], unique=False)
    op.create_index(
        "ix_audit_entity", "audit_event", ["entity_type", "entity_id", "at"], unique=False
    )
    op.create_table(
        "petition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracking_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("content", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "search_folded",
            sa.Text(),
            sa.Computed("hdnd_fold(title || ' ' || content)", persisted=True),
            nullable=False,
        ),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("unit_path", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("visibility", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("submitter_account_id", sa.Integer(), nullable=True),
        sa.Column("submitter_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("submitter_phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("support_count", sa.Integer(), nullable=False),
        sa.Column("forwarded_agency", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("answer_body", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("answer_respondent", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column(
            "submitted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "category IN ('LAND_HOUSING', 'INFRASTRUCTURE_TRANSPORT', 'ENVIRONMENT', 'HEALTH', 'EDUCATION', 'SOCIAL_WELFARE', 'AGRICULTURE', 'SECURITY_ORDER', 'ADMINISTRATIVE_PROCEDURE', 'OTHER')",
            name="ck_petition_category",
        ),
        sa.CheckConstraint(
            "status IN ('SUBMITTED', 'ACKNOWLEDGED', 'FORWARDED', 'ANSWERED', 'CLOSED', 'REJECTED')",
            name="ck_petition_status",
        ),
        sa.CheckConstraint("visibility IN ('PUBLIC', 'PRIVATE')", name="ck_petition_visibility"),
        sa.CheckConstraint("support_count >= 0", name="ck_petition_support_count"),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["administrative_unit.code"],
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"],
            ["delegate.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["delegate_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitter_account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tracking_code"),
    )
    op.create_index(
        "ix_petition_delegate_submitted",
        "petition",
        ["delegate_id", "submitted_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_petition_group_submitted", "petition", ["group_id", "submitted_at", "id"], unique=False
    )
    op.create_index(
        "ix_petition_status_submitted", "petition", ["status", "submitted_at", "id"], unique=False
    )
    op.create_index("ix_petition_submitted", "petition", ["submitted_at", "id"], unique=False)
    op.create_index(
        "ix_petition_submitter",
        "petition",
        ["submitter_account_id", "submitted_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_petition_unit_path",
        "petition",
        ["unit_path", "submitted_at", "id"],
        unique=False,
        postgresql_ops={"unit_path": "text_pattern_ops"},
    )
    op.create_table(
        "petition_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("actor_role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("actor_account_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.CheckConstraint(
            "actor_role IN ('CITIZEN', 'DELEGATE', 'STAFF', 'MONITOR', 'ADMIN')",
            name="ck_petition_event_role",
        ),
        sa.CheckConstraint(
            "status IN ('SUBMITTED', 'ACKNOWLEDGED', 'FORWARDED', 'ANSWERED', 'CLOSED', 'REJECTED')",
            name="ck_petition_event_status",
        ),
        sa.ForeignKeyConstraint(
            ["actor_account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petition.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_petition_event_petition", "petition_event", ["petition_id", "at", "id"], unique=False
    )
    op.create_table(
        "petition_support",
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "supported_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petition.id"],
        ),
        sa.PrimaryKeyConstraint("petition_id", "account_id"),
    )
    op.create_index("ix_petition_support_account", "petition_support", ["account_id"], unique=False)

    # Groups and delegates point at each other: the leader link comes once both exist.
    op.create_foreign_key("fk_group_leader", "delegate_group", "delegate", ["leader_id"], ["id"])
    # The audit log is append-only, whoever connects.
    op.execute(
        "CREATE FUNCTION hdnd_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION hdnd_refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
    op.execute("DROP FUNCTION hdnd_refuse_change()")
    op.drop_constraint("fk_group_leader", "delegate_group", type_="foreignkey")
    op.drop_index("ix_petition_support_account", table_name="petition_support")
    op.drop_table("petition_support")
    op.drop_index("ix_petition_event_petition", table_name="petition_event")
    op.drop_table("petition_event")
    op.drop_index(
        "ix_petition_unit_path",
        table_name="petition",
        postgresql_ops={"unit_path": "text_pattern_ops"},
    )
    op.drop_index("ix_petition_submitter", table_name="petition")
    op.drop_index("ix_petition_submitted", table_name="petition")
    op.drop_index("ix_petition_status_submitted", table_name="petition")
    op.drop_index("ix_petition_group_submitted", table_name="petition")
    op.drop_index("ix_petition_delegate_submitted", table_name="petition")
    op.drop_table("petition")
    op.drop_index("ix_audit_entity", table_name="audit_event")
    op.drop_index("ix_audit_actor", table_name="audit_event")
    op.drop_table("audit_event")
    op.drop_index("ix_committee_member_delegate", table_name="committee_member")
    op.drop_table("committee_member")
    op.drop_table("account")
    op.drop_index("ix_delegate_name", table_name="delegate")
    op.drop_index("ix_delegate_group_name", table_name="delegate")
    op.drop_index("ix_delegate_constituency", table_name="delegate")
    op.drop_table("delegate")
    op.drop_index("ix_constituency_unit_unit", table_name="constituency_unit")
    op.drop_table("constituency_unit")
    op.drop_index("ix_group_area_unit", table_name="group_area")
    op.drop_table("group_area")
    op.drop_index("ix_session_status_order", table_name="council_session")
    op.drop_index("ix_session_order", table_name="council_session")
    op.drop_table("council_session")
    op.drop_table("constituency")
    op.drop_table("term")
    op.drop_table("delegate_group")
    op.drop_table("committee")
    op.drop_index("ix_unit_parent", table_name="administrative_unit")
    op.drop_index(op.f("ix_administrative_unit_path"), table_name="administrative_unit")
    op.drop_table("administrative_unit")
    op.execute("DROP FUNCTION hdnd_fold(text)")
