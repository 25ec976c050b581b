"""Sellers, their client credentials and their access tokens (NOTES.md section 1)."""

from __future__ import annotations

import base64
import binascii
import itertools
import threading
import uuid
from collections.abc import Mapping
from typing import Any

from channel_manager_sandboxes.walmart.clock import SandboxClock
from channel_manager_sandboxes.walmart.errors import SandboxHTTPError, unauthorized
from channel_manager_sandboxes.walmart.model import Seller
from channel_manager_sandboxes.walmart.settings import WalmartSandboxSettings

TOKEN_SCOPES = {
    "orders": "full_access",
    "returns": "full_access",
    "inventory": "full_access",
    "notifications": "full_access",
}


class Accounts:
    """Every seller of the sandbox, by id and by client id, and the tokens issued to them."""

    def __init__(self, settings: WalmartSandboxSettings, clock: SandboxClock, lock: threading.RLock) -> None:
        self.settings = settings
        self.clock = clock
        self.lock = lock
        self.sellers: dict[str, Seller] = {}
        self.by_client_id: dict[str, Seller] = {}
        self.tokens: dict[str, tuple[str, int]] = {}
        """token -> (seller id, expiry in epoch ms)."""
        self._partner_ids = itertools.count(10000001)

    def create_seller(self, seller_id: str, client_id: str, client_secret: str) -> Seller:
        with self.lock:
            if seller_id in self.sellers:
                raise ValueError(f"seller {seller_id} exists")
            if client_id in self.by_client_id:
                raise ValueError(f"client id {client_id} is taken")
            seller = Seller(seller_id, client_id, client_secret, str(next(self._partner_ids)))
            self.sellers[seller_id] = seller
            self.by_client_id[client_id] = seller
            return seller

    def seller(self, seller_id: str) -> Seller:
        seller = self.sellers.get(seller_id)
        if seller is None:
            raise KeyError(f"no seller {seller_id}")
        return seller

    def issue_token(self, authorization: str | None, form: Mapping[str, str]) -> dict[str, Any]:
        seller = self.basic_seller(authorization)
        if form.get("grant_type") != "client_credentials":
            raise SandboxHTTPError(
                400,
                "INVALID_REQUEST_CONTENT.GMP_GATEWAY_API",
                "grant_type must be client_credentials",
                field="grant_type",
                gateway=True,
            )
        token = "sbx." + uuid.uuid4().hex + uuid.uuid4().hex
        lifetime = int(self.settings.token_lifetime)
        with self.lock:
            self.tokens[token] = (seller.seller_id, self.clock.now_ms() + lifetime * 1000)
        return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime}

    def basic_seller(self, authorization: str | None) -> Seller:
        """The seller whose client id and secret are in a ``Basic`` authorization header."""
        if not authorization or not authorization.startswith("Basic "):
            raise unauthorized()
        try:
            client_id, _, secret = base64.b64decode(authorization[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise unauthorized() from None
        seller = self.by_client_id.get(client_id)
        if seller is None or seller.client_secret != secret:
            raise unauthorized()
        return seller

    def authenticate(self, token: str | None) -> Seller:
        if not token:
            raise unauthorized()
        entry = self.tokens.get(token)
        if entry is None or entry[1] <= self.clock.now_ms():
            raise unauthorized()
        return self.sellers[entry[0]]

    def token_detail(self, token: str | None) -> dict[str, Any]:
        self.authenticate(token)
        _seller_id, expires = self.tokens[token or ""]
        issued = expires - int(self.settings.token_lifetime) * 1000
        return {"expire_at": str(expires), "issued_at": str(issued), "is_valid": True, "scopes": dict(TOKEN_SCOPES)}

    def revoke_tokens(self, seller_id: str) -> int:
        """Every token of the seller stops working now, before its expiry."""
        with self.lock:
            doomed = [t for t, (s, _) in self.tokens.items() if s == seller_id]
            for token in doomed:
                del self.tokens[token]
            return len(doomed)

    def revoke_token(self, token: str | None) -> bool:
        """One token stops working now (the ``revoke_token`` fault)."""
        with self.lock:
            return self.tokens.pop(token or "", None) is not None
