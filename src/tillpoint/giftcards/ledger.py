"""Every movement of a gift card's balance, for the sales domain and this one's own routes:
selling (activation or reload on completion), redeeming as a tender, refunds and voids back
to the card, and a sold card taken back when its line is refunded or voided.

Each goes through ``GIFT_CARD_LEDGER.change`` (one self-checking UPDATE and its entry, in the
caller's transaction) and records a ``gift_card.*`` event whose data is the card as the API
shows it with the ledger entry. Nothing here takes or returns a code in clear beyond the call
that resolves it.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from tillpoint.core.auth import Principal
from tillpoint.core.dates import add_months
from tillpoint.core.db import utcnow
from tillpoint.core.errors import AppError, not_found
from tillpoint.core.events import record_event
from tillpoint.core.ids import has_prefix, new_id
from tillpoint.giftcards.codes import CodeGuard, generate_code, normalise
from tillpoint.giftcards.models import GIFT_CARD_LEDGER, EntryReason, GiftCard
from tillpoint.giftcards.presenters import card_out, is_expired
from tillpoint.giftcards.schemas import GiftCardEntryOut, GiftCardOut
from tillpoint.identity.models import Tenant
from tillpoint.identity.service import tenant_currency_exponent

# What a sold line does to its card (``OrderLine.gift_card_load``); None on lines written
# before it was recorded: whatever the card's status then allows.
SaleLoad = Literal["activation", "reload"]


class SoldCard(NamedTuple):
    card_id: str
    amount: int
    load: SaleLoad | None


EVENTS: dict[EntryReason, str] = {
    "activation": "gift_card.activated",
    "reload": "gift_card.reloaded",
    "redemption": "gift_card.redeemed",
    "refund": "gift_card.refunded",
    "return": "gift_card.returned",
}


def actor(principal: Principal) -> str:
    return f"{principal.kind}:{principal.id}"


async def card_by_code(
    session: AsyncSession, principal: Principal, guard: CodeGuard, code: str, field: str
) -> GiftCard:
    """The tenant's card with this code; a wrong code is counted and logged (never the code)
    and is 404 GIFT_CARD_NOT_FOUND, or 429 once the principal has tried too many."""
    await guard.check_allowed(principal)
    card = await _with_code(session, guard, code)
    if card is None:
        raise await guard.count_wrong(principal, field)
    return card


async def _with_code(session: AsyncSession, guard: CodeGuard, code: str) -> GiftCard | None:
    """The tenant's card whose digest (under any configured key) is the code's, or None."""
    digests = guard.digests(code)
    stmt = select(GiftCard).where(GiftCard.code_digest.in_(digests))
    cards = (await session.execute(stmt)).scalars().all()
    return next((c for c in cards if guard.matches(c.code_digest, digests)), None)


async def card_by_id(session: AsyncSession, card_id: str, *, lock: bool = False) -> GiftCard:
    """The tenant's card (its row locked until commit when asked), else 404 NOT_FOUND."""
    card = None
    if has_prefix(card_id, "gift_card"):
        stmt = select(GiftCard).where(GiftCard.id == card_id)
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        card = (await session.execute(stmt)).scalar_one_or_none()
    if card is None:
        raise not_found("Gift card")
    return card


def check_spendable(card: GiftCard, field: str) -> None:
    if card.status != "active":
        raise AppError(
            "GIFT_CARD_INACTIVE",
            details=[{"field": field, "message": f"the card is {card.status}"}],
        )
    if is_expired(card):
        raise AppError("GIFT_CARD_EXPIRED", details=[{"field": field, "message": "expired"}])


