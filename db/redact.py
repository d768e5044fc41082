"""Removing a person's name and phone number from free text (eraseMyData)."""

import re
from collections.abc import Iterable

from db.phones import phone_pattern
from db.text import fold, nfc

REDACTED = "[đã xoá]"


def _name_pattern(name: str) -> re.Pattern[str] | None:
    words = fold(name).split()
    if not words:
        return None
    return re.compile(r"\b" + r"\s+".join(re.escape(w) for w in words) + r"\b")


def _redact_name(text: str, name: str) -> str:
    pattern = _name_pattern(name)
    if pattern is None:
        return text
    folded = fold(text)
    if len(folded) != len(text):
        # Folding changed the length (a rare letter outside Vietnamese): match as typed instead.
        return re.sub(re.escape(nfc(name)), REDACTED, text, flags=re.IGNORECASE)
    # Find the name in the folded text (any case, any diacritics), cut the same spans out.
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(folded):
        parts.append(text[last : match.start()])
        parts.append(REDACTED)
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def redact(text: str | None, names: Iterable[str], phones: Iterable[str]) -> str | None:
    """`text` without any of `names` (ignoring case and diacritics) or `phones` (E.164, found
    however they were typed)."""
    if text is None:
        return None
    out = nfc(text)
    for name in names:
        out = _redact_name(out, name)
    for phone in phones:
        out = phone_pattern(phone).sub(REDACTED, out)
    return out
