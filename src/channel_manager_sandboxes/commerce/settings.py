"""Settings of one sandbox Commerce server; every field has a documented default."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_TOKEN = "sandbox-commerce-token"
DEFAULT_CONSUMER_KEY = "sandbox-consumer-key"
DEFAULT_CONSUMER_SECRET = "sandbox-consumer-secret"
DEFAULT_ACCESS_TOKEN = "sandbox-access-token"
DEFAULT_ACCESS_TOKEN_SECRET = "sandbox-access-token-secret"


@dataclass(frozen=True)
class OAuthIntegration:
    """The four credentials of the sandbox's one activated integration."""

    consumer_key: str = DEFAULT_CONSUMER_KEY
    consumer_secret: str = field(default=DEFAULT_CONSUMER_SECRET, repr=False)
    access_token: str = field(default=DEFAULT_ACCESS_TOKEN, repr=False)
    access_token_secret: str = field(default=DEFAULT_ACCESS_TOKEN_SECRET, repr=False)


@dataclass(frozen=True)
class SandboxSettings:
    tokens: tuple[str, ...] = (DEFAULT_TOKEN,)
    """Bearer tokens accepted (an admin token or an integration token allowed as Bearer)."""
    oauth: OAuthIntegration | None = field(default_factory=OAuthIntegration)
    """The integration whose OAuth 1.0a HMAC-SHA256 signatures are accepted; ``None`` = no OAuth."""
    oauth_timestamp_tolerance_s: int = 600
    """How far ``oauth_timestamp`` may be from the real (not the sandbox) clock."""
    ship_id_as_string: bool = False
    """Answer ``POST /V1/order/{id}/ship`` with ``"123"`` as some stores do, instead of ``123``."""
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_signature: str = "hmac"
    """``hmac`` (shared secret) or ``rsa`` (Adobe Commerce: RSA-SHA256 with a key pair; see ``webhooks.py``)."""
    webhook_private_key_pem: str | None = field(default=None, repr=False)
    """The RSA private key to sign with (``rsa``); default: one generated at start-up."""
    module_installed: bool = True
    """The companion module ``ChannelManager_Connector`` is installed (its routes answer; else 404)."""
    module_events_url: str | None = None
    module_events_secret: str = field(default="", repr=False)
    module_events_enabled: bool = False
    fault_seed: int | None = None
    """Seed for the fault injector's random choices (``None`` = unseeded)."""
