"""Settings from the environment (prefix `HDND_`), read once per process."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the service; the README's configuration table lists the same."""

    model_config = SettingsConfigDict(env_prefix="HDND_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address `hdnd serve` listens on.")
    port: int = Field(8000, ge=0, le=65535, description="Port `hdnd serve` listens on.")
    database_url: str | None = Field(
        None, description="PostgreSQL to use; unset starts the embedded one in the data dir."
    )
    data_dir: Path = Field(Path(".hdnd"), description="Embedded database and dev secret live here.")
    graphiql: bool = Field(True, description="Serve GraphiQL and field suggestions.")
    jwt_secret: str | None = Field(None, description="HS256 key that signs App Hậu Giang tokens.")
    jwt_issuer: str | None = Field(None, description="Required `iss` claim, when set.")
    jwt_audience: str | None = Field(None, description="Required `aud` claim, when set.")
    jwt_jwks_url: str | None = Field(
        None,
        description="Identity provider's public keys (JWKS): RS256 and ES256 tokens, by `kid`.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Web origins allowed to call the API from a browser (comma-separated).",
    )
    rate_limit: int = Field(600, ge=1, description="Requests a minute per client.")
    rate_limit_per_address: int = Field(
        6000,
        ge=1,
        description="Requests a minute the anonymous clients of one address share, device ids "
        "included (never below `rate_limit`).",
    )
    redis_url: str | None = Field(None, description="Share rate-limit budgets across processes.")
    petitions_per_hour: int = Field(10, ge=1, description="Petitions a citizen may submit an hour.")
    ack_days: int = Field(7, ge=1, description="Days to acknowledge a petition before overdue.")
    answer_days: int = Field(30, ge=1, description="Days to answer a petition before overdue.")
    log_level: str = Field("INFO", description="Log level of the JSON-lines log.")
    compiled_reads: bool = Field(
        True,
        description="Answer covered reads (directory, petitions) with one SQL statement "
        "rendering their JSON; false: the resolvers answer everything.",
    )
    db_pool_size: int = Field(10, ge=1, description="Database connections per process.")
    max_query_cost: int = Field(
        10_000,
        ge=1,
        description="Most objects one request's answer may hold (query cost; QUERY_TOO_COMPLEX).",
    )
    statement_timeout: float = Field(
        3, gt=0, description="Seconds one SQL statement may run (PostgreSQL statement_timeout)."
    )
    request_timeout: float = Field(
        5, gt=0, description="Seconds one HTTP request may take in all; then TIMEOUT (HTTP 503)."
    )
    db_connections_per_request: int = Field(
        3,
        ge=1,
        description="Database connections one request may hold at once, whatever its aliases.",
    )
    ws_keep_alive: float = Field(
        15, gt=0, description="Seconds between keep-alive pings on a WebSocket (subscriptions)."
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        # "https://a.vn, https://b.vn" in the environment; a list when built in code.
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("jwt_secret")
    @classmethod
    def _long_enough(cls, value: str | None) -> str | None:
        # A short HS256 key can be found offline from one token; 32 bytes is RFC 7518's floor.
        if value is not None and len(value.encode()) < 32:
            raise ValueError("HDND_JWT_SECRET phải dài ít nhất 32 byte.")
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings."""
    return Settings()
