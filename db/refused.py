"""A rule of db/ refusing a change: raised inside the change's transaction, so it rolls back
and nothing is written; schema/ turns it into a `UserError` of the same code."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from db.text import InvalidText, input_text
from db.viewer import Viewer, ViewerKind


class Unset:
    """Marks an input field left out (unchanged), as opposed to one set to null."""


UNSET: Any = Unset()


class Refusal(StrEnum):
    """Why a change was refused: the contract's `UserErrorCode` (schema/errors.py makes this
    class that GraphQL enum)."""

    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    DUPLICATE = "DUPLICATE"
    RATE_LIMITED = "RATE_LIMITED"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"


SIGN_IN = "Cần đăng nhập để thực hiện thao tác này."
PUBLIC_ONLY = "Khóa API chỉ dùng được dữ liệu công khai; thao tác này cần tài khoản đăng nhập."


def sign_in_first(viewer: Viewer) -> tuple[Refusal, str] | None:
    """None for a signed-in account; else why a change needing one is refused, with one code
    everywhere: UNAUTHENTICATED for a caller who sent no credentials ("sign in first"),
    FORBIDDEN for an integrator's key (identified, and public data only)."""
    if viewer.is_signed_in:
        return None
    if viewer.kind is ViewerKind.INTEGRATOR:
        return Refusal.FORBIDDEN, PUBLIC_ONLY
    return Refusal.UNAUTHENTICATED, SIGN_IN


@dataclass(frozen=True)
class Problem:
    """One reason for a refusal: code, Vietnamese message, path of the input at fault."""

    code: Refusal
    message: str
    field: tuple[str, ...] = ()


class Refused(Exception):
    """A refused change: its code, a Vietnamese message and the input path at fault; `problems`
    holds every reason when a rule reports several at once (`Refused.of`)."""

    def __init__(self, code: Refusal, message: str, *field: str | int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = tuple(str(f) for f in field)
        self.problems = [Problem(code, message, self.field)]

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> "Refused":
        """One refusal carrying several problems; the first is its code, message and field."""
        if not problems:
            raise ValueError("a refusal needs at least one problem")
        first = problems[0]
        refused = cls(first.code, first.message, *first.field)
        refused.problems = list(problems)
        return refused


def checked_text(
    value: str | None,
    field: tuple[str, ...],
    label: str,
    *,
    min_len: int,
    max_len: int,
    required: bool = True,
    one_line: bool = False,
) -> str | None:
    """`value` as db.text.input_text keeps it (NFC, trimmed; no stray control or bidi
    characters; something visible; one line when `one_line`), between `min_len` and `max_len`
    characters; None when absent (or blank) and not required."""
    try:
        text = input_text(value, label, one_line=one_line) if value is not None else ""
    except InvalidText as refused:
        raise Refused(Refusal.INVALID_INPUT, str(refused), *field) from None
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
    value: str | None,
    field: tuple[str, ...],
    label: str,
    *,
    min_len: int,
    max_len: int,
    one_line: bool = False,
) -> str:
    """Like `checked_text`, for a value that must be there."""
    text = checked_text(value, field, label, min_len=min_len, max_len=max_len, one_line=one_line)
    assert text is not None
    return text
