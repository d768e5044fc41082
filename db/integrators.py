"""Integrator API keys: made (shown once), looked up by hash, revoked."""

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.refused import Refusal, Refused
from db.tables import ApiKey
from db.tables.base import utcnow
from db.text import InvalidText, input_text

KEY_PREFIX = "hdnd_"  # lets secret scanners recognise a leaked key
PREFIX_SHOWN = 12


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A key just made: `secret` exists only here, never in the database."""

    row: ApiKey
    secret: str


def hash_key(secret: str) -> str:
    """SHA-256 of a key. Keys are 256 random bits, so a fast hash is safe (nothing to guess)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def clean_name(name: str) -> str:
    try:
        cleaned = " ".join(input_text(name, "tên khóa", one_line=True).split())
    except InvalidText as refused:
        raise Refused(Refusal.INVALID_INPUT, str(refused), "name") from None
    if not 1 <= len(cleaned) <= 100:
        raise Refused(Refusal.INVALID_INPUT, "Tên khóa phải có từ 1 đến 100 ký tự.", "name")
    return cleaned


async def create_api_key(session: AsyncSession, name: str) -> NewApiKey:
    """A new key for `name`; Refused DUPLICATE while an active key has that name."""
    cleaned = clean_name(name)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=cleaned, prefix=secret[:PREFIX_SHOWN], key_hash=hash_key(secret))
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        raise Refused(
            Refusal.DUPLICATE,
            f"Đã có khóa đang dùng tên «{cleaned}»; thu hồi khóa đó trước hoặc chọn tên khác.",
            "name",
        ) from exc
    return NewApiKey(row=row, secret=secret)


async def revoke_api_key(session: AsyncSession, name: str) -> ApiKey | None:
    """Revoke the active key named `name`; None when there is none."""
    stmt = (
        sa.update(ApiKey)
        .where(col(ApiKey.name) == clean_name(name), col(ApiKey.revoked_at).is_(None))
        .values(revoked_at=utcnow())
        .returning(ApiKey)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def integrator_for_key(session: AsyncSession, secret: str) -> str | None:
    """The name of the integrator holding this active key; None for unknown or revoked keys."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    stmt = sa.select(col(ApiKey.name)).where(
        col(ApiKey.key_hash) == hash_key(secret), col(ApiKey.revoked_at).is_(None)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_api_keys(session: AsyncSession) -> Sequence[ApiKey]:
    """Every key ever made (active first, then newest first); never the secrets."""
    stmt = sa.select(ApiKey).order_by(
        col(ApiKey.revoked_at).is_not(None), col(ApiKey.created_at).desc(), col(ApiKey.id).desc()
    )
    return (await session.execute(stmt)).scalars().all()
