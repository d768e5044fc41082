"""Who may use what, declared on fields (Strawberry permission classes) and on mutations.

Queries: a field the viewer may not use answers a GraphQL error with `extensions.code`
FORBIDDEN (UNAUTHENTICATED when signing in would help). Mutations: `refusal()` gives the
`UserError` a payload carries instead, so the mutation changes nothing.
"""

from typing import Any, ClassVar

from strawberry.permission import BasePermission

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
