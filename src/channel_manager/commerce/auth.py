"""How the client proves who it is to Commerce: a Bearer token or OAuth 1.0a HMAC-SHA256 signing.

Adobe Commerce 2.4.4+ refuses integration access tokens as Bearer tokens unless the store allows it
(``oauth/consumer/enable_integration_as_bearer``); then every request is signed with the
integration's four credentials (NOTES.md section 2). Secrets never appear in ``repr``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit


def oauth_escape(value: str) -> str:
    """RFC 3986 percent-encoding (PHP ``rawurlencode``): only unreserved characters stay."""
    return quote(value, safe="~-._")


def normalized_url(url: str) -> str:
    """``scheme://host[:port]/path`` for the base string: lowercase scheme and host, no default port,
    no query or fragment; the path as it is sent (already percent-encoded)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is not None and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{parts.path or '/'}"


def signature_base_string(method: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """``METHOD&enc(url)&enc(sorted, encoded params)`` as OAuth 1.0a section 3.4.1 defines it."""
    encoded = sorted((oauth_escape(k), oauth_escape(v)) for k, v in params)
    joined = "&".join(f"{k}={v}" for k, v in encoded)
    return "&".join((method.upper(), oauth_escape(normalized_url(url)), oauth_escape(joined)))


def hmac_sha256_signature(base_string: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{oauth_escape(consumer_secret)}&{oauth_escape(token_secret)}".encode()
    digest = hmac.new(key, base_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class BearerToken:
    """An integration access token (store allows it as Bearer) or an admin token."""

    token: str = field(repr=False)

    def authorization(self, method: str, url: str, query: Iterable[tuple[str, str]]) -> str:
        return f"Bearer {self.token}"

    def __repr__(self) -> str:
        return "BearerToken(token='***')"


@dataclass(frozen=True)
class OAuth1Credentials:
    """The four credentials of an activated Commerce integration; signs with HMAC-SHA256."""

    consumer_key: str
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)

    def authorization(
        self,
        method: str,
        url: str,
        query: Iterable[tuple[str, str]],
        *,
        timestamp: int | None = None,
        nonce: str | None = None,
    ) -> str:
        oauth_params = {
            "oauth_consumer_key": self.consumer_key,
            "oauth_nonce": nonce or secrets.token_hex(16),
            "oauth_signature_method": "HMAC-SHA256",
            "oauth_timestamp": str(timestamp if timestamp is not None else int(time.time())),
            "oauth_token": self.access_token,
            "oauth_version": "1.0",
        }
        base = signature_base_string(method, url, [*oauth_params.items(), *query])
        oauth_params["oauth_signature"] = hmac_sha256_signature(base, self.consumer_secret, self.access_token_secret)
        header = ", ".join(f'{k}="{oauth_escape(v)}"' for k, v in oauth_params.items())
        return f"OAuth {header}"

    def __repr__(self) -> str:
        return f"OAuth1Credentials(consumer_key={self.consumer_key!r}, secrets='***')"


CommerceAuth = BearerToken | OAuth1Credentials
