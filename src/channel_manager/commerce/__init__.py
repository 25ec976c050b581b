"""Adobe Commerce / Magento 2.4 REST adapter: client, auth, search criteria, models, webhooks."""

from channel_manager.commerce.auth import BearerToken, CommerceAuth, OAuth1Credentials
from channel_manager.commerce.client import CommerceClient
from channel_manager.commerce.errors import (
    CommerceAuthError,
    CommerceCancelRefusedError,
    CommerceError,
    CommerceNotFoundError,
    CommerceOrderMismatchError,
    CommerceProductUnavailableError,
    CommerceRetryableError,
    CommerceValidationError,
)
from channel_manager.commerce.http_attempts import AttemptCallback, CommerceAttempt
from channel_manager.commerce.models import (
    ChannelAddress,
    ChannelOrder,
    ChannelOrderLine,
    CommerceCreditMemo,
    CommerceOrder,
    CommerceOrderItem,
    CommerceShipment,
    CreatedCommerceOrder,
    SourceItem,
)
from channel_manager.commerce.search_criteria import Filter, SearchCriteria
from channel_manager.commerce.webhooks import WebhookEvent, parse_webhook, verify_webhook

__all__ = [
    "AttemptCallback",
    "BearerToken",
    "ChannelAddress",
    "ChannelOrder",
    "ChannelOrderLine",
    "CommerceAttempt",
    "CommerceAuth",
    "CommerceAuthError",
    "CommerceCancelRefusedError",
    "CommerceClient",
    "CommerceCreditMemo",
    "CommerceError",
    "CommerceNotFoundError",
    "CommerceOrder",
    "CommerceOrderItem",
    "CommerceOrderMismatchError",
    "CommerceProductUnavailableError",
    "CommerceRetryableError",
    "CommerceShipment",
    "CommerceValidationError",
    "CreatedCommerceOrder",
    "Filter",
    "OAuth1Credentials",
    "SearchCriteria",
    "SourceItem",
    "WebhookEvent",
    "parse_webhook",
    "verify_webhook",
]
