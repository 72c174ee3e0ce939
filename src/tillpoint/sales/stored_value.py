"""Where orders meet stored value: gift card lines, the gift_card and store_credit tenders,
and refunds and voids going back to them. The balances themselves are the giftcards and
storecredit domains' (each through its ledger); this module only says when and how much.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.errors import AppError, field_error
from tillpoint.giftcards import ledger as gift_cards
from tillpoint.giftcards.codes import CodeGuard
from tillpoint.sales.models import Order, OrderLine, Payment
from tillpoint.sales.schemas import LineItemIn, PaymentIn
from tillpoint.storecredit import service as store_credit

STORED_VALUE_TENDERS = frozenset({"gift_card", "store_credit"})


def stock_lines(lines: Sequence[OrderLine]) -> list[OrderLine]:
    """The lines that move stock (a gift card line moves none)."""
    return [line for line in lines if not line.gift_card]


async def attach_gift_cards(
    session: AsyncSession,
    principal: Principal,
    guard: CodeGuard | None,
    lines: Sequence[OrderLine],
    requests: Sequence[LineItemIn],
    fields: Sequence[str],
) -> None:
    """Give each gift card line its card: the one whose code the line carries (inactive: the
    sale activates it; active: a reload), else a new generated card. Loaded when the order
    completes. A card one open order is already activating cannot be sold on another line:
    409 GIFT_CARD_ALREADY_SOLD naming that order."""
    activating: dict[str, str] = {}
    for line, request, field in zip(lines, requests, fields, strict=True):
        if not line.gift_card:
            continue
        if guard is None:
            raise field_error(field, "gift cards are sold on an order of their own")
        card_field = f"{field}.giftCardCode"
        card_id, load = await gift_cards.card_for_sale(
            session, principal, guard, request.gift_card_code, card_field
        )
        if load == "activation":
            other = activating.get(card_id) or await _order_activating(session, card_id, line)
            if other is not None:
                raise AppError(
                    "GIFT_CARD_ALREADY_SOLD",
                    details=[{"field": card_field, "message": f"the card is sold on {other}"}],
                )
            activating[card_id] = line.order_id
        line.gift_card_id, line.gift_card_load = card_id, load


async def _order_activating(session: AsyncSession, card_id: str, line: OrderLine) -> str | None:
    """The open order (this one included, another line) whose line activates the card."""
    stmt = (
        select(OrderLine.order_id)
        .join(
            Order,
            (Order.tenant_id == OrderLine.tenant_id) & (Order.id == OrderLine.order_id),
        )
        .where(
            OrderLine.gift_card_id == card_id,
            OrderLine.gift_card_load == "activation",
            OrderLine.id != line.id,
            Order.status == "open",
        )
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def check_tender_request(order: Order, data: PaymentIn) -> None:
    if data.tender_type == "gift_card" and data.gift_card_code is None:
        raise field_error("giftCardCode", "a gift_card payment needs the card's code")
    if data.tender_type != "gift_card" and data.gift_card_code is not None:
        raise field_error("giftCardCode", f"not a field of {data.tender_type} payments")
    if data.tender_type == "store_credit" and order.customer_id is None:
        raise field_error("tenderType", "store credit is the order's customer's: set customerId")


async def draw(
    session: AsyncSession,
    principal: Principal,
    guard: CodeGuard | None,
    order: Order,
    payment: Payment,
    data: PaymentIn,
) -> None:
    """Take a stored-value payment off its card or credit (before the payment is written)."""
    if data.tender_type == "gift_card":
        assert data.gift_card_code is not None  # check_tender_request
        if guard is None:
            raise field_error("tenderType", "gift_card payments are taken on the order itself")
        card = await gift_cards.redeem(
            session,
            principal,
            guard,
            data.gift_card_code,
            payment.amount_minor,
            order_id=order.id,
            payment_id=payment.id,
        )
        payment.account_id = card.id
        payment.reference = f"Gift card ****{card.last4}"
    elif data.tender_type == "store_credit":
        assert order.customer_id is not None  # check_tender_request
        await store_credit.change_credit(
            session,
            principal,
            order.customer_id,
            -payment.amount_minor,
            "spent",
            order_id=order.id,
            payment_id=payment.id,
        )
        payment.account_id = order.customer_id


async def load_sold_cards(
    session: AsyncSession, principal: Principal, order: Order, lines: Sequence[OrderLine]
) -> None:
    """Activate or reload the cards the completing order sold, each with its line's amount."""
    loads = [
        gift_cards.SoldCard(line.gift_card_id, line.total_minor, line.gift_card_load)  # type: ignore[arg-type]
        for line in lines
        if line.gift_card_id
    ]
    if loads:
        await gift_cards.load_sold(session, principal, order.id, loads)


async def refund_to_stored_value(
    session: AsyncSession,
    principal: Principal,
    order: Order,
    tenders: Sequence[dict[str, Any]],
    refund_id: str,
) -> None:
    """Credit the gift card and store credit parts of a refund back where they belong."""
    for tender in tenders:
        amount = int(tender["amountMinor"])
        if tender["tenderType"] == "gift_card" and amount:
            await gift_cards.credit_back(
                session,
                principal,
                tender["giftCardId"],
                amount,
                order_id=order.id,
                refund_id=refund_id,
                payment_id=tender.get("paymentId"),
            )
        elif tender["tenderType"] == "store_credit" and amount:
            await store_credit.change_credit(
                session,
                principal,
                tender["customerId"],
                amount,
                "refunded" if tender.get("paymentId") else "issued",
                order_id=order.id,
                refund_id=refund_id,
                payment_id=tender.get("paymentId"),
            )


async def take_back_cards(
    session: AsyncSession,
    principal: Principal,
    order: Order,
    returned: Sequence[tuple[OrderLine, int]],
    refund_id: str | None,
) -> None:
    """Sold gift cards refunded or voided: their value comes off the card again (409 when it
    has been spent)."""
    for line, amount in returned:
        if line.gift_card_id:
            await gift_cards.take_back(
                session,
                principal,
                line.gift_card_id,
                amount,
                order_id=order.id,
                refund_id=refund_id,
            )


async def void_stored_value(
    session: AsyncSession,
    principal: Principal,
    order: Order,
    lines: Sequence[OrderLine],
    payments: Sequence[Payment],
) -> None:
    """A void gives stored-value payments back and, on a completed order, takes the value of
    the cards it sold off them again."""
    if order.status == "completed":
        await take_back_cards(
            session, principal, order, [(line, line.total_minor) for line in lines], None
        )
    for payment in payments:
        left = payment.amount_minor - payment.refunded_minor
        if payment.status != "captured" or not left or payment.account_id is None:
            continue
        if payment.tender_type == "gift_card":
            await gift_cards.credit_back(
                session,
                principal,
                payment.account_id,
                left,
                order_id=order.id,
                payment_id=payment.id,
            )
        elif payment.tender_type == "store_credit":
            await store_credit.change_credit(
                session,
                principal,
                payment.account_id,
                left,
                "refunded",
                order_id=order.id,
                payment_id=payment.id,
            )
