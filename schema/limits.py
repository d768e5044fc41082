"""Query limits and production hardening, as schema extensions."""

from strawberry.extensions import SchemaExtension


def schema_extensions(suggestions: bool) -> list[type[SchemaExtension] | SchemaExtension]:
    """Extensions every schema carries; `suggestions=False` in production."""
    return []
