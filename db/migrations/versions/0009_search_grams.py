"""Search served by an index: GIN indexes on the 1-, 2- and 3-character grams of the folded
text of petitions and delegates (`hdnd_grams`, core PostgreSQL: the embedded server ships no
pg_trgm), so `search` reads the index and rechecks with `LIKE` instead of scanning the table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

# The distinct 1-, 2- and 3-character pieces of a text (db.text.search_grams picks a search's).
GRAMS = (
    "CREATE OR REPLACE FUNCTION hdnd_grams(value text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS "
    "$$ SELECT coalesce(array_agg(DISTINCT substr(value, i, n)), '{}') "
    "FROM generate_series(1, 3) AS n, generate_series(1, length(value) - n + 1) AS i $$"
)
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(GRAMS)
    op.execute(
        "CREATE INDEX ix_petition_search_grams ON petition USING gin (hdnd_grams(search_folded))"
    )
    op.execute(
        "CREATE INDEX ix_delegate_name_grams ON delegate USING gin (hdnd_grams(full_name_folded))"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_delegate_name_grams")
    op.execute("DROP INDEX IF EXISTS ix_petition_search_grams")
    op.execute("DROP FUNCTION IF EXISTS hdnd_grams(text)")
