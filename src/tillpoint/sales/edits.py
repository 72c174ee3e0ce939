"""Changing an open order: its discounts, charges, tip and register, and its lines.

Each change locks the order row first (two registers editing one parked order take turns),
moves the stock reservation with the lines, reprices the order from its stored inputs, checks
manager approval for what the change touched, and bumps the order's version.
"""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, utcnow
from tillpoint.core.errors import AppError, not_found, status_detail
from tillpoint.core.money import from_thousandths, minor_units
from tillpoint.customers.loyalty_redemption import REDEMPTION_KEY
from tillpoint.customers.service import resolve_customer_id
from tillpoint.giftcards.codes import CodeGuard
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.sales.approvals import CheckedApproval, approval_reasons, require_approval
from tillpoint.sales.lines import (
    discounts_json,
    new_line,
    resolve_items,
    service_charges_json,
)
from tillpoint.sales.models import Order, OrderLine
from tillpoint.sales.order_promotions import normalised_codes, price_with_promotions
from tillpoint.sales.orders import (
    emit,
    get_order,
    order_lines,
    order_pricing_context,
    reserve,
)
from tillpoint.sales.presenters import JsonView, OrderBundle
from tillpoint.sales.sale_context import payment_place, tenant_settings
from tillpoint.sales.schemas import (
    LineItemAdd,
    LineItemIn,
    LineItemUpdate,
    OrderOut,
    OrderUpdate,
)
from tillpoint.sales.stored_value import attach_gift_cards
from tillpoint.stores.service import get_register
from tillpoint.stores.staff import get_employee


async def open_order_for_change(
    session: AsyncSession, principal: Principal, order_id: str, version: int | None
) -> tuple[Order, list[OrderLine]]:
    order = await get_order(session, principal, order_id, lock=True)
    if order.status != "open":
        raise AppError("ORDER_NOT_OPEN", details=[status_detail("order", order.status)])
    check_version(order, version)
    return order, await order_lines(session, order.id)


async def finish_change(
    session: AsyncSession,
    principal: Principal,
    order: Order,
    lines: list[OrderLine],
    *,
    touched: set[str],
    discounts_changed: bool,
    approval: CheckedApproval | None,
    coupons_changed: bool = False,
) -> JsonView[OrderOut]:
    settings = await tenant_settings(session, order.tenant_id)
    # The promotions apply afresh to the order as it now is; a coupon refused here only when
    # this request entered the codes (a line edit leaves a coupon that no longer fits idle).
    await price_with_promotions(session, order, lines, settings.rounding, strict=coupons_changed)
    reasons = approval_reasons(
        lines,
        touched_line_ids=touched,
        order_discounts_changed=discounts_changed,
        threshold_percent=settings.approval_percent,
    )
    require_approval(principal, reasons, approval)
    order.updated_at = utcnow()  # a line edit is a new version of the order
    await session.flush()
    return await emit(session, "order.updated", OrderBundle(order, lines))


async def update_order(
    session: AsyncSession,
    principal: Principal,
    order_id: str,
    data: OrderUpdate,
    approval: CheckedApproval | None = None,
) -> JsonView[OrderOut]:
    """Change an open order's discounts, coupon codes, charges, tip, notes, customer — or
    resume it on another register of its location."""
    order, lines = await open_order_for_change(session, principal, order_id, data.version)
    if data.register_id is not None:
        await get_register(session, principal, order.location_id, data.register_id)
        order.register_id = data.register_id
    if data.employee_id is not None:
        await get_employee(session, principal, data.employee_id)
        order.employee_id = data.employee_id
    if "customer_id" in data.model_fields_set:  # null detaches the customer
        if any(REDEMPTION_KEY in d for d in order.discounts):
            raise AppError(
                "CONFLICT", "The order redeems the customer's points: remove them first."
            )
        customer_id = data.customer_id
        if customer_id is not None:
            customer_id = await resolve_customer_id(session, customer_id, "customerId")
        order.customer_id = customer_id
    if data.notes is not None:
        order.notes = data.notes
    exponent = await tenant_currency_exponent(session, order.tenant_id)
    if data.tip is not None:
        order.tip_minor = minor_units(data.tip, exponent, "tip")
    if data.discounts is not None:
        # Points redeemed stay: they are removed on their own (they go back to the customer).
        redeemed = [d for d in order.discounts if REDEMPTION_KEY in d]
        order.discounts = [*discounts_json(data.discounts, exponent, "discounts"), *redeemed]
    if data.coupon_codes is not None:
        order.coupon_codes = normalised_codes(data.coupon_codes)
    if data.service_charges is not None:
        settings = await tenant_settings(session, order.tenant_id)
        ctx = await order_pricing_context(session, order, settings)
        order.service_charges = service_charges_json(data.service_charges, ctx, "serviceCharges")
    return await finish_change(
        session,
        principal,
        order,
        lines,
        touched=set(),
        discounts_changed=data.discounts is not None,
        approval=approval,
        coupons_changed=data.coupon_codes is not None,
    )


