"""How the client proves who it is to Commerce: a Bearer token or OAuth 1.0a HMAC-SHA256 signing.

Adobe Commerce 2.4.4+ refuses integration access tokens as Bearer tokens unless the store allows it
(``oauth/consumer/enable_integration_as_bearer``); then every request is signed with the
integration's four credentials (NOTES.md section 2), by oauthlib. Secrets never appear in ``repr``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, Client


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
        """The ``Authorization: OAuth ...`` header of one request (oauthlib signs it, RFC 5849 with HMAC-SHA256).

        ``url`` is the request URL as sent (path already percent-encoded); ``query`` its query parameters,
        which are part of the signature base string."""
        client = Client(
            self.consumer_key,
            client_secret=self.consumer_secret,
            resource_owner_key=self.access_token,
            resource_owner_secret=self.access_token_secret,
            signature_method=SIGNATURE_HMAC_SHA256,
            nonce=nonce,
            timestamp=None if timestamp is None else str(timestamp),
        )
        pairs = list(query)
        uri = f"{url}?{urlencode(pairs, quote_via=quote)}" if pairs else url
        _, headers, _ = client.sign(uri, http_method=method.upper())
        return str(headers["Authorization"])

    def __repr__(self) -> str:
        return f"OAuth1Credentials(consumer_key={self.consumer_key!r}, secrets='***')"


CommerceAuth = BearerToken | OAuth1Credentials
