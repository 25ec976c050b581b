"""Builds the Walmart and Commerce clients of a channel store (the adapters' composition)."""

from __future__ import annotations

from typing import Any

from .commerce.auth import BearerToken, OAuth1Credentials
from .commerce.client import CommerceClient
from .domain.stores import ChannelStore
from .walmart.client import WalmartClient


def walmart_client_for(store: ChannelStore, **options: Any) -> WalmartClient:
    account = store.walmart
    return WalmartClient(
        account.base_url,
        account.client_id,
        account.client_secret.reveal(),
        account=f"store-{store.id}" if store.id is not None else store.name,
        **options,
    )


def commerce_client_for(store: ChannelStore, **options: Any) -> CommerceClient:
    commerce = store.commerce
    auth: BearerToken | OAuth1Credentials
    if commerce.uses_oauth:
        assert commerce.consumer_key and commerce.consumer_secret and commerce.access_token
        assert commerce.access_token_secret
        auth = OAuth1Credentials(
            consumer_key=commerce.consumer_key,
            consumer_secret=commerce.consumer_secret.reveal(),
            access_token=commerce.access_token.reveal(),
            access_token_secret=commerce.access_token_secret.reveal(),
        )
    else:
        assert commerce.access_token
        auth = BearerToken(commerce.access_token.reveal())
    return CommerceClient(commerce.base_url, auth, store_code=commerce.store_code, **options)
