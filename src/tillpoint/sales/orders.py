"""Open orders: create, price, edit lines, park and resume; read and list.

Every amount is computed here from the catalog and the location's tax rates (clients never send
totals) and stored on the order. An open order reserves its stock at its location; the reservation
moves with every line edit and is released when the order completes or is voided. Every change
locks the order row first, so two registers editing one order take turns.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.lookup import StockItem
from tillpoint.core.auth import Principal
from tillpoint.core.db import table_of, utcnow
from tillpoint.core.driver import DriverStatement, mapped_objects, one_of
from tillpoint.core.errors import AppError, field_error, not_found
from tillpoint.core.events import record_event
from tillpoint.core.ids import has_prefix, new_id
from tillpoint.core.money import minor_units
from tillpoint.customers.service import resolve_customer_id
from tillpoint.giftcards.codes import CodeGuard
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.inventory.reservations import Reservation, change_reservations
from tillpoint.sales.approvals import (
    CheckedApproval,
    approval_still_needed,
    new_order_approval_reasons,
    require_approval,
)
from tillpoint.sales.lines import (
    PricingContext,
    discounts_json,
    new_line,
    pricing_context,
    resolve_items,
    service_charges_json,
)
from tillpoint.sales.models import Order, OrderLine, Payment, Refund
from tillpoint.sales.order_promotions import normalised_codes, price_with_promotions
from tillpoint.sales.presenters import (
    JsonView,
    OrderBundle,
    calculation_out,
    load_bundles,
    order_out,
)
from tillpoint.sales.pricing import cash_due
from tillpoint.sales.rows import insert_new
from tillpoint.sales.sale_context import (
    LOCATIONS,
    PAYMENT_PLACE_COLUMNS,
    TENANTS,
    OrderPlace,
    PaymentPlace,
    TenantSettings,
    order_place,
    payment_place,
    payment_place_of,
)
from tillpoint.sales.schemas import OrderCalculationOut, OrderIn, OrderOut
from tillpoint.sales.stored_value import attach_gift_cards
from tillpoint.stores.service import get_register
from tillpoint.stores.staff import get_employee

# Channel orders never oversell: they reserve only what is available.
CHANNEL_SOURCES = frozenset({"online", "marketplace"})
# An offline register's clock may run a little ahead; a sale far in the future is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=5)


# Run by every payment and line edit: built once (core.db adds the tenant criterion per run).
_ORDER = select(Order).where(Order.id == bindparam("order_id"))
_LOCKED_ORDER = _ORDER.with_for_update().execution_options(populate_existing=True)
# A payment's first statement: the order's lock, and what paying needs of its tenant and
# location (only the order's row is locked).
_ORDERS, _ORDER_LINES = table_of(Order), table_of(OrderLine)


def _order_to_pay_statement(restricted: bool) -> DriverStatement:
    """The order's row, locked, with its place: at the driver level (ADR 0010), as the
    principal may see it (``restricted``: at the locations given as ``locations``)."""
    conditions = [_ORDERS.c.tenant_id == bindparam("tenant"), _ORDERS.c.id == bindparam("order_id")]
    if restricted:
        conditions.append(one_of(_ORDERS.c.location_id, "locations"))
    return DriverStatement(
        select(_ORDERS, *PAYMENT_PLACE_COLUMNS)
        .join(
            LOCATIONS,
            and_(
                LOCATIONS.c.tenant_id == _ORDERS.c.tenant_id,
                LOCATIONS.c.id == _ORDERS.c.location_id,
            ),
        )
        .join(TENANTS, TENANTS.c.id == _ORDERS.c.tenant_id)
        .where(*conditions)
        .with_for_update(of=_ORDERS)
    )


_PAYING = {restricted: _order_to_pay_statement(restricted) for restricted in (False, True)}
_LINES = DriverStatement(
    select(_ORDER_LINES)
    .where(
        _ORDER_LINES.c.tenant_id == bindparam("tenant"),
        _ORDER_LINES.c.order_id == bindparam("order_id"),
    )
    .order_by(_ORDER_LINES.c.position, _ORDER_LINES.c.id)
)
_PAYMENTS = (
    select(Payment)
    .where(Payment.order_id == bindparam("order_id"))
    .order_by(Payment.created_at, Payment.id)
)


async def get_order(
    session: AsyncSession, principal: Principal, order_id: str, *, lock: bool = False
) -> Order:
    """The order if the principal may see its location, else 404; ``lock`` holds its row
    until commit (every change takes it first)."""
    order: Order = (await _visible(session, principal, order_id, lock, _LOCKED_ORDER))[0]
    return order


async def order_to_pay(
    session: AsyncSession, principal: Principal, order_id: str
) -> tuple[Order, PaymentPlace]:
    """``get_order(lock=True)`` with the place's settings and stock policy, in one statement."""
    if not has_prefix(order_id, "order"):
        raise not_found("Order")
    params: dict[str, Any] = {"tenant": principal.tenant_id, "order_id": order_id}
    restricted = principal.location_ids is not None
    if restricted:
        # Lock only an order the principal may see (as _visible).
        params["locations"] = sorted(principal.location_ids or ())
    rows = await _PAYING[restricted].rows(session, params)
    if not rows:
        raise not_found("Order")
    [order] = mapped_objects(session, Order, rows, refresh=True)
    return order, payment_place_of(rows[0])