async def move(
    session: AsyncSession,
    principal: Principal,
    card: GiftCard,
    delta: int,
    reason: EntryReason,
    *,
    field: str = "amount",
    order_id: str | None = None,
    payment_id: str | None = None,
    refund_id: str | None = None,
    note: str | None = None,
) -> None:
    """Change the card's balance by ``delta`` through the ledger and record the event; a
    spend beyond the balance is 409 GIFT_CARD_INSUFFICIENT_BALANCE and changes nothing."""
    entry: dict[str, Any] = {
        "reason": reason,
        "order_id": order_id,
        "payment_id": payment_id,
        "refund_id": refund_id,
        "note": note,
        "created_by": actor(principal),
    }
    change = await GIFT_CARD_LEDGER.change(session, card.tenant_id, card.id, delta, entry)
    if change is None:
        balance = await GIFT_CARD_LEDGER.account_balance(session, card.tenant_id, card.id)
        raise AppError(
            "GIFT_CARD_INSUFFICIENT_BALANCE",
            details=[{"field": field, "message": f"the card holds {balance} minor units"}],
        )
    now = utcnow()
    # The UPDATE wrote them; the loaded card shows what it wrote.
    set_committed_value(card, "balance_minor", change.balance_after)
    set_committed_value(card, "updated_at", now)
    exponent = await tenant_currency_exponent(session, card.tenant_id)
    written = {
        **entry,
        "id": change.entry_id,
        "gift_card_id": card.id,
        "delta": delta,
        "balance_after": change.balance_after,
        "created_at": now,
    }
    record_event(
        session,
        EVENTS[reason],
        {
            **_json(GiftCardOut, card_out(card, exponent)),
            "entry": _json(GiftCardEntryOut, GIFT_CARD_LEDGER.money_entry_out(written, exponent)),
        },
        subject_id=card.id,
    )


def _json(shape: type[BaseModel], fields: dict[str, Any]) -> dict[str, Any]:
    return shape.model_validate(fields).model_dump(mode="json", by_alias=True)


async def redeem(
    session: AsyncSession,
    principal: Principal,
    guard: CodeGuard,
    code: str,
    amount: int,
    *,
    order_id: str,
    payment_id: str,
) -> GiftCard:
    """Spend ``amount`` of the card with this code (a ``gift_card`` tender)."""
    card = await card_by_code(session, principal, guard, code, "giftCardCode")
    check_spendable(card, "giftCardCode")
    await move(
        session,
        principal,
        card,
        -amount,
        "redemption",
        order_id=order_id,
        payment_id=payment_id,
    )
    return card


async def credit_back(
    session: AsyncSession,
    principal: Principal,
    card_id: str,
    amount: int,
    *,
    order_id: str,
    refund_id: str | None = None,
    payment_id: str | None = None,
) -> None:
    """Give ``amount`` back to a card a payment drew on (a refund or a void), whatever its
    status now: the money was the card's."""
    card = await card_by_id(session, card_id)
    await move(
        session,
        principal,
        card,
        amount,
        "refund",
        order_id=order_id,
        refund_id=refund_id,
        payment_id=payment_id,
    )


async def card_for_sale(
    session: AsyncSession,
    principal: Principal,
    guard: CodeGuard,
    code: str | None,
    field: str,
) -> tuple[str, SaleLoad]:
    """The card a gift card line loads and how: the card with ``code`` (an inactive card is
    activated by the sale, an active one reloaded; an unregistered physical code is
    registered here), else a new generated card. It is loaded when the order completes
    (``load_sold``)."""
    if code is None:
        [made] = await new_cards(session, principal, guard, [generate_code()], "generated")
        return made.id, "activation"
    card = await _with_code(session, guard, code)
    if card is None:
        return (await new_cards(session, principal, guard, [code], "physical"))[0].id, "activation"
    if card.status == "deactivated":
        raise AppError(
            "GIFT_CARD_INACTIVE", details=[{"field": field, "message": "the card is deactivated"}]
        )
    if card.status == "active" and is_expired(card):
        raise AppError("GIFT_CARD_EXPIRED", details=[{"field": field, "message": "expired"}])
    return card.id, "reload" if card.status == "active" else "activation"


