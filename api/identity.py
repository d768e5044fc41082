"""Who is asking: a verified JWT (`Authorization: Bearer`) into a Viewer.

`X-API-Key: <key>` identifies an integrator (public data only); an unknown or revoked key is
refused the same way.

Tokens are verified with PyJWT: HS256 with the shared secret (`HDND_JWT_SECRET`), and RS256 or
ES256 with the identity provider's published keys (`HDND_JWT_JWKS_URL`, chosen by `kid`). The
algorithm decides the key, never the other way round: an HS256 token is never checked against a
public key, and "none" or any other algorithm is refused. `exp` and `sub` are required, `iss`/`aud`
checked when configured. A token that fails is an error (HTTP 401), never an anonymous request.
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import jwt
import jwt.types

from api.jwks import ASYMMETRIC, KeysUnavailable, provider_keys
from api.ratelimit import Quota, RateLimiter
from api.settings import Settings
from db import clock
from db.accounts import viewer_for_sub
from db.engine import Sessionmaker, transaction
from db.integrators import integrator_for_key
from db.storable import unstorable_at
from db.viewer import ANONYMOUS, Viewer, ViewerKind

ALGORITHM = "HS256"


class AuthenticationError(Exception):
    """The request carried credentials that do not hold; the message is for the client."""


class Throttled(Exception):
    """The client spent its budget (HTTP 429); `retry_after` is in whole seconds."""

    def __init__(self, retry_after: int, quota: Quota | None = None) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after
        self.quota = quota


class BadDeviceId(Exception):
    """An `X-Device-Id` header the app could not have sent (HTTP 400); the message says why."""


DEVICE_HEADER = "x-device-id"
# An id the app makes once per installation: a UUID (36), an Android id (16 hex), or the like.
_DEVICE_ID = re.compile(r"[A-Za-z0-9._-]{16,64}")
BAD_DEVICE_ID = (
    "Tiêu đề X-Device-Id phải gồm 16 đến 64 ký tự chữ, số, «.», «_» hoặc «-» "
    "(ví dụ một UUID ứng dụng tạo khi cài đặt)."
)


def device_id(headers: Mapping[str, str]) -> str | None:
    """The app's device id of an `X-Device-Id` header, None without one; BadDeviceId if malformed."""
    given = headers.get(DEVICE_HEADER)
    if given is None:
        return None
    if not _DEVICE_ID.fullmatch(given):
        raise BadDeviceId(BAD_DEVICE_ID)
    return given


def _secret(settings: Settings) -> str:
    if not settings.jwt_secret:
        raise AuthenticationError("Máy chủ chưa cấu hình khóa xác thực (HDND_JWT_SECRET).")
    return settings.jwt_secret


