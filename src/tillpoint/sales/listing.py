"""Listing orders with the reference's filters, a page of them in four queries."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.customers.service import find_customer
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.sales.models import Order, Payment
from tillpoint.sales.presenters import load_bundles, order_out
from tillpoint.sales.schemas import OrderOut


@dataclass(frozen=True)
class OrderFilters:
    location_id: str | None = None
    status: str | None = None
    tender_type: str | None = None
    customer_id: str | None = None
    register_id: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    receipt_number: str | None = None


async def list_orders(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    filters: OrderFilters,
    *,
    newest_first: bool = False,
) -> tuple[list[OrderOut], int]:
    """Orders in id (creation) order, or the newest first; ``dateFrom``/``dateTo`` bound when
    the sale happened."""
    stmt = params.filter_updated(select(Order), Order.updated_at)
    if principal.location_ids is not None:
        stmt = stmt.where(Order.location_id.in_(principal.location_ids))
    if filters.location_id is not None:
        stmt = stmt.where(Order.location_id == filters.location_id)
    if filters.status is not None:
        stmt = stmt.where(Order.status == filters.status)
    if filters.customer_id is not None:
        # A merged-away customer's orders are its survivor's now.
        customer = await find_customer(session, filters.customer_id)
        customer_id = customer.merged_into if customer and customer.merged_into else None
        stmt = stmt.where(Order.customer_id == (customer_id or filters.customer_id))
    if filters.register_id is not None:
        stmt = stmt.where(Order.register_id == filters.register_id)
    if filters.receipt_number is not None:
        stmt = stmt.where(Order.receipt_number == filters.receipt_number)
    if filters.date_from is not None:
        stmt = stmt.where(Order.occurred_at >= filters.date_from)
    if filters.date_to is not None:
        stmt = stmt.where(Order.occurred_at < filters.date_to)
    if filters.tender_type is not None:
        paid_with = select(Payment.order_id).where(Payment.tender_type == filters.tender_type)
        stmt = stmt.where(Order.id.in_(paid_with))
    order = Order.id.desc() if newest_first else Order.id
    orders, total = await paginate(
        session, stmt, order, offset=params.offset, limit=params.page_size
    )
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    return [order_out(b, exponent) for b in await load_bundles(session, orders)], total