async def new_cards(
    session: AsyncSession,
    principal: Principal,
    guard: CodeGuard,
    codes: Sequence[str],
    source: str,
    *,
    expires_at: Any = None,
    field: str = "codes",
) -> list[GiftCard]:
    """Inactive cards for these codes (their digests and last 4 only; a generated code is
    also kept encrypted); a code already registered is 409 GIFT_CARD_ALREADY_EXISTS."""
    digests = [guard.digests(code) for code in codes]
    wanted = {d for ds in digests for d in ds}
    taken = set(
        (
            await session.execute(
                select(GiftCard.code_digest).where(GiftCard.code_digest.in_(sorted(wanted)))
            )
        ).scalars()
    )
    seen: set[str] = set()
    errors = []
    for i, ds in enumerate(digests):
        if taken.intersection(ds) or ds[0] in seen:
            errors.append({"field": f"{field}[{i}]", "message": "already registered"})
        seen.add(ds[0])
    if errors:
        raise AppError("GIFT_CARD_ALREADY_EXISTS", details=errors)
    now = utcnow()
    cards = [
        GiftCard(
            tenant_id=principal.tenant_id,
            id=new_id("gift_card"),
            code_digest=ds[0],
            last4=normalise(code)[-4:],
            source=source,
            code_secret=guard.box.encrypt(normalise(code)) if source == "generated" else None,
            status="inactive",
            balance_minor=0,
            expires_at=expires_at,
            created_by=actor(principal),
            created_at=now,
            updated_at=now,
            version=1,
        )
        for code, ds in zip(codes, digests, strict=True)
    ]
    session.add_all(cards)
    await session.flush()
    return cards


async def load_sold(
    session: AsyncSession,
    principal: Principal,
    order_id: str,
    loads: Sequence[SoldCard],
) -> None:
    """Load the cards an order sold as it completes, each with its line's amount: an
    inactive card is activated, an active one reloaded. A card the line was to activate that
    another sale activated meanwhile is 409 GIFT_CARD_ALREADY_SOLD (one physical card sold
    twice). Cards are locked in id order."""
    for sold in sorted(loads, key=lambda s: s.card_id):
        card = await card_by_id(session, sold.card_id, lock=True)
        if card.status == "deactivated":
            raise AppError("GIFT_CARD_INACTIVE", "A gift card on this order was deactivated.")
        if sold.load == "activation" and card.status != "inactive":
            raise AppError(
                "GIFT_CARD_ALREADY_SOLD",
                f"The gift card ****{card.last4} was activated by another sale.",
            )
        reason: EntryReason = "reload" if card.status == "active" else "activation"
        if card.status == "inactive":
            card.status = "active"
            card.activated_at = utcnow()
            card.order_id = order_id
            if card.expires_at is None:
                card.expires_at = await _default_expiry(session, card)
            await session.flush()
        if sold.amount:
            await move(session, principal, card, sold.amount, reason, order_id=order_id)


async def _default_expiry(session: AsyncSession, card: GiftCard) -> datetime | None:
    """When a card activated now expires by the tenant's ``giftCardExpiryMonths`` (or never)."""
    stmt = select(Tenant.gift_card_expiry_months).where(Tenant.id == card.tenant_id)
    months = (await session.execute(stmt)).scalar_one()
    if not months or card.activated_at is None:
        return None
    return add_months(card.activated_at, months)


async def take_back(
    session: AsyncSession,
    principal: Principal,
    card_id: str,
    amount: int,
    *,
    order_id: str,
    refund_id: str | None = None,
    field: str = "lineItems",
) -> None:
    """Take a sold card's value off it again (its line refunded, its order voided): 409
    GIFT_CARD_INSUFFICIENT_BALANCE when it has been spent. A card this order activated that
    is left empty goes back to inactive, to be sold again."""
    if amount <= 0:
        return
    card = await card_by_id(session, card_id, lock=True)
    await move(
        session,
        principal,
        card,
        -amount,
        "return",
        order_id=order_id,
        refund_id=refund_id,
        field=field,
    )
    if card.order_id == order_id and card.status == "active" and card.balance_minor == 0:
        if card.expires_at is not None and card.expires_at == await _default_expiry(session, card):
            card.expires_at = None  # the activation's: the next sale sets its own
        card.status = "inactive"
        card.activated_at = None
        card.order_id = None
        card.updated_at = utcnow()
        await session.flush()
