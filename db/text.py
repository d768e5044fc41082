"""Vietnamese text rules: NFC storage and diacritics-insensitive folding.

Folding exists twice: `fold()` in Python and the SQL function `hdnd_fold(text)`, whose DDL is
`fold_sql_function()`. Both follow the same steps, so they agree:
decompose (NFD), drop the combining marks U+0300–U+036F (every Vietnamese tone and the breve,
circumflex and horn), map đ/Đ to d, lower-case. The SQL form uses only core functions
(`normalize`, `regexp_replace`, `translate`, `lower`), so it needs no extension such as unaccent;
an earlier form translated a 160-letter table and cost ten times more per row.

Migrations never import this module: revision 0007 holds a copy of `fold_sql_function()`. A
change to it needs a new revision installing it and recomputing the stored folded columns
(tests/db/test_migrations.py compares the migrated database's function with this one).
"""

import re
import unicodedata

COMBINING_FIRST = 0x0300
COMBINING_LAST = 0x036F
_COMBINING = re.compile(f"[{chr(COMBINING_FIRST)}-{chr(COMBINING_LAST)}]")
_D = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(value: str) -> str:
    """The NFC form of `value`: how every text is stored."""
    return unicodedata.normalize("NFC", value)


def clean(value: str) -> str:
    """NFC with surrounding white space removed and inner runs of spaces kept as typed."""
    return nfc(value).strip()


def fold(value: str) -> str:
    """Lower-case `value` without Vietnamese diacritics ("Vị Thanh" -> "vi thanh")."""
    return _COMBINING.sub("", unicodedata.normalize("NFD", value)).translate(_D).lower()


def like_pattern(search: str) -> str:
    """A `LIKE` pattern (escape character backslash) that finds the folded `search` anywhere."""
    folded = fold(" ".join(search.split()))
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fold_sql_function() -> str:
    """DDL of `hdnd_fold(text)`, the SQL twin of `fold()`; immutable so indexes may use it.
    Copied into the revision that installs it, never imported by one."""
    marks = f"'[' || chr({COMBINING_FIRST}) || '-' || chr({COMBINING_LAST}) || ']'"
    return (
        "CREATE OR REPLACE FUNCTION hdnd_fold(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS "
        f"$$ SELECT lower(translate(regexp_replace(normalize(value, NFD), {marks}, '', 'g'), "
        "'đĐ', 'dd')) $$"
    )
