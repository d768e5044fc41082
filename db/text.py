"""Vietnamese text rules: NFC storage and diacritics-insensitive folding.

The same folding exists twice: `fold()` in Python and the SQL function `hdnd_fold(text)` made by
the first migration from `FOLD_FROM`/`FOLD_TO`. Both come from one table here so they cannot drift.
The SQL form uses only `translate` and `lower`, which every PostgreSQL has (no unaccent).
"""

import unicodedata

_BASES = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


def _fold_table() -> dict[str, str]:
    table: dict[str, str] = {"đ": "d", "Đ": "d"}
    for base in _BASES:
        plain = unicodedata.normalize("NFD", base)[0]
        for tone in _TONES:
            letter = unicodedata.normalize("NFC", base + tone)
            for variant in (letter, letter.upper()):
                if variant != plain:
                    table[variant] = plain
    # Plain capitals fold too, so folding does not depend on the database's locale.
    for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        table[ch] = ch.lower()
    return table


FOLD_TABLE = _fold_table()
FOLD_FROM = "".join(FOLD_TABLE)
FOLD_TO = "".join(FOLD_TABLE.values())
_TRANSLATION = str.maketrans(FOLD_TABLE)


def nfc(value: str) -> str:
    """The NFC form of `value`: how every text is stored."""
    return unicodedata.normalize("NFC", value)


def clean(value: str) -> str:
    """NFC with surrounding white space removed and inner runs of spaces kept as typed."""
    return nfc(value).strip()


def fold(value: str) -> str:
    """Lower-case `value` without Vietnamese diacritics ("Vị Thanh" -> "vi thanh")."""
    return nfc(value).translate(_TRANSLATION).lower()


def like_pattern(search: str) -> str:
    """A `LIKE` pattern (escape character backslash) that finds the folded `search` anywhere."""
    folded = fold(" ".join(search.split()))
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fold_sql_function() -> str:
    """DDL of `hdnd_fold(text)`, the SQL twin of `fold()`; immutable so indexes may use it."""
    src = FOLD_FROM.replace("'", "''")
    dst = FOLD_TO.replace("'", "''")
    return (
        "CREATE OR REPLACE FUNCTION hdnd_fold(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS "
        f"$$ SELECT lower(translate(value, '{src}', '{dst}')) $$"
    )
