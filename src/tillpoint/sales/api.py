"""Order endpoints; shifts, receipts, refunds and voids have their own modules, included into
this ``router`` (the one app.py registers). Full card numbers are refused for every request by
the pipeline's guard (``core.card_guard``)."""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response

from tillpoint.core.deps import DbSession, prepared_json
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.core.schemas import AwareDatetime
from tillpoint.customers.loyalty_schemas import LoyaltyRedemptionIn
from tillpoint.sales import customer_orders, edits, loyalty_redemption, orders, payments
from tillpoint.sales.deps import (
    CarriedApproval,
    CustomerOrdersReader,
    GiftCardCodes,
    OrderReader,
    OrderToChange,
    OrderToPay,
    OrderWriter,
)
from tillpoint.sales.listing import OrderFilters, list_orders
from tillpoint.sales.presenters import JsonView
from tillpoint.sales.receipts import api as receipts_api
from tillpoint.sales.refunds import api as refunds_api
from tillpoint.sales.schemas import (
    LineItemAdd,
    LineItemUpdate,
    OrderCalculationOut,
    OrderIn,
    OrderOut,
    OrderStatus,
    OrderUpdate,
    PaymentIn,
    PaymentResultOut,
    TenderType,
)
from tillpoint.sales.shifts import api as shifts_api

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS)


def json_reply(view: JsonView[Any], status_code: int = 200) -> Response:
    """The view's JSON — already dumped for its event — as the reply."""
    return prepared_json(orjson.dumps(view.json), status_code)


# A manager's approval PIN is throttled: too many wrong ones lock the employee (423).
APPROVAL_ERRORS = ("DISCOUNT_APPROVAL_REQUIRED", "ACCOUNT_LOCKED")
CHANGE_ERRORS = error_responses(
    "ORDER_NOT_OPEN", "VERSION_CONFLICT", "INSUFFICIENT_STOCK", *APPROVAL_ERRORS
)
# What an entered coupon can be refused with (promotions/rules.py, promotions/checkout.py).
COUPON_ERRORS = (
    "NOT_FOUND",
    "COUPON_NOT_FOUND",
    "DISCOUNT_MAX_USAGES_REACHED_LIMIT",
    "DISCOUNT_MIN_CART_AMOUNT_INSUFFICIENT",
    "DISCOUNT_ONLY_ALLOW_FIRST_ORDER",
    "INVALID_DISCOUNT_DATES",
    "ORDER_AMOUNT_INSUFFICIENT_AFTER_DISCOUNT_APPLIED",
    "DISCOUNT_NOT_APPLICABLE",
    "DISCOUNT_NOT_COMBINABLE",
)


@router.post(
    "/orders",
    response_model=OrderOut,
    status_code=201,
    responses={
        200: {"model": OrderOut, "description": "The order first created with this clientOrderId"},
        **error_responses(
            *APPROVAL_ERRORS,
            "INSUFFICIENT_STOCK",
            "GIFT_CARD_INACTIVE",
            "GIFT_CARD_EXPIRED",
            "GIFT_CARD_ALREADY_SOLD",
            *COUPON_ERRORS,
        ),
    },
)
async def create_order(
    approval: CarriedApproval,
    body: OrderIn,
    session: DbSession,
    principal: OrderWriter,
    guard: GiftCardCodes,
) -> Response:
    """Open an order priced on the server. A `clientOrderId` already used returns the first
    order with 200. A manager's `approval` PIN is throttled like a sign-in: after too many
    wrong ones the employee is locked (423 `ACCOUNT_LOCKED`, `Retry-After`)."""
    out, created = await orders.create_order(
        session, principal, body, guard=guard, approval=approval
    )
    return json_reply(out, 201 if created else 200)