async def add_line(
    session: AsyncSession,
    principal: Principal,
    order_id: str,
    data: LineItemAdd,
    guard: CodeGuard | None = None,
    approval: CheckedApproval | None = None,
) -> JsonView[OrderOut]:
    order, lines = await open_order_for_change(session, principal, order_id, data.version)
    place = await payment_place(session, order.tenant_id, order.location_id)
    ctx = await order_pricing_context(session, order, place.settings)
    [item] = await resolve_items(session, order.location_id, [data], "body")
    position = max((line.position for line in lines), default=-1) + 1
    line = new_line(order, position, item, data, ctx, "body")
    await attach_gift_cards(session, principal, guard, [line], [data], ["body"])
    session.add(line)
    lines.append(line)
    await session.flush()
    await reserve(
        session,
        order,
        [(line, line.quantity_milli, "quantity")],
        allow_negative_stock=place.allow_negative_stock,
    )
    return await finish_change(
        session,
        principal,
        order,
        lines,
        touched={line.id},
        discounts_changed=False,
        approval=approval,
    )


def _line(lines: Sequence[OrderLine], line_item_id: str) -> OrderLine:
    for line in lines:
        if line.id == line_item_id:
            return line
    raise not_found("Line item")


async def update_line(
    session: AsyncSession,
    principal: Principal,
    order_id: str,
    line_item_id: str,
    data: LineItemUpdate,
    approval: CheckedApproval | None = None,
) -> JsonView[OrderOut]:
    order, lines = await open_order_for_change(session, principal, order_id, data.version)
    line = _line(lines, line_item_id)
    place = await payment_place(session, order.tenant_id, order.location_id)
    ctx = await order_pricing_context(session, order, place.settings)
    # Re-validate against the catalog as the line is now: same item, the new choices.
    request = LineItemIn(
        variant_id=line.variant_id,
        quantity=data.quantity
        if data.quantity is not None
        else from_thousandths(line.quantity_milli),
        modifiers=data.modifiers
        if data.modifiers is not None
        else [m["id"] for m in line.modifiers],
        unit_price=data.unit_price,
        discounts=[],
    )
    [item] = await resolve_items(session, order.location_id, [request], "body")
    fresh = new_line(order, line.position, item, request, ctx, "body")
    delta = fresh.quantity_milli - line.quantity_milli
    line.quantity_milli = fresh.quantity_milli
    line.modifiers = fresh.modifiers
    line.modifiers_minor = fresh.modifiers_minor
    if data.unit_price is not None:
        line.unit_price_minor = fresh.unit_price_minor
        line.catalog_price_minor = fresh.catalog_price_minor
    if data.discounts is not None:
        line.discounts = discounts_json(data.discounts, ctx.exponent, "discounts")
    if data.notes is not None:
        line.notes = data.notes
    if delta:
        await reserve(
            session,
            order,
            [(line, delta, "quantity")],
            allow_negative_stock=place.allow_negative_stock,
        )
    return await finish_change(
        session,
        principal,
        order,
        lines,
        touched={line.id},
        discounts_changed=False,
        approval=approval,
    )


async def remove_line(
    session: AsyncSession, principal: Principal, order_id: str, line_item_id: str
) -> JsonView[OrderOut]:
    order, lines = await open_order_for_change(session, principal, order_id, None)
    line = _line(lines, line_item_id)
    await reserve(session, order, [(line, -line.quantity_milli, "")])
    lines.remove(line)
    await session.delete(line)
    return await finish_change(
        session,
        principal,
        order,
        lines,
        touched=set(),
        discounts_changed=False,
        approval=None,
    )
