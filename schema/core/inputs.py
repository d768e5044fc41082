"""Input values as db/ takes them: a field left out (Strawberry's UNSET) as db's UNSET, and
global ids as database ids, a malformed one refused naming its field."""

from typing import Any

import strawberry

from db.refused import UNSET as DB_UNSET
from schema.refusals import db_id


def given(value: Any) -> Any:
    """Strawberry's UNSET (left out) as db's UNSET; any other value as it is."""
    return DB_UNSET if value is strawberry.UNSET else value


def db_ids(values: list[strawberry.ID] | None, type_name: str, *field: str) -> list[int]:
    """The database ids of a list of global ids of `type_name`; a bad one is refused with its
    index appended to `field`."""
    return [db_id(v, type_name, *field, str(i)) for i, v in enumerate(values or [])]


def given_id(value: Any, type_name: str, *field: str) -> Any:
    """An optional id input: db's UNSET when left out, None when null, else the database id."""
    value = given(value)
    if value is DB_UNSET or value is None:
        return value
    return db_id(value, type_name, *field)


def given_ids(values: Any, type_name: str, *field: str) -> Any:
    """An optional list of ids: db's UNSET when left out, else the database ids."""
    values = given(values)
    return values if values is DB_UNSET else db_ids(values, type_name, *field)
