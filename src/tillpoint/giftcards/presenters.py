"""Gift cards and ledger entries as the API shows them (money in major units)."""

from typing import Any

from tillpoint.core.db import utcnow
from tillpoint.core.money import from_minor
from tillpoint.giftcards.models import GiftCard


def card_out(card: GiftCard, exponent: int) -> dict[str, Any]:
    return {
        "gift_card_id": card.id,
        "last4": card.last4,
        "source": card.source,
        "status": card.status,
        "balance": from_minor(card.balance_minor, exponent),
        "expires_at": card.expires_at,
        "order_id": card.order_id,
        "activated_at": card.activated_at,
        "deactivated_at": card.deactivated_at,
        "deactivation_reason": card.deactivation_reason,
        "version": card.version,
        "created_at": card.created_at,
        "updated_at": card.updated_at,
    }


def lookup_out(card: GiftCard, exponent: int) -> dict[str, Any]:
    return {
        "gift_card_id": card.id,
        "last4": card.last4,
        "status": card.status,
        "balance": from_minor(card.balance_minor, exponent),
        "expires_at": card.expires_at,
        "expired": is_expired(card),
    }


def is_expired(card: GiftCard) -> bool:
    return card.expires_at is not None and card.expires_at <= utcnow()
