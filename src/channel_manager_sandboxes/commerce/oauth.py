"""Checks OAuth 1.0a HMAC-SHA256 signatures the way Commerce's ``Framework/Oauth`` does (NOTES §2).

Base string: ``METHOD&enc(scheme://host/path)&enc(sorted oauth_* params + query params)``; key:
``enc(consumer_secret)&enc(token_secret)``; the JSON body is not signed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import time
from collections import OrderedDict
from urllib.parse import quote, unquote

from channel_manager_sandboxes.commerce.errors import SandboxApiError
from channel_manager_sandboxes.commerce.settings import OAuthIntegration

_PARAM = re.compile(r'([A-Za-z_]+)\s*=\s*"([^"]*)"')
INVALID_SIGNATURE = "The signature is invalid. Verify and try again."


def _enc(value: str) -> str:
    return quote(value, safe="~-._")


def _unauthorized(message: str, parameters: object = None) -> SandboxApiError:
    return SandboxApiError(401, message, parameters)


class OAuthVerifier:
    def __init__(self, integration: OAuthIntegration, tolerance_s: int = 600) -> None:
        self.integration = integration
        self.tolerance_s = tolerance_s
        self._nonces: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._lock = threading.Lock()

    def verify(
        self, method: str, scheme: str, host: str, raw_path: str, query: list[tuple[str, str]], header: str
    ) -> None:
        params = {k: unquote(v) for k, v in _PARAM.findall(header[len("OAuth") :])}
        for name in (
            "oauth_consumer_key",
            "oauth_token",
            "oauth_signature_method",
            "oauth_signature",
            "oauth_nonce",
            "oauth_timestamp",
        ):
            if not params.get(name):
                raise SandboxApiError(400, '"%fieldName" is required. Enter and try again.', {"fieldName": name})
        if params["oauth_signature_method"] != "HMAC-SHA256":
            raise _unauthorized("Signature method %1 is not supported", [params["oauth_signature_method"]])
        if params.get("oauth_version", "1.0") != "1.0":
            raise _unauthorized("The OAuth version is not supported.")
        if params["oauth_consumer_key"] != self.integration.consumer_key:
            raise _unauthorized("A consumer with the ID %1 doesn't exist.", [params["oauth_consumer_key"]])
        if not hmac.compare_digest(params["oauth_token"], self.integration.access_token):
            raise _unauthorized("The token is invalid. Verify the token and try again.")
        try:
            timestamp = int(params["oauth_timestamp"])
        except ValueError:
            raise _unauthorized("The timestamp is invalid. Check the timestamp and try again.") from None
        if abs(time.time() - timestamp) > self.tolerance_s:
            raise _unauthorized("The timestamp is invalid. Check the timestamp and try again.")
        signed = [(k, v) for k, v in params.items() if k != "oauth_signature" and k.startswith("oauth_")]
        pairs = sorted((_enc(k), _enc(v)) for k, v in [*signed, *query])
        url = f"{scheme.lower()}://{host.lower()}{raw_path}"
        base = "&".join((method.upper(), _enc(url), _enc("&".join(f"{k}={v}" for k, v in pairs))))
        key = f"{_enc(self.integration.consumer_secret)}&{_enc(self.integration.access_token_secret)}".encode()
        expected = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, params["oauth_signature"]):
            raise _unauthorized(INVALID_SIGNATURE)
        with self._lock:
            nonce_key = (params["oauth_nonce"], params["oauth_timestamp"])
            if nonce_key in self._nonces:
                raise _unauthorized(
                    "The nonce is already being used by the consumer with ID %1.", [params["oauth_consumer_key"]]
                )
            self._nonces[nonce_key] = None
            while len(self._nonces) > 100_000:
                self._nonces.popitem(last=False)
