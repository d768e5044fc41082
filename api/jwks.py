"""The identity provider's public keys (JWKS), for tokens signed with RS256 or ES256.

PyJWT parses and fetches the key set; this module decides when: keys are cached, an unknown
`kid` refreshes the set (the provider rotated its keys), but at most once per `MIN_REFRESH`
seconds, so tokens with made-up `kid`s cannot make the service hammer the provider.
"""

import asyncio
import time
from functools import lru_cache

import jwt

ASYMMETRIC = ("RS256", "ES256")
MIN_REFRESH = 30.0  # seconds between two fetches caused by unknown kids
MAX_AGE = 3600.0  # seconds a fetched key set is trusted before it is fetched again


class KeysUnavailable(Exception):
    """The key set could not be fetched or parsed."""


class ProviderKeys:
    """One provider's signing keys by `kid`, fetched off the event loop."""

    def __init__(self, url: str, *, min_refresh: float = MIN_REFRESH, max_age: float = MAX_AGE):
        self._client = jwt.PyJWKClient(url, cache_jwk_set=False, cache_keys=False, timeout=5)
        self._min_refresh = min_refresh
        self._max_age = max_age
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def key(self, kid: str) -> jwt.PyJWK | None:
        """The key named `kid`, or None when the provider does not publish it."""
        fresh = time.monotonic() - self._fetched_at < self._max_age
        if kid in self._keys and fresh:
            return self._keys[kid]
        async with self._lock:
            since = time.monotonic() - self._fetched_at
            if kid in self._keys and since < self._max_age:
                return self._keys[kid]  # another request refreshed while this one waited
            if since >= self._min_refresh:
                await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        self.fetches += 1
        self._fetched_at = time.monotonic()  # a failed fetch also waits MIN_REFRESH to retry
        try:
            jwk_set = await asyncio.to_thread(self._client.get_jwk_set)
        except jwt.PyJWTError as exc:  # unreachable, not JSON, or no usable key
            raise KeysUnavailable(str(exc)) from exc
        self._keys = {
            key.key_id: key
            for key in jwk_set.keys
            if key.key_id and key.algorithm_name in ASYMMETRIC
        }


@lru_cache(maxsize=4)
def provider_keys(url: str) -> ProviderKeys:
    """The process's cache for one JWKS URL."""
    return ProviderKeys(url)
