"""A customer's orders: listed newest first, moved to the survivor of a merge, summarised in
the customer's export. ``SalesCustomerRecords`` is sales' part of ``customers.records`` (handed
to the customers routes by create_app)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.core.errors import not_found
from tillpoint.core.money import from_minor
from tillpoint.core.pagination import PageParams
from tillpoint.core.schemas import json_number, utc_z
from tillpoint.customers.service import find_customer
from tillpoint.identity.service import tenant_currency_exponent
from tillpoint.sales.listing import OrderFilters, list_orders
from tillpoint.sales.models import Order
from tillpoint.sales.schemas import OrderOut


async def list_customer_orders(
    session: AsyncSession, principal: Principal, customer_id: str, params: PageParams
) -> tuple[list[OrderOut], int]:
    """The customer's orders, newest first; a merged-away id lists its survivor's."""
    customer = await find_customer(session, customer_id)
    if customer is None:
        raise not_found("Customer")
    filters = OrderFilters(customer_id=customer.id)  # list_orders follows a merge
    return await list_orders(session, principal, params, filters, newest_first=True)


class SalesCustomerRecords:
    """Orders name their customer by ``orders.customer_id``."""

    section = "orders"

    async def move(
        self, session: AsyncSession, principal: Principal, from_id: str, to_id: str
    ) -> int:
        del principal  # every order of the tenant moves, whoever may see it
        # Not a new version of the order: a till holding it may still change it.
        moved = await session.execute(
            update(Order)
            .where(Order.customer_id == from_id)
            .values(customer_id=to_id, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return int(moved.rowcount)  # type: ignore[attr-defined]

    async def export(
        self, session: AsyncSession, principal: Principal, customer_ids: Sequence[str]
    ) -> dict[str, Any]:
        # The person's orders at every location, whoever asks: it is their data.
        exponent = await tenant_currency_exponent(session, principal.tenant_id)
        rows = await session.execute(
            select(Order).where(Order.customer_id.in_(customer_ids)).order_by(Order.id)
        )
        items = [
            {
                "orderId": order.id,
                "receiptNumber": order.receipt_number,
                "status": order.status,
                "locationId": order.location_id,
                "occurredAt": utc_z(order.occurred_at),
                "grandTotal": json_number(from_minor(order.grand_total_minor, exponent)),
                "paid": json_number(from_minor(order.paid_minor, exponent)),
                "refunded": json_number(from_minor(order.refunded_minor, exponent)),
            }
            for order in rows.scalars()
        ]
        return {"count": len(items), "items": items}
