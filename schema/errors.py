"""Errors of queries (GraphQL errors with `extensions.code`) and of mutations (`UserError`)."""

import strawberry
from graphql import GraphQLError

from db.refused import Refusal
from db.viewer import Viewer
from schema.core.enums import graphql_enum


def bad_input(message: str, field: str | None = None) -> GraphQLError:
    """An argument a query cannot use: code BAD_USER_INPUT, message in Vietnamese."""
    extensions: dict[str, object] = {"code": "BAD_USER_INPUT"}
    if field is not None:
        extensions["field"] = field
    return GraphQLError(message, extensions=extensions)


def forbidden(message: str = "Bạn không có quyền xem nội dung này.") -> GraphQLError:
    """A field or operation the viewer may not use."""
    return GraphQLError(message, extensions={"code": "FORBIDDEN"})


def unauthenticated(message: str = "Cần đăng nhập để dùng chức năng này.") -> GraphQLError:
    """ "Sign in first": a caller who sent no credentials asked for what needs an account."""
    return GraphQLError(message, extensions={"code": "UNAUTHENTICATED"})


def refused(viewer: Viewer, message: str, sign_in: str | None = None) -> GraphQLError:
    """The one way a field refuses: UNAUTHENTICATED for a caller with no credentials (signing
    in is the answer), FORBIDDEN with `message` for one identified and still not allowed (an
    account whose role may not, an integrator's key)."""
    if viewer.is_anonymous:
        return unauthenticated(sign_in) if sign_in else unauthenticated()
    return forbidden(message)


# The GraphQL name of db's Refusal: one enumeration, raised by db/ and answered in userErrors.
UserErrorCode = Refusal

graphql_enum(
    Refusal,
    "Why a mutation was refused.",
    {
        Refusal.INVALID_INPUT: "An input value is invalid.",
        Refusal.NOT_FOUND: "The object does not exist (or is hidden from you).",
        Refusal.FORBIDDEN: "You may not do this: your account's role does not allow it, or an "
        "integrator's key (public data only) was used.",
        Refusal.INVALID_TRANSITION: "The object's current status does not allow this.",
        Refusal.DUPLICATE: "It exists already.",
        Refusal.RATE_LIMITED: "Too many attempts; try later.",
        Refusal.UNAUTHENTICATED: "Sign in first: the request carried no credentials and this needs an "
        "account (the same code a query's error has in `extensions.code`).",
        Refusal.IDEMPOTENCY_CONFLICT: "The idempotency key was used, within 24 hours, for a request with a "
        "different body; nothing was done. Use a new key for a new request.",
    },
    name="UserErrorCode",
)


@strawberry.type(description="Why a mutation was refused; a refused mutation changes nothing.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault (e.g. ["input", "title"]), if any.'
    )
    code: UserErrorCode = strawberry.field(description="Machine-readable reason.")
    message: str = strawberry.field(description="Explanation for people, in Vietnamese.")


def user_error(code: UserErrorCode, message: str, *field: str) -> UserError:
    return UserError(field=list(field) or None, code=code, message=message)
