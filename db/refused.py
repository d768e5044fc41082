"""A rule of db/ refusing a change: raised inside the change's transaction, so it rolls back
and nothing is written; schema/ turns it into a `UserError` of the same code."""

from enum import StrEnum
from typing import Any

from db.text import clean


class Unset:
    """Marks an input field left out (unchanged), as opposed to one set to null."""


UNSET: Any = Unset()


class Refusal(StrEnum):
    """The contract's `UserErrorCode` values a rule may answer."""

    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    DUPLICATE = "DUPLICATE"


class Refused(Exception):
    """A refused change: its code, a Vietnamese message and the input path at fault."""

    def __init__(self, code: Refusal, message: str, *field: str | int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = tuple(str(f) for f in field)


def checked_text(
    value: str | None,
    field: tuple[str, ...],
    label: str,
    *,
    min_len: int,
    max_len: int,
    required: bool = True,
) -> str | None:
    """`value` in NFC and trimmed, between `min_len` and `max_len` characters; None when absent
    (or blank) and not required."""
    text = clean(value) if value is not None else ""
    if not text:
        if required:
            raise Refused(Refusal.INVALID_INPUT, f"Cần nhập {label}.", *field)
        return None
    if not min_len <= len(text) <= max_len:
        raise Refused(
            Refusal.INVALID_INPUT,
            f"{label.capitalize()} cần từ {min_len} đến {max_len} ký tự.",
            *field,
        )
    return text


def required_text(
    value: str | None, field: tuple[str, ...], label: str, *, min_len: int, max_len: int
) -> str:
    """Like `checked_text`, for a value that must be there."""
    text = checked_text(value, field, label, min_len=min_len, max_len=max_len)
    assert text is not None
    return text
