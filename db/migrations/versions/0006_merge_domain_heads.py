"""Join the domains' migrations (identity, petitions, sessions, channels) into one head,
so later revisions have a single parent.

Revision ID: 0006
Revises: 0002, 0003, 0004, 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

revision: str = "0006"
down_revision: str | Sequence[str] | None = ("0002", "0003", "0004", "0005")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
