"""petition idempotency keys remember the request's body (its digest)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: keys recorded before replay as they did (they expire within 24 hours).
    op.add_column(
        "petition_idempotency", sa.Column("request_hash", sa.String(length=64), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("petition_idempotency", "request_hash")
