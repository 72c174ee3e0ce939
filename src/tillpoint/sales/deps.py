"""What the sales routers share (a routing module: it sees HTTP): who may read, change,
refund or void orders, and the rows a route acts on.

Each row dependency depends on the permission its routes need, so the check runs before the
row is read or locked whatever the order of a route's parameters: a caller without the
permission never holds an order's lock, and is refused (403) before learning whether the
order exists. Each is also a dependency so that an unknown row is 404 before the body is read.
"""

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ValidationError

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.deps import AppSettings, Db, DbSession, requires
from tillpoint.giftcards.codes import CodeGuard, code_guard
from tillpoint.sales import orders
from tillpoint.sales.approvals import CheckedApproval, check_carried_approval
from tillpoint.sales.models import Order, Shift
from tillpoint.sales.sale_context import PaymentPlace
from tillpoint.sales.schemas import ApprovalIn
from tillpoint.sales.shifts import service as shifts
from tillpoint.stores.models import Register

OrderReader = Annotated[Principal, Depends(requires("orders:read"))]
OrderWriter = Annotated[Principal, Depends(requires("orders:write"))]
OrderRefunder = Annotated[Principal, Depends(requires("orders:refund"))]
OrderVoider = Annotated[Principal, Depends(requires("orders:void"))]
CustomerOrdersReader = Annotated[Principal, Depends(requires("customers:read", "orders:read"))]
# An exchange is a refund and a new sale.
OrderExchanger = Annotated[Principal, Depends(requires("orders:refund", "orders:write"))]


async def order_to_read(order_id: str, session: DbSession, principal: OrderReader) -> Order:
    return await orders.get_order(session, principal, order_id)


async def order_to_change(order_id: str, session: DbSession, principal: OrderWriter) -> Order:
    return await orders.get_order(session, principal, order_id)


async def order_to_pay(
    order_id: str, session: DbSession, principal: OrderWriter
) -> tuple[Order, PaymentPlace]:
    # A payment takes the order's row lock here (the first lock of every change) with what it
    # needs of the tenant and location, in one statement, instead of reading the row twice.
    return await orders.order_to_pay(session, principal, order_id)


async def order_to_refund(order_id: str, session: DbSession, principal: OrderRefunder) -> Order:
    return await orders.get_order(session, principal, order_id)


async def order_to_void(order_id: str, session: DbSession, principal: OrderVoider) -> Order:
    return await orders.get_order(session, principal, order_id)


async def order_to_exchange(order_id: str, session: DbSession, principal: OrderExchanger) -> Order:
    return await orders.get_order(session, principal, order_id)


OrderToRead = Annotated[Order, Depends(order_to_read)]
OrderToChange = Annotated[Order, Depends(order_to_change)]
OrderToPay = Annotated[tuple[Order, PaymentPlace], Depends(order_to_pay)]
OrderToRefund = Annotated[Order, Depends(order_to_refund)]
OrderToVoid = Annotated[Order, Depends(order_to_void)]
OrderToExchange = Annotated[Order, Depends(order_to_exchange)]


async def register_to_read(
    register_id: str, session: DbSession, principal: OrderReader
) -> Register:
    return await shifts.get_shift_register(session, principal, register_id)


async def register_to_change(
    register_id: str, session: DbSession, principal: OrderWriter
) -> Register:
    return await shifts.get_shift_register(session, principal, register_id)


RegisterToRead = Annotated[Register, Depends(register_to_read)]
RegisterToChange = Annotated[Register, Depends(register_to_change)]


async def shift_to_read(shift_id: str, register: RegisterToRead, session: DbSession) -> Shift:
    return await shifts.get_shift(session, register, shift_id)


async def shift_to_change(shift_id: str, register: RegisterToChange, session: DbSession) -> Shift:
    return await shifts.get_shift(session, register, shift_id)


ShiftToRead = Annotated[Shift, Depends(shift_to_read)]
ShiftToChange = Annotated[Shift, Depends(shift_to_change)]


async def gift_card_codes(request: Request) -> CodeGuard:
    """What resolves gift card codes on gift card lines and gift_card payments."""
    settings: Settings = request.app.state.settings
    return code_guard(settings, request.app.state.rate_limiter)


GiftCardCodes = Annotated[CodeGuard, Depends(gift_card_codes)]


async def carried_approval(
    request: Request, db: Db, settings: AppSettings, principal: OrderWriter
) -> CheckedApproval | None:
    """The manager's ``approval`` in the request's body, its PIN checked through the PIN
    throttle. A route names it before any dependency that reads a row: the check commits on
    its own connection, before the request's session holds a lock (on SQLite, the write
    lock). A malformed approval is left to the route's own body validation (400)."""
    try:
        body: Any = await request.json()  # parsed already for the route's body: cached
        raw = body.get("approval") if isinstance(body, dict) else None
        approval = None if raw is None else ApprovalIn.model_validate(raw)
    except (ValueError, ValidationError):  # not JSON, or not an approval: the route says 400
        return None
    return await check_carried_approval(db, settings, principal, approval)


CarriedApproval = Annotated[CheckedApproval | None, Depends(carried_approval)]