@router.post(
    "/orders/calculate",
    response_model=OrderCalculationOut,
    status_code=200,
    responses=error_responses(*APPROVAL_ERRORS, *COUPON_ERRORS),
)
async def calculate_order(
    approval: CarriedApproval, body: OrderIn, session: DbSession, principal: OrderWriter
) -> OrderCalculationOut:
    """Price an order body exactly as creating it would, saving nothing. `approvalNeeded` says
    what a manager must approve; an `approval` in the body is checked (403 if not valid)."""
    return await orders.calculate_order(session, principal, body, approval)


@router.get("/orders", response_model=Page[OrderOut])
async def list_orders_route(
    session: DbSession,
    principal: OrderReader,
    params: Pagination,
    location_id: Annotated[str | None, Query(alias="locationId", max_length=40)] = None,
    status: OrderStatus | None = None,
    tender_type: Annotated[TenderType | None, Query(alias="tenderType")] = None,
    customer_id: Annotated[str | None, Query(alias="customerId", max_length=40)] = None,
    register_id: Annotated[str | None, Query(alias="registerId", max_length=40)] = None,
    date_from: Annotated[AwareDatetime | None, Query(alias="dateFrom")] = None,
    date_to: Annotated[AwareDatetime | None, Query(alias="dateTo")] = None,
    receipt_number: Annotated[str | None, Query(alias="receiptNumber", max_length=40)] = None,
) -> dict[str, object]:
    """Orders with the reference's filters; `dateFrom`/`dateTo` bound when the sale happened;
    `receiptNumber` finds the order of a receipt (typed, or scanned from its barcode)."""
    filters = OrderFilters(
        location_id,
        status,
        tender_type,
        customer_id,
        register_id,
        date_from,
        date_to,
        receipt_number,
    )
    items, total = await list_orders(session, principal, params, filters)
    return params.page_of(items, total)


@router.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(order_id: str, session: DbSession, principal: OrderReader) -> OrderOut:
    return await orders.show_order(session, principal, order_id)


@router.patch(
    "/orders/{order_id}",
    response_model=OrderOut,
    responses={**CHANGE_ERRORS, **error_responses(*COUPON_ERRORS)},
)
async def update_order(
    approval: CarriedApproval,
    order: OrderToChange,
    body: OrderUpdate,
    session: DbSession,
    principal: OrderWriter,
) -> Response:
    """Change an open order's discounts, coupon codes, service charges, tip, notes or
    customer, or resume a parked order on another register."""
    return json_reply(await edits.update_order(session, principal, order.id, body, approval))


@router.post(
    "/orders/{order_id}/line-items",
    response_model=OrderOut,
    status_code=201,
    responses={
        **CHANGE_ERRORS,
        **error_responses("GIFT_CARD_INACTIVE", "GIFT_CARD_EXPIRED", "GIFT_CARD_ALREADY_SOLD"),
    },
)
async def add_line_item(
    approval: CarriedApproval,
    order: OrderToChange,
    body: LineItemAdd,
    session: DbSession,
    principal: OrderWriter,
    guard: GiftCardCodes,
) -> Response:
    added = await edits.add_line(session, principal, order.id, body, guard, approval)
    return json_reply(added, 201)


@router.patch(
    "/orders/{order_id}/line-items/{line_item_id}", response_model=OrderOut, responses=CHANGE_ERRORS
)
async def update_line_item(
    approval: CarriedApproval,
    order: OrderToChange,
    line_item_id: str,
    body: LineItemUpdate,
    session: DbSession,
    principal: OrderWriter,
) -> Response:
    changed = await edits.update_line(session, principal, order.id, line_item_id, body, approval)
    return json_reply(changed)


@router.delete(
    "/orders/{order_id}/line-items/{line_item_id}", response_model=OrderOut, responses=CHANGE_ERRORS
)
async def remove_line_item(
    order: OrderToChange, line_item_id: str, session: DbSession, principal: OrderWriter
) -> Response:
    return json_reply(await edits.remove_line(session, principal, order.id, line_item_id))