async def _verification_key(settings: Settings, token: str) -> tuple[Any, str]:
    """The key and algorithm a token must verify with, from its header's `alg` and `kid`."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise AuthenticationError("Mã đăng nhập không hợp lệ.") from exc
    algorithm = header.get("alg")
    if algorithm == ALGORITHM and settings.jwt_secret:
        return settings.jwt_secret, ALGORITHM
    if algorithm in ASYMMETRIC and settings.jwt_jwks_url:
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > 255:
            raise AuthenticationError("Mã đăng nhập thiếu «kid» của khóa ký.")
        try:
            key = await provider_keys(settings.jwt_jwks_url).key(kid)
        except KeysUnavailable as exc:
            raise AuthenticationError(
                "Chưa lấy được khóa công khai của nhà cung cấp định danh; hãy thử lại sau."
            ) from exc
        if key is None or key.algorithm_name != algorithm:
            raise AuthenticationError("Mã đăng nhập được ký bằng khóa không được công nhận.")
        return key.key, algorithm
    if algorithm == ALGORITHM or (algorithm in ASYMMETRIC and not settings.jwt_secret):
        _secret(settings)  # says which configuration is missing
    raise AuthenticationError("Mã đăng nhập không hợp lệ.")


async def verify_token(settings: Settings, token: str) -> dict[str, Any]:
    """The claims of a valid token; AuthenticationError for anything else."""
    key, algorithm = await _verification_key(settings, token)
    options: jwt.types.Options = {
        "require": ["exp", "sub"],
        "verify_aud": settings.jwt_audience is not None,
    }
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options=options,
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationError("Phiên đăng nhập đã hết hạn; hãy đăng nhập lại.") from exc
    except jwt.PyJWTError as exc:
        raise AuthenticationError("Mã đăng nhập không hợp lệ.") from exc
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > 255:
        raise AuthenticationError("Mã đăng nhập không hợp lệ.")
    # A claim PostgreSQL cannot store (NUL, lone surrogate) would fail the account's query or
    # a submitter's name later: such a token is not one App Hậu Giang issues.
    if unstorable_at(claims) is not None:
        raise AuthenticationError("Mã đăng nhập không hợp lệ.")
    return claims


def issue_token(
    settings: Settings,
    sub: str,
    *,
    name: str | None = None,
    phone: str | None = None,
    ttl_seconds: int = 3600,
) -> str:
    """A token as App Hậu Giang would sign it: for `hdnd token`, the demo and tests."""
    now = clock.now()
    claims: dict[str, Any] = {"sub": sub, "iat": now, "exp": now + timedelta(seconds=ttl_seconds)}
    if name:
        claims["name"] = name
    if phone:
        claims["phone_number"] = phone
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, _secret(settings), algorithm=ALGORITHM)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header; AuthenticationError if malformed."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("Tiêu đề Authorization phải có dạng «Bearer <mã>».")
    return token.strip()


async def account_viewer(sessionmaker: Sessionmaker, claims: Mapping[str, Any]) -> Viewer:
    """The Viewer of verified claims: the account (made as CITIZEN on first sight) and its role."""
    name = claims.get("name") if isinstance(claims.get("name"), str) else None
    phone = claims.get("phone_number") if isinstance(claims.get("phone_number"), str) else None
    async with transaction(sessionmaker) as session:
        return await viewer_for_sub(session, claims["sub"], name, phone)


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a request says it is, checked without touching the database where possible.

    For an account, `claims` are verified but the account row is read later (`account_viewer`),
    once the document has passed every limit, so a refused request costs no SQL.
    """

    viewer: Viewer
    claims: Mapping[str, Any] | None
    # Whose budget the request spends: the key, else the account, else (None) the address.
    rate_key: str | None
    # An anonymous request's `X-Device-Id`: its own budget within its address's.
    device: str | None = None
    # Where the budget stood after this request was admitted (None: the limiter was down).
    quota: Quota | None = None

    def budget(self, client_host: str | None) -> str:
        """The rate-limit key: the API key, else the account, else the app's device at the
        client's address, else the address (its anonymous clients without a device id)."""
        if self.rate_key:
            return self.rate_key
        if self.device:
            return f"device:{client_host or '-'}:{self.device}"
        return f"ip:{client_host or '-'}"

    def shared_budget(self, client_host: str | None) -> str | None:
        """For an anonymous request, the budget every anonymous client at its address shares
        (device ids cannot multiply a client's budget beyond it); None for the others."""
        return None if self.rate_key else f"address:{client_host or '-'}"

    async def resolved_viewer(self, sessionmaker: Sessionmaker) -> Viewer:
        """The full Viewer: for an account, its row (role, delegate) read now."""
        return (
            self.viewer if self.claims is None else await account_viewer(sessionmaker, self.claims)
        )


async def authenticate(
    settings: Settings, sessionmaker: Sessionmaker, headers: Mapping[str, str]
) -> Identity:
    """The Identity of a request's headers; AuthenticationError for credentials that do not hold."""
    authorization = headers.get("authorization")
    api_key = headers.get("x-api-key")
    if authorization is not None and api_key is not None:
        raise AuthenticationError("Chỉ dùng một cách xác thực: Authorization hoặc X-API-Key.")
    if api_key is not None:
        key = api_key.strip()
        async with sessionmaker() as session:
            integrator = await integrator_for_key(session, key) if key else None
        if integrator is None:
            raise AuthenticationError("Khóa API không hợp lệ hoặc đã bị thu hồi.")
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return Identity(
            Viewer(kind=ViewerKind.INTEGRATOR, integrator=integrator), None, f"key:{digest}"
        )
    token = bearer_token(authorization)
    if token is None:
        return Identity(ANONYMOUS, None, None)
    claims = await verify_token(settings, token)
    return Identity(
        Viewer(kind=ViewerKind.ACCOUNT, sub=claims["sub"]), claims, f"sub:{claims['sub']}"
    )


async def admit(
    settings: Settings,
    sessionmaker: Sessionmaker,
    limiter: RateLimiter,
    headers: Mapping[str, str],
    client_host: str | None,
) -> Identity:
    """The request's Identity, its request spent from its client's budget (for an anonymous
    one, from its address's shared budget too); `quota` says where the budget stands.

    Credentials that fail, and malformed device ids, spend from their address's budget of
    failures (as many a minute as requests), so bad keys and tokens are throttled like good
    ones: once it is spent, an API key is not even looked up (no SQL) and every failure answers
    429 instead of 401. Raises AuthenticationError (401), BadDeviceId (400) or Throttled (429).
    """
    failures = f"failed:{client_host or '-'}"
    if headers.get("x-api-key") is not None:
        verdict = await limiter.peek(failures)
        if not verdict.allowed:
            raise Throttled(verdict.retry_after, verdict.quota)
    try:
        identity = await authenticate(settings, sessionmaker, headers)
        device = device_id(headers)
    except (AuthenticationError, BadDeviceId):
        verdict = await limiter.hit(failures)
        if not verdict.allowed:
            raise Throttled(verdict.retry_after, verdict.quota) from None
        raise
    if identity.rate_key is None and device is not None:
        identity = replace(identity, device=device)
    verdict = await limiter.hit(identity.budget(client_host), identity.shared_budget(client_host))
    if not verdict.allowed:
        raise Throttled(verdict.retry_after, verdict.quota)
    return replace(identity, quota=verdict.quota)
