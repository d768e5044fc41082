"""Tokens from an identity provider: RS256 and ES256 verified with the keys it publishes (JWKS),
served here by a real HTTP server of the test's own."""

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from httpx import ASGITransport, AsyncClient

from api.app import create_app
from api.jwks import provider_keys
from api.settings import Settings
from tests.conftest import TEST_SECRET, gql


class Provider:
    """A JWKS endpoint whose keys the test rotates; it counts the fetches."""

    def __init__(self) -> None:
        self.keys: dict[str, tuple[str, Any]] = {}  # kid -> (alg, private key)
        self.fetches = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.fetches += 1
                body = json.dumps({"keys": provider.public_jwks()}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, kid: str, alg: str) -> None:
        private = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if alg == "RS256"
            else ec.generate_private_key(ec.SECP256R1())
        )
        self.keys[kid] = (alg, private)

    def public_jwks(self) -> list[dict[str, Any]]:
        out = []
        for kid, (alg, private) in self.keys.items():
            algorithm = jwt.get_algorithm_by_name(alg)
            jwk = json.loads(algorithm.to_jwk(private.public_key()))
            out.append(jwk | {"kid": kid, "alg": alg, "use": "sig"})
        return out

    def token(self, kid: str, sub: str = "idp-user-1", **claims: Any) -> str:
        alg, private = self.keys[kid]
        now = datetime.now(UTC)
        payload = {"sub": sub, "iat": now, "exp": now + timedelta(minutes=5)} | claims
        return jwt.encode(payload, private, algorithm=alg, headers={"kid": kid})


@pytest.fixture
def provider() -> Iterator[Provider]:
    running = Provider()
    running.add("rsa-1", "RS256")
    running.add("ec-1", "ES256")
    provider_keys.cache_clear()
    yield running
    running.server.shutdown()
    provider_keys.cache_clear()


@pytest.fixture
async def idp_client(db_url: str, provider: Provider) -> Any:
    settings = Settings(
        database_url=db_url,
        jwt_secret=TEST_SECRET,
        jwt_jwks_url=provider.url,
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http,
    ):
        yield http


ME = "{ me { sub role } }"


def _b64(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_rs256_and_es256_tokens_sign_in(idp_client: AsyncClient, provider: Provider) -> None:
    for kid in ("rsa-1", "ec-1"):
        body = await gql(idp_client, ME, headers=_auth(provider.token(kid, sub=f"user-{kid}")))
        assert "errors" not in body, body
        assert body["data"]["me"]["role"] == "CITIZEN"
    assert provider.fetches == 1  # one fetch, then the cache


async def test_hs256_still_works_beside_jwks(idp_client: AsyncClient) -> None:
    token = jwt.encode(
        {"sub": "app-user", "exp": datetime.now(UTC) + timedelta(minutes=5)},
        TEST_SECRET,
        algorithm="HS256",
    )
    body = await gql(idp_client, ME, headers=_auth(token))
    assert body["data"]["me"]["role"] == "CITIZEN"


async def test_rotated_key_is_fetched_once_unknown_kids_are_not_refetched(
    idp_client: AsyncClient, provider: Provider
) -> None:
    assert "errors" not in await gql(idp_client, ME, headers=_auth(provider.token("rsa-1")))
    provider.add("rsa-2", "RS256")  # the provider rotates its keys
    keys = provider_keys(provider.url)
    keys._fetched_at -= 3600  # as if the last fetch were long ago
    body = await gql(idp_client, ME, headers=_auth(provider.token("rsa-2")))
    assert "errors" not in body, body
    fetched = provider.fetches
    assert fetched == 2
    # A stranger's kid right after a refresh: refused, and the provider is not asked again.
    provider.add("never-published", "RS256")
    secret_token = provider.token("never-published")
    del provider.keys["never-published"]
    for _ in range(5):
        response = await idp_client.post(
            "/graphql", json={"query": ME}, headers=_auth(secret_token)
        )
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert provider.fetches == fetched


@pytest.mark.parametrize("attack", ["alg-confusion", "wrong-alg-for-kid", "none", "no-kid"])
async def test_forged_tokens_are_refused(
    idp_client: AsyncClient, provider: Provider, attack: str
) -> None:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {"sub": "mallory", "exp": now + timedelta(minutes=5)}
    if attack == "alg-confusion":
        # HS256 keyed with the provider's public key (anyone has it): must not verify.
        public_pem = (
            provider.keys["rsa-1"][1]
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        signing_input = b".".join(
            _b64(json.dumps(part).encode())
            for part in (
                {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"},
                {**claims, "exp": int(claims["exp"].timestamp())},
            )  # type: ignore[union-attr]
        )
        signature = _b64(hmac.new(public_pem, signing_input, hashlib.sha256).digest())
        token = (signing_input + b"." + signature).decode()
    elif attack == "wrong-alg-for-kid":
        # An ES256 key's kid on an RS256 token.
        private = provider.keys["rsa-1"][1]
        token = jwt.encode(claims, private, algorithm="RS256", headers={"kid": "ec-1"})
    elif attack == "none":
        token = jwt.encode(claims, None, algorithm="none", headers={"kid": "rsa-1"})
    else:
        private = provider.keys["rsa-1"][1]
        token = jwt.encode(claims, private, algorithm="RS256")
    response = await idp_client.post("/graphql", json={"query": ME}, headers=_auth(token))
    assert response.status_code == 401, response.text


async def test_expired_provider_token_is_refused(
    idp_client: AsyncClient, provider: Provider
) -> None:
    token = provider.token("ec-1", exp=datetime.now(UTC) - timedelta(seconds=5))
    response = await idp_client.post("/graphql", json={"query": ME}, headers=_auth(token))
    assert response.status_code == 401
    assert "hết hạn" in response.json()["errors"][0]["message"]


async def test_unreachable_provider_is_a_clear_refusal(db_url: str) -> None:
    provider_keys.cache_clear()
    settings = Settings(
        database_url=db_url,
        jwt_secret=TEST_SECRET,
        jwt_jwks_url="http://127.0.0.1:9/jwks.json",
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings)
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(
        {"sub": "x", "exp": datetime.now(UTC) + timedelta(minutes=5)},
        private,
        algorithm="RS256",
        headers={"kid": "k"},
    )
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http,
    ):
        response = await http.post("/graphql", json={"query": ME}, headers=_auth(token))
    provider_keys.cache_clear()
    assert response.status_code == 401
    assert "nhà cung cấp định danh" in response.json()["errors"][0]["message"]
