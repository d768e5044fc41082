"""Install today's diacritics fold and recompute the stored columns made with the old one.

`hdnd_fold(text)` was rewritten (NFD and strip every combining mark, instead of a table of
Vietnamese letters) without a revision, so a database migrated before then kept the old function
and the folded columns it had stored: a name with a diacritic outside Vietnamese ("Noël") was
never found by its plain spelling. Recomputing by updating each base column to itself works on
every supported PostgreSQL (ALTER COLUMN ... SET EXPRESSION is PostgreSQL 17 only) and keeps
the columns and their indexes in place.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies: db.text.fold_sql_function() as of this revision, and 0001's function.
FOLD_FUNCTION = (
    "CREATE OR REPLACE FUNCTION hdnd_fold(value text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS "
    "$$ SELECT lower(translate(regexp_replace(normalize(value, NFD), "
    "'[' || chr(768) || '-' || chr(879) || ']', '', 'g'), 'đĐ', 'dd')) $$"
)
_OLD_FROM = (
    "đĐAàÀáÁảẢãÃạẠăĂằẰắẮẳẲẵẴặẶâÂầẦấẤẩẨẫẪậẬEèÈéÉẻẺẽẼẹẸêÊềỀếẾểỂễỄệỆIìÌíÍỉỈĩĨịỊOòÒóÓỏỎõÕ"
    "ọỌôÔồỒốỐổỔỗỖộỘơƠờỜớỚởỞỡỠợỢUùÙúÚủỦũŨụỤưƯừỪứỨửỬữỮựỰYỳỲýÝỷỶỹỸỵỴBCDFGHJKLMNPQRSTVWXZ"
)
_OLD_TO = (
    "ddaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeeeeeeeeiiiiiiiiiiiooooooooo"
    "oooooooooooooooooooooooooouuuuuuuuuuuuuuuuuuuuuuuyyyyyyyyyyybcdfghjklmnpqrstvwxz"
)
OLD_FOLD_FUNCTION = (
    "CREATE OR REPLACE FUNCTION hdnd_fold(value text) RETURNS text "
    "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS "
    f"$$ SELECT lower(translate(value, '{_OLD_FROM}', '{_OLD_TO}')) $$"
)

# Each stored column computed by hdnd_fold: its table, its expression, and one base column it
# is computed from. Setting that column to itself makes PostgreSQL compute the stored column
# again; only rows whose folded value changes are touched.
FOLDED = (
    ("administrative_unit", "name_folded", "hdnd_fold(name)", "name"),
    ("delegate", "full_name_folded", "hdnd_fold(full_name)", "full_name"),
    ("petition", "search_folded", "hdnd_fold(title || ' ' || content)", "title"),
)


def _recompute() -> None:
    for table, folded, expression, base in FOLDED:
        op.execute(
            f"UPDATE {table} SET {base} = {base} WHERE {folded} IS DISTINCT FROM {expression}"
        )


def upgrade() -> None:
    op.execute(FOLD_FUNCTION)
    _recompute()


def downgrade() -> None:
    op.execute(OLD_FOLD_FUNCTION)
    _recompute()