async def _visible(
    session: AsyncSession,
    principal: Principal,
    order_id: str,
    lock: bool,
    locking: Select[Any],
) -> Any:
    """The row of ``locking`` (``_ORDER`` without ``lock``) whose first column is the order,
    if the principal may see the order's location, else 404."""
    if not has_prefix(order_id, "order"):
        raise not_found("Order")
    stmt = locking if lock else _ORDER
    if lock and principal.location_ids is not None:
        # Lock only an order the principal may see: one limited to other locations must not
        # hold (or wait for) the lock of an order it is about to be told does not exist.
        stmt = stmt.where(Order.location_id.in_(sorted(principal.location_ids)))
    row = (await session.execute(stmt, {"order_id": order_id})).one_or_none()
    if row is None or not principal.can_access_location(row[0].location_id):
        raise not_found("Order")
    return row


async def order_lines(session: AsyncSession, order_id: str) -> list[OrderLine]:
    params = {"tenant": session.info["tenant_id"], "order_id": order_id}
    return mapped_objects(session, OrderLine, await _LINES.rows(session, params))


async def order_payments(session: AsyncSession, order_id: str) -> list[Payment]:
    return list((await session.execute(_PAYMENTS, {"order_id": order_id})).scalars())


async def order_refunds(session: AsyncSession, order_id: str) -> list[Refund]:
    stmt = select(Refund).where(Refund.order_id == order_id).order_by(Refund.created_at, Refund.id)
    return list((await session.execute(stmt)).scalars())


async def view(session: AsyncSession, bundle: OrderBundle) -> OrderOut:
    exponent = await tenant_currency_exponent(session, bundle.order.tenant_id)
    return order_out(bundle, exponent)


async def show_order(session: AsyncSession, principal: Principal, order_id: str) -> OrderOut:
    order = await get_order(session, principal, order_id)
    [bundle] = await load_bundles(session, [order])
    return await view(session, bundle)


def stock_item(line: OrderLine) -> StockItem:
    return StockItem(
        line.variant_id, line.product_id, line.sku, line.name, line.sold_by, None, True
    )


async def reserve(
    session: AsyncSession,
    order: Order,
    changes: list[tuple[OrderLine, int, str]],
    *,
    allow_negative_stock: bool = True,
) -> None:
    """Move the order's reservation by these line quantities (thousandths, signed; each with
    its field in the request). A channel order, or any order where the location allows no
    negative stock, reserves only what is available: else 409 INSUFFICIENT_STOCK naming the
    short lines, so its payment cannot then fail for stock."""
    await change_reservations(
        session,
        order.tenant_id,
        order.location_id,
        [
            Reservation(stock_item(line), delta, field)
            for line, delta, field in changes
            if not line.gift_card  # a gift card line moves no stock
        ],
        within_available=order.source in CHANNEL_SOURCES or not allow_negative_stock,
        reference_id=order.id,
    )


def _whole_lines(lines: list[OrderLine], field: str) -> list[tuple[OrderLine, int, str]]:
    return [(line, line.quantity_milli, f"{field}[{i}].quantity") for i, line in enumerate(lines)]


async def reserve_order(session: AsyncSession, order: Order, field: str) -> None:
    """Reserve every line of an order created without ``reserve_stock`` (their request field
    is ``field[i]``), under its location's stock policy."""
    lines = await order_lines(session, order.id)
    place = await payment_place(session, order.tenant_id, order.location_id)
    await reserve(
        session,
        order,
        _whole_lines(lines, field),
        allow_negative_stock=place.allow_negative_stock,
    )


async def emit(session: AsyncSession, event_type: str, bundle: OrderBundle) -> JsonView[OrderOut]:
    """Record an order event whose data is the order as the API shows it; return that view
    (its JSON is the event's data, reused as the reply)."""
    out = JsonView(await view(session, bundle))
    record_event(
        session,
        event_type,
        out.json,
        subject_id=bundle.order.id,
        location_id=bundle.order.location_id,
    )
    return out


async def order_pricing_context(
    session: AsyncSession, order: Order, settings: TenantSettings
) -> PricingContext:
    exponent = await tenant_currency_exponent(session, order.tenant_id)
    return await pricing_context(
        session,
        order.tenant_id,
        order.location_id,
        exponent=exponent,
        rounding=settings.rounding,
        tax_inclusive=order.tax_inclusive,
    )


