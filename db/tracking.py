"""Tracking codes (mã tra cứu): short enough to read over the phone, impossible to guess.

Nine symbols from an alphabet without look-alikes (no 0/O, 1/I/L), drawn with `secrets`, so
31^9 ≈ 2.6·10^13 codes: nothing about one code tells anything about another.
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS = 3
GROUP_SIZE = 3
_SEPARATORS = re.compile(r"[\s\-_.]+")


def new_tracking_code() -> str:
    """A fresh random code such as «K7M-Q2X-D4P»."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    return "-".join(symbols[i : i + GROUP_SIZE] for i in range(0, len(symbols), GROUP_SIZE))


def normalize_tracking_code(value: str) -> str | None:
    """The stored form of a code as typed ("k7m q2x d4p" -> "K7M-Q2X-D4P"), None if it cannot be one."""
    compact = _SEPARATORS.sub("", value.strip().upper())
    if len(compact) != GROUPS * GROUP_SIZE or any(ch not in ALPHABET for ch in compact):
        return None
    return "-".join(compact[i : i + GROUP_SIZE] for i in range(0, len(compact), GROUP_SIZE))
