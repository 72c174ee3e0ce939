"""Gift cards as a resource: register or generate codes, look a code up, list and show cards,
reload or deactivate by hand, show a generated card's code again, read a card's ledger.

Money movements are in ``ledger.py``; selling and redeeming happen through orders (sales).
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, utcnow
from tillpoint.core.errors import AppError, status_detail
from tillpoint.core.events import record_event
from tillpoint.core.money import minor_units
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.giftcards.codes import CodeGuard, generate_code
from tillpoint.giftcards.ledger import card_by_code, card_by_id, move, new_cards
from tillpoint.giftcards.models import GIFT_CARD_LEDGER, GiftCard, GiftCardEntry, GiftCardStatus
from tillpoint.giftcards.presenters import card_out, lookup_out
from tillpoint.giftcards.schemas import (
    DeactivateIn,
    GiftCardCodesIn,
    GiftCardOut,
    ReloadIn,
)
from tillpoint.identity.service import tenant_currency_exponent


async def _exponent(session: AsyncSession, principal: Principal) -> int:
    return await tenant_currency_exponent(session, principal.tenant_id)


async def add_codes(
    session: AsyncSession, principal: Principal, guard: CodeGuard, data: GiftCardCodesIn
) -> dict[str, Any]:
    """Physical cards' codes registered, or ``count`` codes generated: inactive until sold.
    Generated codes are returned (this once) beside their cards."""
    generated = data.codes is None
    codes = [generate_code() for _ in range(data.count or 0)] if generated else data.codes or []
    cards = await new_cards(
        session,
        principal,
        guard,
        codes,
        "generated" if generated else "physical",
        expires_at=data.expires_at,
    )
    exponent = await _exponent(session, principal)
    items = [card_out(card, exponent) for card in cards]
    for item in items:
        record_event(
            session,
            "gift_card.created",
            GiftCardOut.model_validate(item).model_dump(mode="json", by_alias=True),
            subject_id=item["gift_card_id"],
        )
    return {"items": items, "codes": codes if generated else None}


async def lookup(
    session: AsyncSession, principal: Principal, guard: CodeGuard, code: str
) -> dict[str, Any]:
    card = await card_by_code(session, principal, guard, code, "code")
    return lookup_out(card, await _exponent(session, principal))


async def list_cards(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    status: GiftCardStatus | None,
) -> tuple[list[dict[str, Any]], int]:
    stmt = params.filter_updated(select(GiftCard), GiftCard.updated_at)
    if status is not None:
        stmt = stmt.where(GiftCard.status == status)
    cards, total = await paginate(
        session, stmt, GiftCard.id, offset=params.offset, limit=params.page_size
    )
    exponent = await _exponent(session, principal)
    return [card_out(card, exponent) for card in cards], total


async def show_card(session: AsyncSession, principal: Principal, card_id: str) -> dict[str, Any]:
    card = await card_by_id(session, card_id)
    return card_out(card, await _exponent(session, principal))


async def show_code(session: AsyncSession, guard: CodeGuard, card_id: str) -> dict[str, Any]:
    """A generated card's code, to print or send again; a physical card's is on the card."""
    card = await card_by_id(session, card_id)
    if card.code_secret is None:
        raise AppError("CONFLICT", "A physical card's code is printed on the card only.")
    return {"gift_card_id": card.id, "code": guard.box.decrypt(card.code_secret)}


async def reload_card(
    session: AsyncSession, principal: Principal, card_id: str, data: ReloadIn
) -> dict[str, Any]:
    """Load value onto an active card by hand (a sold reload line does this at the till)."""
    card = await card_by_id(session, card_id, lock=True)
    if card.status != "active":
        raise AppError("GIFT_CARD_INACTIVE", details=[status_detail("gift card", card.status)])
    exponent = await _exponent(session, principal)
    amount = minor_units(data.amount, exponent, "amount")
    await move(session, principal, card, amount, "reload", note=data.reason)
    return card_out(card, exponent)


async def deactivate_card(
    session: AsyncSession, principal: Principal, card_id: str, data: DeactivateIn
) -> dict[str, Any]:
    """Stop a card for good (lost, stolen): it can no longer be sold, spent or reloaded; its
    balance stays on the books, and refunds of its payments still go back to it."""
    card = await card_by_id(session, card_id, lock=True)
    check_version(card, data.version)
    exponent = await _exponent(session, principal)
    if card.status == "deactivated":
        return card_out(card, exponent)
    now = utcnow()
    card.status = "deactivated"
    card.deactivated_at = now
    card.deactivation_reason = data.reason
    card.updated_at = now
    await session.flush()
    out = card_out(card, exponent)
    record_event(
        session,
        "gift_card.deactivated",
        GiftCardOut.model_validate(out).model_dump(mode="json", by_alias=True),
        subject_id=card.id,
    )
    return out


async def list_entries(
    session: AsyncSession, principal: Principal, card_id: str, params: PageParams
) -> tuple[list[dict[str, Any]], int]:
    """The card's ledger, oldest first (each entry with the balance it left)."""
    card = await card_by_id(session, card_id)
    stmt = params.filter_updated(
        select(GiftCardEntry).where(GiftCardEntry.gift_card_id == card.id),
        GiftCardEntry.created_at,
    )
    entries, total = await paginate(
        session, stmt, GiftCardEntry.id, offset=params.offset, limit=params.page_size
    )
    exponent = await _exponent(session, principal)
    return [GIFT_CARD_LEDGER.money_entry_out(entry, exponent) for entry in entries], total
