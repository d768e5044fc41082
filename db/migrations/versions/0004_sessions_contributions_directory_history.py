"""sessions contributions directory history

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-27 00:10:21.357075
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("position > 0", name="ck_agenda_position"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["council_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "position", name="uq_agenda_position"),
    )
    op.create_table(
        "contribution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("venue", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("addressee", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("recorded_by_account_id", sa.Integer(), nullable=True),
        sa.Column(
            "recorded_at",
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
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.CheckConstraint(
            "kind <> 'QUESTION' OR addressee IS NOT NULL", name="ck_contribution_addressee"
        ),
        sa.CheckConstraint("kind IN ('DISCUSSION', 'QUESTION')", name="ck_contribution_kind"),
        sa.CheckConstraint("venue IN ('GROUP', 'PLENARY')", name="ck_contribution_venue"),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"],
            ["delegate.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["council_session.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_contribution_delegate_order",
        "contribution",
        ["delegate_id", "recorded_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_contribution_session_delegate",
        "contribution",
        ["session_id", "delegate_id"],
        unique=False,
    )
    op.create_index(
        "ix_contribution_session_order",
        "contribution",
        ["session_id", "recorded_at", "id"],
        unique=False,
    )
    op.create_table(
        "directory_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("actor_account_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column(
            "changes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "entity_type IN ('Delegate', 'DelegateGroup')", name="ck_directory_change_entity"
        ),
        sa.ForeignKeyConstraint(
            ["actor_account_id"],
            ["account.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_directory_change_entity",
        "directory_change",
        ["entity_type", "entity_id", "at", "id"],
        unique=False,
    )
    op.create_table(
        "excused_absence",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("excused_by_account_id", sa.Integer(), nullable=True),
        sa.Column(
            "excused_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"],
            ["delegate.id"],
        ),
        sa.ForeignKeyConstraint(
            ["excused_by_account_id"],
            ["account.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["council_session.id"],
        ),
        sa.PrimaryKeyConstraint("session_id", "delegate_id"),
    )
    op.create_table(
        "contribution_petition",
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petition.id"],
        ),
        sa.PrimaryKeyConstraint("contribution_id", "petition_id"),
    )
    op.create_index(
        "ix_contribution_petition_petition", "contribution_petition", ["petition_id"], unique=False
    )
    # The directory's history is append-only, like the audit log (function from 0001).
    op.execute(
        "CREATE TRIGGER directory_change_append_only BEFORE UPDATE OR DELETE ON directory_change "
        "FOR EACH ROW EXECUTE FUNCTION hdnd_refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER directory_change_append_only ON directory_change")
    op.drop_index("ix_contribution_petition_petition", table_name="contribution_petition")
    op.drop_table("contribution_petition")
    op.drop_table("excused_absence")
    op.drop_index("ix_directory_change_entity", table_name="directory_change")
    op.drop_table("directory_change")
    op.drop_index("ix_contribution_session_order", table_name="contribution")
    op.drop_index("ix_contribution_session_delegate", table_name="contribution")
    op.drop_index("ix_contribution_delegate_order", table_name="contribution")
    op.drop_table("contribution")
    op.drop_table("agenda_item")
