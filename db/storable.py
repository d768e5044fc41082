"""Text PostgreSQL cannot store: a NUL character, or a lone surrogate (not valid UTF-8).

Such a value makes the driver or the server fail mid-query; whoever receives input (GraphQL
arguments and variables, token claims, report parameters) checks it with these first, so it is
refused as bad input instead of surfacing as an unexpected error.
"""

from collections.abc import Mapping, Sequence

Path = tuple[str | int, ...]


def storable(value: str) -> bool:
    """True when PostgreSQL can store `value` as text."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable_at(value: object, path: Path = ()) -> Path | None:
    """Where in `value` (JSON-like: strings, mappings, sequences) the first unstorable string
    is, keys included; None when there is none."""
    if isinstance(value, str):
        return None if storable(value) else path
    if isinstance(value, Mapping):
        for key, item in value.items():
            step: Path = (*path, key if isinstance(key, str | int) else repr(key))
            if isinstance(key, str) and not storable(key):
                return step
            found = unstorable_at(item, step)
            if found is not None:
                return found
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        for index, item in enumerate(value):
            found = unstorable_at(item, (*path, index))
            if found is not None:
                return found
    return None
