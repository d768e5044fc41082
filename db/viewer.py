"""Who is asking: the identity every rule in db/ takes as an argument."""

from dataclasses import dataclass
from enum import StrEnum

from db.enums.accounts import Role as Role  # re-exported: the rules take it from here
from db.serving import ServicePeriod


class ViewerKind(StrEnum):
    """How the request identified itself."""

    ANONYMOUS = "anonymous"
    INTEGRATOR = "integrator"
    ACCOUNT = "account"


@dataclass(frozen=True, slots=True)
class Viewer:
    """The caller of one request: anonymous, an integrator (API key) or a signed-in account.

    `name` and `phone` are the token's claims, carried only to fill a petition's submitter.
    `service` is the linked delegate's days of service: rules ask whether they serve on the
    request's day (db.serving), since a delegate whose service ended keeps the account link.
    """

    kind: ViewerKind = ViewerKind.ANONYMOUS
    sub: str | None = None
    account_id: int | None = None
    role: Role | None = None
    delegate_id: int | None = None
    # The agency an AGENCY account answers for.
    agency_id: int | None = None
    group_id: int | None = None
    service: ServicePeriod | None = None
    integrator: str | None = None
    name: str | None = None
    phone: str | None = None

    @property
    def is_signed_in(self) -> bool:
        return self.kind is ViewerKind.ACCOUNT and self.account_id is not None

    @property
    def is_anonymous(self) -> bool:
        """No credentials at all: what needs an account answers "sign in first"."""
        return self.kind is ViewerKind.ANONYMOUS

    def has_role(self, *roles: Role) -> bool:
        return self.role is not None and self.role in roles

    @property
    def sees_everything(self) -> bool:
        """STAFF, MONITOR and ADMIN read every record."""
        return self.has_role(Role.STAFF, Role.MONITOR, Role.ADMIN)


ANONYMOUS = Viewer()
