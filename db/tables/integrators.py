"""Integrator API keys: outside systems reading public data with `X-API-Key`."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.tables.base import NOW, timestamptz, utcnow


class ApiKey(SQLModel, table=True):
    """One integrator key. Only its SHA-256 is kept: the key itself is shown once, at creation.

    A revoked key stays (with `revoked_at`) so the record of who had access is kept; a name may
    be reused once its key is revoked.
    """

    __tablename__ = "api_key"
    __table_args__ = (
        sa.Index(
            "uq_api_key_active_name",
            "name",
            unique=True,
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
        sa.CheckConstraint("length(key_hash) = 64", name="ck_api_key_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    # The first characters of the key, so people can tell keys apart without the secret.
    prefix: str = Field(max_length=16)
    key_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": NOW}, sa_type=timestamptz()
    )
    revoked_at: datetime | None = Field(default=None, sa_type=timestamptz())
