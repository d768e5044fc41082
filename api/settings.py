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
    agency_answer_days: int = Field(
        30,
        ge=1,
        description="Days an agency has to answer a forwarded petition (per agency in "
        "agencies.csv when set there); docs/agencies.md gives the legal basis.",
    )
    serve_worker: bool = Field(
        True, description="Run the notification worker inside `hdnd serve` (else: `hdnd worker`)."
    )
    outbox_max_attempts: int = Field(
        8, ge=1, description="Delivery attempts of a notification before its dead letter."
    )
    outbox_backoff: float = Field(
        30, gt=0, description="Seconds before the first retry; doubled after each failure."
    )
    outbox_backoff_max: float = Field(
        3600, gt=0, description="Most seconds between two attempts of one notification."
    )
    outbox_poll: float = Field(1, gt=0, description="Seconds the worker waits when nothing is due.")
    outbox_batch: int = Field(50, ge=1, description="Notifications the worker takes at once.")
    outbox_lease: float = Field(
        60,
        gt=0,
        description="Seconds a taken notification is the worker's; after that (a worker that "
        "died) another worker takes it again.",
    )
    push_url: str | None = Field(
        None, description="App Hậu Giang's push endpoint (HTTP POST); unset: push is off."
    )
    push_secret: str | None = Field(
        None, description="Shared key that signs each push (HMAC-SHA256 of timestamp and body)."
    )
    delivery_timeout: float = Field(
        10, gt=0, description="Seconds one delivery (push or Zalo) may take."
    )
    zalo_zns_url: str = Field(
        "https://business.openapi.zalo.me/message/template",
        description="Zalo Notification Service's template message endpoint.",
    )
    zalo_app_id: str | None = Field(None, description="The Zalo app id (sent as `app_id`).")
    zalo_access_token: str | None = Field(
        None, description="The Zalo Official Account's access token; unset: Zalo is off."
    )
    zalo_templates: dict[str, str] = Field(
        default_factory=dict,
        description="ZNS template id of each notification kind, as JSON "
        '(e.g. {"PETITION_ANSWERED": "284756"}); a kind without one is not sent by Zalo.',
    )
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