async def _build(
    session: AsyncSession, principal: Principal, data: OrderIn
) -> tuple[Order, list[OrderLine], OrderPlace]:
    """The order and its priced lines from a request body, not yet added to the session."""
    place = await order_place(session, principal, data.location_id)
    if data.register_id is not None:
        await get_register(session, principal, place.location_id, data.register_id)
    if data.employee_id is not None:
        await get_employee(session, principal, data.employee_id)
    customer_id = None
    if data.customer_id is not None:
        customer_id = await resolve_customer_id(session, data.customer_id, "customerId")
    now = utcnow()
    occurred_at = data.occurred_at or now
    if occurred_at > now + FUTURE_TOLERANCE:
        raise field_error("occurredAt", "must not be in the future")
    settings = place.settings
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    order = Order(
        tenant_id=principal.tenant_id,
        id=new_id("order"),
        location_id=place.location_id,
        register_id=data.register_id,
        employee_id=data.employee_id,
        customer_id=customer_id,
        source=data.source,
        client_order_id=data.client_order_id,
        status="open",
        notes=data.notes,
        occurred_at=occurred_at,
        tax_inclusive=place.tax_inclusive,
        tip_minor=minor_units(data.tip, exponent, "tip"),
        cash_rounding_minor=0,
        paid_minor=0,
        refunded_minor=0,
        created_by=f"{principal.kind}:{principal.id}",
        created_at=now,
        updated_at=now,
        version=1,
    )
    ctx = PricingContext(
        order.tenant_id,
        order.location_id,
        exponent,
        settings.rounding,
        order.tax_inclusive,
        place.rates,
    )
    order.discounts = discounts_json(data.discounts, exponent, "discounts")
    order.coupon_codes = normalised_codes(data.coupon_codes)
    order.service_charges = service_charges_json(data.service_charges, ctx, "serviceCharges")
    items = await resolve_items(session, place.location_id, data.line_items, "lineItems")
    lines = [
        new_line(order, i, item, request, ctx, f"lineItems[{i}]")
        for i, (item, request) in enumerate(zip(items, data.line_items, strict=True))
    ]
    await price_with_promotions(session, order, lines, settings.rounding, strict=True)
    return order, lines, place


async def calculate_order(
    session: AsyncSession,
    principal: Principal,
    data: OrderIn,
    approval: CheckedApproval | None = None,
) -> OrderCalculationOut:
    """Price a body as creating it would, saving nothing; with approvalNeeded and cashDue."""
    order, lines, place = await _build(session, principal, data)
    reasons = new_order_approval_reasons(lines, data, place.settings.approval_percent)
    needed = approval_still_needed(principal, reasons, approval)
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    cash = cash_due(order.grand_total_minor, place.settings.cash_increment, place.settings.rounding)
    return calculation_out(order, lines, exponent, needed, cash)


async def _existing(
    session: AsyncSession, principal: Principal, client_order_id: str
) -> JsonView[OrderOut] | None:
    stmt = select(Order).where(Order.client_order_id == client_order_id)
    order = (await session.execute(stmt)).scalar_one_or_none()
    if order is None:
        return None
    if not principal.can_access_location(order.location_id):
        raise AppError("CONFLICT", "Another location's order has this clientOrderId.")
    [bundle] = await load_bundles(session, [order])
    return JsonView(await view(session, bundle))


async def create_order(
    session: AsyncSession,
    principal: Principal,
    data: OrderIn,
    *,
    reserve_stock: bool = True,
    guard: CodeGuard | None = None,
    approval: CheckedApproval | None = None,
) -> tuple[JsonView[OrderOut], bool]:
    """A new open order, or — for a clientOrderId already used — the first order and False.
    Without ``reserve_stock`` the caller reserves the lines (``reserve_order``: an exchange,
    once the returned goods are back). ``guard`` resolves gift card lines' codes; ``approval``
    is the body's approval, its PIN checked (``approvals.check_carried_approval``)."""
    if data.client_order_id is not None:
        first = await _existing(session, principal, data.client_order_id)
        if first is not None:
            return first, False
    order, lines, place = await _build(session, principal, data)
    reasons = new_order_approval_reasons(lines, data, place.settings.approval_percent)
    require_approval(principal, reasons, approval)
    if data.client_order_id is None:
        await insert_new(session, order)
    else:
        try:
            async with session.begin_nested():
                await insert_new(session, order)
        except IntegrityError:
            # Another request with this clientOrderId committed first: that is the order.
            first = await _existing(session, principal, data.client_order_id)
            if first is None:
                raise
            return first, False
    fields = [f"lineItems[{i}]" for i in range(len(lines))]
    await attach_gift_cards(session, principal, guard, lines, data.line_items, fields)
    await insert_new(session, *lines)
    if reserve_stock:
        await reserve(
            session,
            order,
            _whole_lines(lines, "lineItems"),
            allow_negative_stock=place.allow_negative_stock,
        )
    return await emit(session, "order.created", OrderBundle(order, lines)), True
