"""Ready-made demo accounts and their tokens, printed by `hdnd serve`."""

from api.identity import issue_token
from api.oneshot import oneshot_transaction
from api.settings import Settings
from db.accounts import grant_role
from db.agencies.demo import demo_agency_id
from db.demo import demo_delegate_id
from db.viewer import Role

DEMO_ACCOUNTS: dict[str, tuple[str, Role, str, str]] = {
    # role label: (sub, role, name, phone)
    "CITIZEN": ("demo-citizen", Role.CITIZEN, "Nguyễn Thị Mai", "0901234567"),
    "DELEGATE": ("demo-delegate", Role.DELEGATE, "", ""),
    "STAFF": ("demo-staff", Role.STAFF, "Văn phòng HĐND tỉnh", ""),
    "MONITOR": ("demo-monitor", Role.MONITOR, "Ban Pháp chế", ""),
    "ADMIN": ("demo-admin", Role.ADMIN, "Quản trị hệ thống", ""),
    # An account of the demo agency (db.agencies.demo): answers what is forwarded to it.
    "AGENCY": ("demo-agency", Role.AGENCY, "Sở Xây dựng tỉnh Hậu Giang", ""),
}


async def demo_tokens(
    url: str, settings: Settings, ttl_seconds: int = 7 * 24 * 3600
) -> dict[str, str]:
    """Give the demo accounts their roles and return a week-long token for each."""
    tokens: dict[str, str] = {}
    async with oneshot_transaction(url) as session:
        delegate_id = await demo_delegate_id(session)
        agency_id = await demo_agency_id(session)
        for label, (sub, role, name, phone) in DEMO_ACCOUNTS.items():
            if (role is Role.DELEGATE and delegate_id is None) or (
                role is Role.AGENCY and agency_id is None
            ):
                continue
            await grant_role(
                session,
                sub,
                role,
                delegate_id if role is Role.DELEGATE else None,
                agency_id=agency_id if role is Role.AGENCY else None,
            )
            tokens[label] = issue_token(
                settings, sub, name=name or None, phone=phone or None, ttl_seconds=ttl_seconds
            )
    return tokens
