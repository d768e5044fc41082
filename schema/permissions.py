"""Who may use what, declared on fields (Strawberry permission classes) and on mutations.

One code for "sign in first" everywhere: a caller who sent no credentials gets UNAUTHENTICATED,
one identified and still not allowed (an account's role, an integrator's key) FORBIDDEN.
Queries: a field the viewer may not use answers a GraphQL error with that `extensions.code`:
`permission_classes=[IsSignedIn]` or `[has_role(...)]` (`schema.errors.refused` for rules inside
a resolver). Mutations: `extensions=[MutationRoles(...)]` answers the payload with a `UserError`
of that code instead, so the mutation changes nothing (`refusal()` for rules that depend on the
object).
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

from db.refused import sign_in_first
from db.viewer import Role, Viewer
from schema.context import Info
from schema.errors import UserError, UserErrorCode, refused, user_error

EVERYONE_WHO_SEES_ALL = (Role.STAFF, Role.MONITOR, Role.ADMIN)


class IsSignedIn(BasePermission):
    """A signed-in account (any role)."""

    message = "Khóa API chỉ xem được dữ liệu công khai; nội dung này cần tài khoản đăng nhập."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = info.context.viewer
        if viewer.is_signed_in:
            return True
        raise refused(viewer, self.message)


class _HasRole(BasePermission):
    roles: ClassVar[tuple[Role, ...]] = ()
    message = "Bạn không có quyền xem nội dung này."

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = info.context.viewer
        if viewer.has_role(*self.roles):
            return True
        raise refused(viewer, self.message)


def has_role(*roles: Role) -> type[BasePermission]:
    """A permission class allowing only accounts holding one of `roles`."""
    return type(f"HasRole_{'_'.join(r.value for r in roles)}", (_HasRole,), {"roles": roles})


FORBIDDEN_CHANGE = "Bạn không có quyền thực hiện thao tác này."


def refusal(viewer: Viewer, *roles: Role, message: str = FORBIDDEN_CHANGE) -> UserError | None:
    """None when `viewer` holds one of `roles`; otherwise the UserError to return:
    UNAUTHENTICATED without credentials, FORBIDDEN with `message` otherwise
    (db.refused.sign_in_first)."""
    if viewer.has_role(*roles):
        return None
    needs_account = sign_in_first(viewer)
    if needs_account is not None:
        code, message = needs_account
        return user_error(code, message)
    return user_error(UserErrorCode.FORBIDDEN, message)


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
    else gets its payload with an UNAUTHENTICATED (no credentials) or FORBIDDEN `userErrors`
    entry (`message`: the domain's words for it), and nothing changes. Rules that depend on the
    row (the group's leader, the delegate's own) are db's, raising db.refused.Refused.

        @strawberry.mutation(extensions=[MutationRoles(Role.STAFF, Role.ADMIN)])
    """

    def __init__(self, *roles: Role, message: str = FORBIDDEN_CHANGE) -> None:
        super().__init__()
        self.roles = roles
        self.message = message
        self.payload_type: type[Any] | None = None

    def apply(self, field: StrawberryField) -> None:
        payload = field.type
        if not hasattr(payload, "__strawberry_definition__"):
            raise TypeError(f"{field.python_name}: MutationRoles needs a payload type.")
        self.payload_type = cast("type[Any]", payload)

    def _refused(self, info: Info) -> Any | None:
        error = refusal(info.context.viewer, *self.roles, message=self.message)
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
