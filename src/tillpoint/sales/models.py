"""Orders and their lines, payments, refunds, receipt numbers and register shifts.

Every amount is integer minor units (``*_minor``) and every quantity integer thousandths
(``*_milli``). The priced lines and totals are stored as computed when the order was last
priced, so receipts, refunds and reports never recompute them.
"""

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, JsonType, TenantScoped, Timestamped, Versioned

# The values a column may hold, as types: the response models take them as they are.
OrderStatus = Literal["open", "completed", "partially_refunded", "refunded", "voided"]
OrderSource = Literal["register", "online", "marketplace", "phone"]
ORDER_STATUSES = get_args(OrderStatus)
ORDER_SOURCES = get_args(OrderSource)
TENDER_TYPES = ("cash", "credit_card", "gift_card", "store_credit", "other")
# How tenders are named on receipts and shift reports (exchange_credit: an exchange's refund
# paying its new order).
TENDER_NAMES = {
    "cash": "Cash",
    "credit_card": "Card",
    "gift_card": "Gift card",
    "store_credit": "Store credit",
    "other": "Other",
    "exchange_credit": "Exchange credit",
}
# Receipts and reports write money in the tenant's currency; tenants have no locale yet.
PRINT_LOCALE = "en_US"


class Order(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(40))
    register_id: Mapped[str | None] = mapped_column(String(40))
    employee_id: Mapped[str | None] = mapped_column(String(40))
    customer_id: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[OrderSource] = mapped_column(String(20), default="register")
    # A register working offline names its orders; the same name twice is the same order.
    client_order_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[OrderStatus] = mapped_column(String(20), default="open")
    receipt_number: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str] = mapped_column(Text, default="")
    # When the sale happened at the till (an offline register may send it later).
    occurred_at: Mapped[datetime]
    tax_inclusive: Mapped[bool] = mapped_column(default=False)
    # The request's order-level discounts and service charges, and what each came to.
    discounts: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    # The coupon codes entered (upper case), kept while the order is open so edits re-apply them.
    coupon_codes: Mapped[list[str]] = mapped_column(JsonType, default=list)
    service_charges: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    # Tax per rate over the whole order: [{"rateId", "name", "rate", "amountMinor"}].
    taxes: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    subtotal_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    tip_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    service_charge_total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    grand_total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # Cash rounding taken at settlement (paid − grand total when a cash tender was rounded).
    cash_rounding_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # The register shift the order was settled in (cash up and Z report).
    shift_id: Mapped[str | None] = mapped_column(String(40))
    completed_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str | None] = mapped_column(String(500))
    # An exchange: the refund of the original order that this order replaces goods from.
    exchange_refund_id: Mapped[str | None] = mapped_column(String(40))
    exchange_order_id: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        UniqueConstraint("tenant_id", "client_order_id", name="uq_orders_client_order_id"),
        # Receipt numbers run per location and year, so two locations both have R-2026-000001.
        UniqueConstraint(
            "tenant_id", "location_id", "receipt_number", name="uq_orders_receipt_number"
        ),
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        Index("ix_orders_location_created", "tenant_id", "location_id", "created_at"),
        Index("ix_orders_updated", "tenant_id", "updated_at"),
        Index("ix_orders_shift", "tenant_id", "shift_id"),
        # A customer's orders, newest first (GET /v1/customers/{id}/orders), and merges.
        Index("ix_orders_customer", "tenant_id", "customer_id", "id"),
    )


class OrderLine(TenantScoped, Base):
    """One line of an order, as priced: what the receipt and refunds read."""

    __tablename__ = "order_lines"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    variant_id: Mapped[str] = mapped_column(String(40))
    product_id: Mapped[str] = mapped_column(String(40))
    sku: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(400))
    tax_class: Mapped[str] = mapped_column(String(50))
    sold_by: Mapped[str] = mapped_column(String(10), default="unit")
    quantity_milli: Mapped[int] = mapped_column(BigInteger)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    # The catalog price when a permitted user overrode it; None when not overridden.
    catalog_price_minor: Mapped[int | None] = mapped_column(BigInteger)
    # [{"id", "groupId", "name", "priceDeltaMinor"}]
    modifiers: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    modifiers_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # The line's own discounts as requested, each with the amount it came to, then those its
    # promotions gave (with "promotionId", "name", "code", "couponId": sales.order_promotions).
    discounts: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    gross_minor: Mapped[int] = mapped_column(BigInteger)
    line_discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    order_discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    net_minor: Mapped[int] = mapped_column(BigInteger)
    tax_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # [{"rateId", "name", "rate", "amountMinor"}]
    taxes: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    notes: Mapped[str] = mapped_column(String(500), default="")
    # A gift card line: never taxed or order-discounted, moves no stock; it loads the card
    # ``gift_card_id`` when the order completes.
    gift_card: Mapped[bool] = mapped_column(default=False)
    gift_card_id: Mapped[str | None] = mapped_column(String(40))
    # What the line does to its card: "activation" (it was inactive when the line took it:
    # the sale must be the one that activates it) or "reload" (an active card).
    gift_card_load: Mapped[str | None] = mapped_column(String(10))
    # The variant's unit cost when the line was made (None: unknown): cost of goods sold.
    unit_cost_minor: Mapped[int | None] = mapped_column(BigInteger)
    # Refunded so far (quantity and the amounts given back), for further partial refunds.
    refunded_quantity_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_net_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_tax_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # {rateId: amount refunded so far}
    refunded_taxes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"]),
        Index("ix_order_lines_order", "tenant_id", "order_id", "position"),
        # The lines that sold a card (a second sale of one physical card is refused).
        Index("ix_order_lines_gift_card", "tenant_id", "gift_card_id"),
    )


