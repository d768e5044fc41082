"""Vietnamese text rules: NFC storage and diacritics-insensitive folding.

Folding exists twice: `fold()` in Python and the SQL function `hdnd_fold(text)`, whose DDL is
`fold_sql_function()`. Both follow the same steps, so they agree:
decompose (NFD), drop the combining marks U+0300–U+036F (every Vietnamese tone and the breve,
circumflex and horn), map đ/Đ to d, lower-case. The SQL form uses only core functions
(`normalize`, `regexp_replace`, `translate`, `lower`), so it needs no extension such as unaccent;
an earlier form translated a 160-letter table and cost ten times more per row.

Migrations never import this module: revision 0008 holds a copy of `fold_sql_function()`. A
change to it needs a new revision installing it and recomputing the stored folded columns
(tests/db/test_migrations.py compares the migrated database's function with this one).
"""

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement

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


# Grams of folded text that the search indexes hold (`hdnd_grams(text)`, migration 0008): every
# piece of 1, 2 and 3 characters.
# A search of three characters or more needs its own trigrams in a row (any subset will do; the
# `LIKE` recheck decides), a shorter one is itself a gram, so every search is an index read.
GRAM = 3
MAX_QUERY_GRAMS = 16


def search_grams(search: str) -> list[str]:
    """The grams a row must hold to contain the folded `search` (as `like_pattern` finds it):
    the whole of a short search, else up to MAX_QUERY_GRAMS of its trigrams spread along it."""
    folded = fold(" ".join(search.split()))
    if len(folded) <= GRAM:
        return [folded] if folded else []
    grams = list(dict.fromkeys(folded[i : i + GRAM] for i in range(len(folded) - GRAM + 1)))
    if len(grams) <= MAX_QUERY_GRAMS:
        return grams
    step = (len(grams) - 1) / (MAX_QUERY_GRAMS - 1)
    return list(dict.fromkeys(grams[round(k * step)] for k in range(MAX_QUERY_GRAMS)))


def search_condition(
    folded: "ColumnElement[str] | Mapped[str]", search: str
) -> ColumnElement[bool]:
    """`folded` (a folded column with a `hdnd_grams` GIN index) contains the folded `search`:
    the index finds the rows holding its grams, `LIKE` rechecks them."""
    grams = sa.literal(search_grams(search), ARRAY(sa.Text))
    return search_matches(folded, grams, sa.literal(like_pattern(search)))


def search_matches(
    folded: "ColumnElement[str] | Mapped[str]",
    grams: "ColumnElement[Any]",
    pattern: "ColumnElement[str]",
) -> ColumnElement[bool]:
    """`search_condition` with its two values (`search_grams`, `like_pattern` of the search)
    given as expressions, e.g. bound parameters of a compiled statement."""
    return sa.and_(
        sa.func.hdnd_grams(folded).op("@>")(grams),
        folded.like(pattern, escape="\\"),
    )


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


# ---- free text typed by people ------------------------------------------------------------------

# Bidirectional formatting characters: embeddings and overrides (U+202A–U+202E), isolates
# (U+2066–U+2069), the marks LRM, RLM and ALM. Vietnamese text never needs them, and they
# make text display other than it reads («Trojan Source»: a title that shows one thing and
# holds another).
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
# Characters with no glyph of their own: spaces, controls, format characters (zero-width
# space, joiner, BOM…), marks with nothing to sit on.
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"})
_ONE_LINE_BREAKS = frozenset("\n\t\u2028\u2029")


class InvalidText(ValueError):
    """Free text refused; the message (Vietnamese, for people) names the field's label."""


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def input_text(value: str, label: str, *, one_line: bool = False, letters: bool = True) -> str:
    """`value` as it is stored: NFC, line ends as LF (a CR LF or a lone CR from some
    keyboards), trimmed. Blank gives "" (whether that is allowed is the caller's rule). Refused
    (InvalidText): a control character other than newline and tab (C0, DEL, C1), a bidi control
    (BIDI_CONTROLS), a lone surrogate or a noncharacter; with `one_line`, a line break or tab;
    and text with nothing visible in it: no letter or digit, or with `letters=False` (a channel
    post may be one emoji) no visible character at all. Zero-width characters are kept where
    they serve (ZWJ joins emoji) but never count as visible."""
    text = nfc(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    name = label[:1].upper() + label[1:]
    for char in text:
        code = ord(char)
        if char in BIDI_CONTROLS:
            raise InvalidText(
                f"{name} chứa ký tự đổi chiều văn bản (U+{code:04X}), có thể làm nội dung hiển "
                "thị khác với thực tế; hãy xoá ký tự này."
            )
        if one_line and char in _ONE_LINE_BREAKS:
            raise InvalidText(f"{name} phải viết trên một dòng (không xuống dòng, không tab).")
        category = unicodedata.category(char)
        if category == "Cc" and char not in "\n\t":
            raise InvalidText(
                f"{name} chứa ký tự điều khiển không được phép (U+{code:04X}); chỉ được "
                "xuống dòng và tab."
            )
        if category == "Cs" or _is_noncharacter(code):
            raise InvalidText(f"{name} chứa ký tự không hợp lệ (U+{code:04X}).")
    if not text:
        return text
    if letters:
        if not any(unicodedata.category(c)[0] in "LN" for c in text):
            raise InvalidText(f"{name} phải có chữ hoặc số nhìn thấy được.")
    elif all(unicodedata.category(c) in _INVISIBLE_CATEGORIES for c in text):
        raise InvalidText(f"{name} phải có ký tự nhìn thấy được.")
    return text
