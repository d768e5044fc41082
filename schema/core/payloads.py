"""What every mutation payload has: its `userErrors` field, declared once."""

from typing import Any

import strawberry

from schema.cost import most

IF_REFUSED = "Why it was refused, if it was."


def user_errors_field(description: str = IF_REFUSED) -> Any:
    """The payload's `userErrors`: empty on success, the refusal otherwise (at most 20)."""
    return strawberry.field(directives=most(20), description=description)
