"""Receipts: an order as the customer takes it away, as JSON; as text or HTML in
``receipts/rendering.py``, and as ESC/POS bytes for printers in ``receipts/printing.py``.

Everything shown is what ``OrderOut`` carries (the amounts stored when the order was priced
and paid); nothing is recomputed. ``build_receipt`` shapes an order and where it was sold into
one ``ReceiptOut`` (the JSON format); ``receipt_layout`` (rendering.py) turns that into labelled
rows, which the text, HTML and ESC/POS renderers all read, so the three always say the same
thing.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.schemas import ApiModel, DecimalNumber
from tillpoint.identity.service import get_tenant
from tillpoint.sales import orders
from tillpoint.sales.models import TENDER_NAMES
from tillpoint.sales.schemas import (
    AppliedDiscountOut,
    LineItemOut,
    OrderOut,
    OrderStatus,
    PaymentOut,
    RefundSummaryOut,
    ServiceChargeOut,
    TaxOut,
    TotalsOut,
)
from tillpoint.stores.service import get_location

BARCODE_TYPE: Final = "CODE128"

# ---- the JSON format -------------------------------------------------------------------------


class ReceiptTenderOut(ApiModel):
    payment_id: str
    tender_type: str
    label: str = Field(description="'Visa ****4242', 'Cash', …")
    amount: DecimalNumber
    amount_tendered: DecimalNumber | None
    change_due: DecimalNumber
    status: str


class ReceiptBarcodeOut(ApiModel):
    type: Literal["CODE128"]
    data: str


class ReceiptOut(ApiModel):
    order_id: str
    receipt_number: str | None
    provisional: bool = Field(description="An open order: a bill to pay, not yet a receipt")
    status: OrderStatus
    shop_name: str
    location_id: str
    location_name: str
    address_lines: list[str]
    timezone: str
    local_time: str = Field(
        description="When the order was completed (an open one: placed), in the location's "
        "timezone, ISO 8601 with its offset"
    )
    currency: str
    line_items: list[LineItemOut]
    discounts: list[AppliedDiscountOut]
    service_charges: list[ServiceChargeOut]
    taxes: list[TaxOut]
    totals: TotalsOut
    tenders: list[ReceiptTenderOut]
    change_due: DecimalNumber
    refunds: list[RefundSummaryOut]
    void_reason: str | None
    notes: str
    barcode: ReceiptBarcodeOut | None


@dataclass(frozen=True)
class ReceiptPlace:
    """Where the order was sold: the shop (tenant) and the location."""

    shop_name: str
    location_name: str
    address: dict[str, Any]
    timezone: str
    currency: str


def _address_lines(address: dict[str, Any]) -> list[str]:
    city = " ".join(p for p in (address.get("region", ""), address.get("postalCode", "")) if p)
    town = ", ".join(p for p in (address.get("city", ""), city) if p)
    lines = [address.get("line1", ""), address.get("line2", ""), town, address.get("country", "")]
    return [line for line in lines if line]


def _tender_label(payment: PaymentOut) -> str:
    label = TENDER_NAMES.get(payment.tender_type, payment.tender_type)
    if payment.tender_type == "credit_card":
        brand = payment.card_brand
        label = (brand.capitalize() if brand.islower() else brand) if brand else label
        if payment.card_last4:
            label = f"{label} ****{payment.card_last4}"
    return label


def build_receipt(order: OrderOut, place: ReceiptPlace) -> ReceiptOut:
    when = (order.completed_at or order.occurred_at).astimezone(ZoneInfo(place.timezone))
    return ReceiptOut(
        order_id=order.order_id,
        receipt_number=order.receipt_number,
        provisional=order.receipt_number is None,
        status=order.status,
        shop_name=place.shop_name,
        location_id=order.location_id,
        location_name=place.location_name,
        address_lines=_address_lines(place.address),
        timezone=place.timezone,
        local_time=when.isoformat(timespec="seconds"),
        currency=place.currency,
        line_items=order.line_items,
        discounts=order.discounts,
        service_charges=order.service_charges,
        taxes=order.taxes,
        totals=order.totals,
        tenders=[
            ReceiptTenderOut(
                payment_id=p.payment_id,
                tender_type=p.tender_type,
                label=_tender_label(p),
                amount=p.amount,
                amount_tendered=p.amount_tendered,
                change_due=p.change_due,
                status=p.status,
            )
            for p in order.payments
        ],
        change_due=sum((p.change_due for p in order.payments), Decimal(0)),
        refunds=order.refunds,
        void_reason=order.void_reason,
        notes=order.notes,
        barcode=None
        if order.receipt_number is None
        else ReceiptBarcodeOut(type=BARCODE_TYPE, data=order.receipt_number),
    )


async def load_receipt(session: AsyncSession, principal: Principal, order_id: str) -> ReceiptOut:
    """The receipt of an order the principal may see (else 404)."""
    order = await orders.show_order(session, principal, order_id)
    location = await get_location(session, principal, order.location_id)
    tenant = await get_tenant(session, principal.tenant_id)
    place = ReceiptPlace(
        tenant.name, location.name, location.address, location.timezone, tenant.currency
    )
    return build_receipt(order, place)