class Payment(TenantScoped, Base):
    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40))
    tender_type: Mapped[str] = mapped_column(String(20))
    # What the tender paid towards the order (after change; after cash rounding).
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    amount_tendered_minor: Mapped[int | None] = mapped_column(BigInteger)
    change_due_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # captured, voided (with the order)
    status: Mapped[str] = mapped_column(String(20), default="captured")
    card_brand: Mapped[str | None] = mapped_column(String(30))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    processor_ref: Mapped[str | None] = mapped_column(String(200))
    authorization_code: Mapped[str | None] = mapped_column(String(50))
    # A free reference for "other" tenders (cheque number, voucher).
    reference: Mapped[str | None] = mapped_column(String(200))
    # The stored value a gift_card or store_credit payment drew on: the gift card's id, or
    # the customer's id whose credit it spent (refunds and voids go back there).
    account_id: Mapped[str | None] = mapped_column(String(40))
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    register_id: Mapped[str | None] = mapped_column(String(40))
    shift_id: Mapped[str | None] = mapped_column(String(40))
    employee_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"]),
        Index("ix_payments_order", "tenant_id", "order_id"),
        Index("ix_payments_shift", "tenant_id", "shift_id"),
    )


class Refund(TenantScoped, Base):
    __tablename__ = "refunds"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(500))
    # [{"lineItemId", "sku", "name", "quantityMilli", "restock", "netMinor", "discountMinor",
    #   "taxMinor", "totalMinor", "taxes": [[rateId, amount]]}]
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    subtotal_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # Service charges, tip and cash rounding given back with the refund that completes the order.
    other_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    # [{"tenderType", "amountMinor", "paymentId"?, …tender fields}]
    tenders: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    register_id: Mapped[str | None] = mapped_column(String(40))
    shift_id: Mapped[str | None] = mapped_column(String(40))
    employee_id: Mapped[str | None] = mapped_column(String(40))
    # The new order of an exchange.
    exchange_order_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"]),
        Index("ix_refunds_order", "tenant_id", "order_id"),
        Index("ix_refunds_shift", "tenant_id", "shift_id"),
    )


class ReceiptSequence(TenantScoped, Base):
    """The last receipt number given per location and year; taken by an atomic increment in
    the completing transaction, so numbers are gapless (a rollback gives the number back)."""

    __tablename__ = "receipt_sequences"

    location_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(BigInteger, default=0)


class Shift(TenantScoped, Timestamped, Versioned, Base):
    """A register's till session: opened with a float, closed with the counted cash."""

    __tablename__ = "shifts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    register_id: Mapped[str] = mapped_column(String(40))
    location_id: Mapped[str] = mapped_column(String(40))
    # The register id while open, NULL once closed: a unique key, so one open shift per register.
    open_register_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="open")
    opening_float_minor: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[datetime]
    opened_by: Mapped[str | None] = mapped_column(String(80))
    opening_notes: Mapped[str] = mapped_column(String(500), default="")
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(80))
    closing_notes: Mapped[str] = mapped_column(String(500), default="")
    counted_cash_minor: Mapped[int | None] = mapped_column(BigInteger)
    expected_cash_minor: Mapped[int | None] = mapped_column(BigInteger)
    over_short_minor: Mapped[int | None] = mapped_column(BigInteger)
    # The Z report's figures, frozen at close: {"cashSalesMinor", …, "tenders": [...]}.
    report: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)

    __table_args__ = (
        UniqueConstraint("tenant_id", "open_register_id", name="uq_shifts_open_register"),
        ForeignKeyConstraint(["tenant_id", "register_id"], ["registers.tenant_id", "registers.id"]),
        Index("ix_shifts_register", "tenant_id", "register_id", "opened_at"),
    )


class ShiftCashMovement(TenantScoped, Base):
    """Cash put into (paid in) or taken out of (paid out) the drawer during a shift."""

    __tablename__ = "shift_cash_movements"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    shift_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))  # paid_in | paid_out
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "shift_id"], ["shifts.tenant_id", "shifts.id"]),
        Index("ix_shift_cash_movements_shift", "tenant_id", "shift_id"),
    )