@router.post(
    "/orders/{order_id}/loyalty-redemption",
    response_model=OrderOut,
    responses=error_responses(
        "ORDER_NOT_OPEN", "LOYALTY_INSUFFICIENT_POINTS", "LOYALTY_BELOW_MINIMUM", "CONFLICT"
    ),
)
async def redeem_points(
    order: OrderToChange, body: LoyaltyRedemptionIn, session: DbSession, principal: OrderWriter
) -> Response:
    """The order's customer redeems points: an order discount worth what they are, the points
    taken from their balance at once (given back if removed or the order is voided)."""
    return json_reply(await loyalty_redemption.redeem_on_order(session, principal, order.id, body))


@router.delete(
    "/orders/{order_id}/loyalty-redemption",
    response_model=OrderOut,
    responses=error_responses("ORDER_NOT_OPEN", "CONFLICT"),
)
async def remove_points(
    order: OrderToChange, session: DbSession, principal: OrderWriter
) -> Response:
    """Remove the points redeemed on an open order; they go back to the customer."""
    return json_reply(
        await loyalty_redemption.remove_redemption(session, principal, order.id, None)
    )


@router.post(
    "/orders/{order_id}/payments",
    response_model=PaymentResultOut,
    status_code=201,
    responses=error_responses(
        "ORDER_NOT_OPEN",
        "ORDER_EMPTY",
        "OVERPAYMENT_NOT_ALLOWED",
        "SHIFT_NOT_OPEN",
        "INSUFFICIENT_STOCK",
        "GIFT_CARD_NOT_FOUND",
        "GIFT_CARD_INACTIVE",
        "GIFT_CARD_EXPIRED",
        "GIFT_CARD_INSUFFICIENT_BALANCE",
        "STORE_CREDIT_INSUFFICIENT_BALANCE",
        "GIFT_CARD_ALREADY_SOLD",
        "RATE_LIMITED",
        "DISCOUNT_MAX_USAGES_REACHED_LIMIT",
        "DISCOUNT_ONLY_ALLOW_FIRST_ORDER",
    ),
)
async def add_payment(
    order: OrderToPay,
    body: PaymentIn,
    session: DbSession,
    principal: OrderWriter,
    guard: GiftCardCodes,
) -> Response:
    """Take a payment (split tender: several per order; `gift_card` with `giftCardCode`,
    `store_credit` from the order's customer's credit). When payments cover the grand total
    the order completes: stock leaves, a receipt number is assigned, gift cards sold are
    activated or reloaded."""
    paid = await payments.pay_order(session, principal, *order, body, guard=guard)
    return json_reply(paid, 201)


@router.post(
    "/orders/{order_id}/complete",
    response_model=OrderOut,
    responses=error_responses(
        "ORDER_NOT_OPEN",
        "ORDER_EMPTY",
        "CONFLICT",
        "INSUFFICIENT_STOCK",
        "GIFT_CARD_ALREADY_SOLD",
        "DISCOUNT_MAX_USAGES_REACHED_LIMIT",
        "DISCOUNT_ONLY_ALLOW_FIRST_ORDER",
    ),
)
async def complete_order(
    order: OrderToChange, session: DbSession, principal: OrderWriter
) -> Response:
    """Complete an order with nothing to pay (everything discounted away)."""
    return json_reply(await payments.complete_zero_balance(session, principal, order.id))


@router.get("/customers/{customer_id}/orders", response_model=Page[OrderOut], tags=["customers"])
async def list_customer_orders(
    customer_id: str, session: DbSession, principal: CustomerOrdersReader, params: Pagination
) -> dict[str, object]:
    """A customer's orders, newest first (a merged-away id lists its survivor's)."""
    items, total = await customer_orders.list_customer_orders(
        session, principal, customer_id, params
    )
    return params.page_of(items, total)


router.include_router(shifts_api.router)
router.include_router(receipts_api.router)
router.include_router(refunds_api.router)
