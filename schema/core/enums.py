"""GraphQL enums over the enumerations of db/enums: the same Python class, given its GraphQL
description and one description per value, so the values are written once."""

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

E = TypeVar("E", bound=StrEnum)


def graphql_enum(
    cls: type[E], description: str, values: Mapping[E, str], *, name: str | None = None
) -> type[E]:
    """Make `cls` a GraphQL enum (named `name`, else as the class) whose values are the class's
    members, each described by `values`; a member left undescribed is an error at import."""
    missing = [member.name for member in cls if member not in values]
    if missing or len(values) != len(cls):
        raise ValueError(f"{cls.__name__}: describe each value exactly once (missing {missing})")
    strawberry.enum(cls, name=name, description=description)
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    assert isinstance(definition, StrawberryEnumDefinition)
    for value in definition.values:
        value.description = values[cls[value.name]]
    return cls
