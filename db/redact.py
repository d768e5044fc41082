"""Removing a person's name and phone number from free text (eraseMyData).

Names. A Vietnamese name is family name, middle names, given name, and people are called by
parts of it: «Nguyễn Thị Bích Ngọc» is «Bích Ngọc», «chị Ngọc», «Ngọc Nguyễn». Removed, in any
case and with or without diacritics:
- two or more of the name's words in a row ending with the given name: «Bích Ngọc», «Thị Bích
  Ngọc», the whole name;
- the given name first (Western order: «Ngọc Nguyễn», «Ngọc Nguyễn Thị Bích»), the last two
  swapped («Ngọc Bích»), family and given name («Nguyễn Ngọc»);
- one of the last two words alone («Ngọc», «Bích») only after a word of address (chị, anh, bà,
  ông, cô, chú, em, cử tri…), and only when both are typed with the name's own diacritics or
  with none: «chị Ngọc», «chi Ngoc», «bà Bích» go, «có mái» stays although it folds like «cô
  Mai». The gender words Thị and Văn never count alone.
A given name alone elsewhere stays: given names are everyday words (Mai "tomorrow", An "safe",
Nam "south", Hà "river"), and removing them all would damage the council's record.

Matching runs on a folded copy of the text made one character at a time, with a map back to
the original, so text in any script (Hangul, Greek, emoji) is searched the same way and only
the matched characters are cut.
"""

import re
from collections.abc import Iterable

from db.phones import phone_spans
from db.text import fold, nfc

REDACTED = "[đã xoá]"

# Words of address before a name (lower case, NFC); "cử tri", "đồng chí" are two words.
ADDRESS_WORDS = (
    "anh",
    "chị",
    "em",
    "cô",
    "chú",
    "bác",
    "bà",
    "ông",
    "cụ",
    "cậu",
    "mợ",
    "dì",
    "thím",
    "dượng",
    "cháu",
    "con",
    "bạn",
    "bé",
    "tên",
    "cử tri",
    "đồng chí",
)
# Middle words marking gender, shared by millions: never a name on their own.
GENDER_WORDS = frozenset({"thi", "van"})
# What may stand between two words of a name: spaces, a hyphen, a dot, an underscore.
_GAP = r"[\s\-_.]+"

Span = tuple[int, int]


def _fold_chars(text: str) -> str:
    """`fold` one character at a time, as the text searched is folded (so Greek final sigma or
    Turkish İ fold the same way in the name and in the text)."""
    return "".join(fold(c) for c in text)


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """`text` folded character by character, and for each folded character the index of the
    original one it came from (a Hangul syllable folds to several jamo, a lone mark to none)."""
    out: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        folded = fold(char)
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin


def _original_span(text: str, origin: list[int], start: int, end: int) -> Span:
    first, last = origin[start], origin[end - 1] + 1
    # Marks left uncombined after the last letter belong to it.
    while last < len(text) and not fold(text[last]):
        last += 1
    return first, last


def _sequence(words: Iterable[str]) -> str:
    return _GAP.join(re.escape(w) for w in words)


def _bounded(body: str) -> str:
    return rf"(?<!\w)(?:{body})(?!\w)"


def _typed_as(typed: str, expected: str) -> bool:
    """`typed` is the word `expected` in any case, with its own diacritics or with none."""
    typed = nfc(typed).lower()
    return typed == expected or (typed == _fold_chars(typed) == _fold_chars(expected))


class _NameFinder:
    """The spans of one person's name in a text, following the rule above."""

    def __init__(self, name: str) -> None:
        original = nfc(name).lower().split()
        words = [_fold_chars(w) for w in original]
        n = len(words)
        runs: set[tuple[str, ...]] = set()
        if n >= 2:
            runs.update(tuple(words[k:]) for k in range(n - 1))
            runs.add((words[-1], *words[:-1]))
            runs.add((words[-1], words[0]))
            runs.add((words[-1], words[-2]))
        if n >= 3:
            runs.add((words[0], words[-1]))
        # One pattern each, every match of each kept: «Ngọc Bích Ngọc» holds two runs that
        # overlap, and both go.
        self._runs = [re.compile(_bounded(_sequence(r))) for r in sorted(runs)]
        singles = [original[-1]] if n else []
        if n >= 3 and words[-2] not in GENDER_WORDS:
            singles.append(original[-2])
        self._singles = singles
        self._addressed: re.Pattern[str] | None = None
        if singles:
            address = "|".join(_sequence(_fold_chars(a).split()) for a in ADDRESS_WORDS)
            given = "|".join(re.escape(_fold_chars(w)) for w in dict.fromkeys(singles))
            self._addressed = re.compile(
                rf"(?<!\w)(?P<address>{address})\s+(?P<name>{given})(?!\w)"
            )

    def spans(self, text: str, folded: str, origin: list[int]) -> list[Span]:
        found: list[Span] = []
        for run in self._runs:
            found.extend(
                _original_span(text, origin, m.start(), m.end()) for m in run.finditer(folded)
            )
        if self._addressed is not None:
            for m in self._addressed.finditer(folded):
                a_start, a_end = _original_span(text, origin, *m.span("address"))
                n_start, n_end = _original_span(text, origin, *m.span("name"))
                address = text[a_start:a_end].split()
                name = text[n_start:n_end]
                if any(
                    len(address) == len(words) and all(map(_typed_as, address, words))
                    for words in (a.split() for a in ADDRESS_WORDS)
                ) and any(_typed_as(name, s) for s in self._singles):
                    found.append((n_start, n_end))
        return found


def _cut(text: str, spans: list[Span]) -> str:
    """`text` with every span (merged where they overlap) replaced by REDACTED."""
    parts: list[str] = []
    last = 0
    for start, end in sorted(spans):
        if start < last:  # overlaps the previous cut: extend it
            if end > last:
                last = end
            continue
        parts.append(text[last:start])
        parts.append(REDACTED)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def redact(text: str | None, names: Iterable[str], phones: Iterable[str]) -> str | None:
    """`text` without `names` (as the module's rule says) or `phones` (E.164, found however
    they were typed)."""
    if text is None:
        return None
    out = nfc(text)
    folded, origin = _folded_with_map(out)
    spans: list[Span] = []
    for name in names:
        spans.extend(_NameFinder(name).spans(out, folded, origin))
    spans.extend(phone_spans(out, set(phones)))
    return _cut(out, spans) if spans else out
