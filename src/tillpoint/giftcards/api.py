"""Gift card endpoints: codes, lookup by code, cards, their ledger, reload and deactivate."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from tillpoint.core.deps import DbSession, RequestCtx
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.giftcards import service
from tillpoint.giftcards.deps import GiftCardCodes, GiftCardManager, GiftCardReader
from tillpoint.giftcards.models import GiftCardStatus
from tillpoint.giftcards.schemas import (
    Code,
    DeactivateIn,
    GiftCardBatchOut,
    GiftCardCodeOut,
    GiftCardCodesIn,
    GiftCardEntryOut,
    GiftCardLookupOut,
    GiftCardOut,
    ReloadIn,
)

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS, tags=["gift cards"])


@router.post(
    "/gift-cards/codes",
    response_model=GiftCardBatchOut,
    status_code=201,
    responses=error_responses("GIFT_CARD_ALREADY_EXISTS"),
)
async def add_codes(
    body: GiftCardCodesIn,
    session: DbSession,
    principal: GiftCardManager,
    guard: GiftCardCodes,
    ctx: RequestCtx,
) -> dict[str, Any]:
    """Register physical cards' `codes`, or generate `count` codes: inactive until sold. The
    generated codes are in this response only (an idempotent replay shows `codes: null`)."""
    ctx.secret_fields = frozenset({"codes"})
    return await service.add_codes(session, principal, guard, body)


@router.get(
    "/gift-cards/lookup",
    response_model=GiftCardLookupOut,
    responses=error_responses("GIFT_CARD_NOT_FOUND", "RATE_LIMITED"),
)
async def lookup(
    code: Annotated[Code, Query()],
    session: DbSession,
    principal: GiftCardReader,
    guard: GiftCardCodes,
) -> dict[str, Any]:
    """A card's balance, status, expiry and last 4 by its code. Wrong codes are counted per
    principal: past the limit every lookup is 429 for the rest of the minute."""
    return await service.lookup(session, principal, guard, code)


@router.get("/gift-cards", response_model=Page[GiftCardOut])
async def list_cards(
    session: DbSession,
    paging: Pagination,
    principal: GiftCardReader,
    status: GiftCardStatus | None = None,
) -> dict[str, object]:
    items, total = await service.list_cards(session, principal, paging, status=status)
    return paging.page_of(items, total)


@router.get("/gift-cards/{gift_card_id}", response_model=GiftCardOut)
async def get_card(
    gift_card_id: str, session: DbSession, principal: GiftCardReader
) -> dict[str, Any]:
    return await service.show_card(session, principal, gift_card_id)


@router.get(
    "/gift-cards/{gift_card_id}/code",
    response_model=GiftCardCodeOut,
    responses=error_responses("CONFLICT"),
)
async def get_code(
    gift_card_id: str, session: DbSession, _principal: GiftCardManager, guard: GiftCardCodes
) -> dict[str, Any]:
    """A generated card's code, to print or send again (409 for a physical card)."""
    return await service.show_code(session, guard, gift_card_id)


@router.get("/gift-cards/{gift_card_id}/entries", response_model=Page[GiftCardEntryOut])
async def list_entries(
    gift_card_id: str, session: DbSession, paging: Pagination, principal: GiftCardReader
) -> dict[str, object]:
    items, total = await service.list_entries(session, principal, gift_card_id, paging)
    return paging.page_of(items, total)


async def _card_to_change(gift_card_id: str, session: DbSession, principal: GiftCardManager) -> str:
    # 404 for an unknown card before the body is read (dependencies run first).
    await service.show_card(session, principal, gift_card_id)
    return gift_card_id


CardToChange = Annotated[str, Depends(_card_to_change)]


@router.post(
    "/gift-cards/{gift_card_id}/reload",
    response_model=GiftCardOut,
    responses=error_responses("GIFT_CARD_INACTIVE"),
)
async def reload_card(
    card_id: CardToChange, body: ReloadIn, session: DbSession, principal: GiftCardManager
) -> dict[str, Any]:
    """Load value onto an active card by hand, with a reason (at the till, sell a gift card
    line carrying the card's code instead)."""
    return await service.reload_card(session, principal, card_id, body)


@router.post(
    "/gift-cards/{gift_card_id}/deactivate",
    response_model=GiftCardOut,
    responses=error_responses("VERSION_CONFLICT"),
)
async def deactivate_card(
    card_id: CardToChange, body: DeactivateIn, session: DbSession, principal: GiftCardManager
) -> dict[str, Any]:
    return await service.deactivate_card(session, principal, card_id, body)
