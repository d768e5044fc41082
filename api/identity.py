"""Who is asking: a verified JWT (`Authorization: Bearer`) into a Viewer.

Tokens are verified with PyJWT, HS256 only (the algorithm is pinned: "none" or any other is
refused), `exp` required, `iss`/`aud` checked when configured. A token that fails is an error
(HTTP 401), never an anonymous request.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import jwt.types

from api.settings import Settings
from db.accounts import viewer_for_sub
from db.engine import Sessionmaker, transaction
from db.viewer import ANONYMOUS, Viewer

ALGORITHM = "HS256"


class AuthenticationError(Exception):
    """The request carried credentials that do not hold; the message is for the client."""


def _secret(settings: Settings) -> str:
    if not settings.jwt_secret:
        raise AuthenticationError("Máy chủ chưa cấu hình khóa xác thực (HDND_JWT_SECRET).")
    return settings.jwt_secret


def verify_token(settings: Settings, token: str) -> dict[str, Any]:
    """The claims of a valid token; AuthenticationError for anything else."""
    options: jwt.types.Options = {
        "require": ["exp", "sub"],
        "verify_aud": settings.jwt_audience is not None,
    }
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            _secret(settings),
            algorithms=[ALGORITHM],
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
    now = datetime.now(UTC)
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


async def viewer_from_headers(
    settings: Settings, sessionmaker: Sessionmaker, authorization: str | None
) -> Viewer:
    """The Viewer of a request's headers (anonymous without any)."""
    token = bearer_token(authorization)
    if token is None:
        return ANONYMOUS
    claims = verify_token(settings, token)
    name = claims.get("name") if isinstance(claims.get("name"), str) else None
    phone = claims.get("phone_number") if isinstance(claims.get("phone_number"), str) else None
    async with transaction(sessionmaker) as session:
        return await viewer_for_sub(session, claims["sub"], name, phone)
