"""Who may use what, declared on fields (Strawberry permission classes) and on mutations.

Queries: a field the viewer may not use answers a GraphQL error with `extensions.code`
FORBIDDEN (UNAUTHENTICATED when signing in would help): `permission_classes=[has_role(...)]`.
Mutations: `extensions=[MutationRoles(...)]` answers the payload with a FORBIDDEN `UserError`
instead, so the mutation changes nothing (`refusal()` for rules that depend on the object).
A field hidden by a rule inside its resolver (null for some viewers) says so with
`metadata={"restricted": "<who may see it>"}`, so the permission matrix test finds it.
"""

from typing import Any, ClassVar, cast

from strawberry.extensions.field_extension import (
    AsyncExtensionResolver,
    FieldExtension,
    SyncExtensionResolver,
)
from strawberry.permission import BasePermission
from strawberry.types.field import StrawberryField

from db.viewer import Role, Viewer
from schema.context import Info
from schema.errors import UserError, UserErrorCode, user_error

EVERYONE_WHO_SEES_ALL = (Role.STAFF, Role.MONITOR, Role.ADMIN)


class IsSignedIn(BasePermission):
    """A signed-in account (any role)."""

    message = "Cần đăng nhập để dùng chức năng này."
    error_extensions = {"code": "UNAUTHENTICATED"}  # noqa: RUF012

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.viewer.is_signed_in


class _HasRole(BasePermission):
    roles: ClassVar[tuple[Role, ...]] = ()
    message = "Bạn không có quyền xem nội dung này."
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.viewer.has_role(*self.roles)


def has_role(*roles: Role) -> type[BasePermission]:
    """A permission class allowing only accounts holding one of `roles`."""
    return type(f"HasRole_{'_'.join(r.value for r in roles)}", (_HasRole,), {"roles": roles})


def refusal(viewer: Viewer, *roles: Role) -> UserError | None:
    """None when `viewer` holds one of `roles`; otherwise the FORBIDDEN UserError to return."""
    if viewer.has_role(*roles):
        return None
    if not viewer.is_signed_in:
        return user_error(UserErrorCode.FORBIDDEN, "Cần đăng nhập để thực hiện thao tác này.")
    return user_error(UserErrorCode.FORBIDDEN, "Bạn không có quyền thực hiện thao tác này.")


def refused_payload(payload_type: type[Any], error: UserError) -> Any:
    """`payload_type` carrying only `error`: every other field (the object) is null."""
    definition = payload_type.__strawberry_definition__
    values: dict[str, Any] = {
        f.python_name: None for f in definition.fields if f.base_resolver is None
    }
    values["user_errors"] = [error]
    return payload_type(**values)


class MutationRoles(FieldExtension):
    """Declared on a mutation: only accounts holding one of `roles` run its resolver; anyone
    else gets its payload with a FORBIDDEN `userErrors` entry, and nothing changes.

        @strawberry.mutation(extensions=[MutationRoles(Role.STAFF, Role.ADMIN)])
    """

    def __init__(self, *roles: Role) -> None:
        super().__init__()
        self.roles = roles
        self.payload_type: type[Any] | None = None

    def apply(self, field: StrawberryField) -> None:
        payload = field.type
        if not hasattr(payload, "__strawberry_definition__"):
            raise TypeError(f"{field.python_name}: MutationRoles needs a payload type.")
        self.payload_type = cast("type[Any]", payload)

    def _refused(self, info: Info) -> Any | None:
        error = refusal(info.context.viewer, *self.roles)
        if error is None:
            return None
        assert self.payload_type is not None
        return refused_payload(self.payload_type, error)

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        refused = self._refused(info)
        return refused if refused is not None else next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        refused = self._refused(info)
        return refused if refused is not None else await next_(source, info, **kwargs)


def restriction_of(field: StrawberryField) -> str | None:
    """How a field is restricted, as declared (for the permission matrix), or None."""
    if field.permission_classes:
        return ", ".join(p.__name__ for p in field.permission_classes)
    for extension in field.extensions:
        if isinstance(extension, MutationRoles):
            return "MutationRoles(" + ", ".join(r.value for r in extension.roles) + ")"
    restricted = field.metadata.get("restricted") if field.metadata else None
    return str(restricted) if restricted else None
