"""Request and response bodies of orders, payments, refunds, voids and exchanges.

The order shape is the reference's (``orderId, receiptNumber, status, lineItems[…],
totals{subtotal,discountTotal,taxTotal,tipTotal,grandTotal}, payments[…]``) with more fields.
Money is a JSON number in major units; the service converts it with the currency's precision.
"""

from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from tillpoint.core.schemas import (
    NOT_BLANK,
    ApiModel,
    AwareDatetime,
    DecimalNumber,
    LongText,
    Money,
    PositiveMoney,
    PositiveQuantity,
    ShortText,
    Timestamp,
    Version,
    exactly_one_of,
    percentage_at_most_100,
)
from tillpoint.giftcards.schemas import Code as GiftCardCode
from tillpoint.promotions.schemas import CouponCodes, DiscountPromotionOut, PromotionTotalOut
from tillpoint.sales.models import OrderSource as OrderSource
from tillpoint.sales.models import OrderStatus as OrderStatus
from tillpoint.sales.pricing import check_percent

Id = Annotated[str, Field(max_length=40)]
Sku = Annotated[str, Field(min_length=1, max_length=100)]
Reason = Annotated[str, Field(min_length=1, max_length=500, pattern=NOT_BLANK)]
TenderType = Literal["cash", "credit_card", "gift_card", "store_credit", "other"]
MAX_LINES = 500


class DiscountIn(ApiModel):
    model_config = ConfigDict(json_schema_extra=percentage_at_most_100())

    type: Literal["percentage", "fixed"]
    value: Annotated[
        Money, Field(description="Percent number (10 = 10 %) or an amount in the currency")
    ]
    reason: ShortText | None = None

    @model_validator(mode="after")
    def _percent_at_most_100(self) -> Self:
        if self.type == "percentage":
            check_percent(self.value, "a percentage discount is at most 100")
        return self


class ServiceChargeIn(ApiModel):
    model_config = ConfigDict(json_schema_extra=percentage_at_most_100())

    name: Annotated[str, Field(min_length=1, max_length=100)]
    type: Literal["percentage", "fixed"]
    value: Money
    taxable: bool = False
    tax_class: Annotated[str, Field(min_length=1, max_length=50)] = "standard"

    @model_validator(mode="after")
    def _percent_at_most_100(self) -> Self:
        if self.type == "percentage":
            check_percent(self.value, "a percentage service charge is at most 100")
        return self


class ApprovalIn(ApiModel):
    """A manager approves a large discount or a price override at the till with their PIN."""

    employee_id: Id
    pin: Annotated[str, Field(min_length=4, max_length=12)]


class LineItemIn(ApiModel):
    model_config = ConfigDict(json_schema_extra=exactly_one_of("variantId", "sku"))

    variant_id: Id | None = None
    sku: Sku | None = None
    quantity: PositiveQuantity = Decimal(1)
    modifiers: Annotated[list[Id], Field(max_length=50, description="Chosen option ids")] = []
    unit_price: Money | None = Field(
        default=None, description="Overrides the catalog price (permission orders:price_override)"
    )
    discounts: Annotated[list[DiscountIn], Field(max_length=10)] = []
    notes: ShortText = ""
    gift_card_code: GiftCardCode | None = Field(default=None, description="A gift card's code")

    @model_validator(mode="after")
    def _names_one_item(self) -> Self:
        if (self.variant_id is None) == (self.sku is None):
            raise ValueError("give exactly one of variantId and sku")
        return self


class LineItemUpdate(ApiModel):
    quantity: PositiveQuantity | None = None
    modifiers: Annotated[list[Id], Field(max_length=50)] | None = None
    unit_price: Money | None = None
    discounts: Annotated[list[DiscountIn], Field(max_length=10)] | None = None
    notes: ShortText | None = None
    approval: ApprovalIn | None = None
    version: Version | None = Field(default=None, description="The order's version")


class LineItemAdd(LineItemIn):
    approval: ApprovalIn | None = None
    version: Version | None = Field(default=None, description="The order's version")


class OrderIn(ApiModel):
    location_id: Id
    register_id: Id | None = None
    employee_id: Id | None = None
    customer_id: Id | None = None
    source: OrderSource = "register"
    client_order_id: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="A register's own id for the order; sent twice, one order"
    )
    occurred_at: AwareDatetime | None = None
    line_items: Annotated[list[LineItemIn], Field(max_length=MAX_LINES)] = []
    discounts: Annotated[list[DiscountIn], Field(max_length=10)] = []
    coupon_codes: CouponCodes = []
    service_charges: Annotated[list[ServiceChargeIn], Field(max_length=5)] = []
    tip: Money = Decimal(0)
    notes: LongText = ""
    approval: ApprovalIn | None = None


class OrderUpdate(ApiModel):
    register_id: Id | None = Field(default=None, description="Resume the order on this register")
    employee_id: Id | None = None
    customer_id: Id | None = Field(
        default=None, description="A customer of the tenant; null detaches the customer"
    )
    discounts: Annotated[list[DiscountIn], Field(max_length=10)] | None = None
    coupon_codes: CouponCodes | None = Field(default=None, description="Replaces the codes")
    service_charges: Annotated[list[ServiceChargeIn], Field(max_length=5)] | None = None
    tip: Money | None = None
    notes: LongText | None = None
    approval: ApprovalIn | None = None
    version: Version | None = None


class PaymentIn(ApiModel):
    tender_type: TenderType
    amount: PositiveMoney = Field(description="What this tender pays towards the order")
    amount_tendered: Money | None = Field(
        default=None, description="Cash handed over; the change due is returned"
    )
    card_brand: Annotated[str, Field(max_length=30)] | None = None
    card_last4: Annotated[str, Field(max_length=4, pattern=r"^[0-9]{4}$")] | None = None
    processor_ref: Annotated[str, Field(max_length=200)] | None = None
    authorization_code: Annotated[str, Field(max_length=50)] | None = None
    reference: Annotated[str, Field(max_length=200)] | None = None
    gift_card_code: GiftCardCode | None = Field(default=None, description="gift_card: its code")
    register_id: Id | None = Field(default=None, description="Default: the order's register")
    employee_id: Id | None = None


class RefundLineIn(ApiModel):
    line_item_id: Id
    quantity: PositiveQuantity
    restock: bool = True


class RefundTenderIn(ApiModel):
    tender_type: TenderType
    amount: PositiveMoney
    payment_id: Id | None = Field(default=None, description="The original payment refunded to")
    processor_ref: Annotated[str, Field(max_length=200)] | None = None
    reference: Annotated[str, Field(max_length=200)] | None = None


class RefundIn(ApiModel):
    line_items: Annotated[list[RefundLineIn], Field(min_length=1, max_length=MAX_LINES)]
    reason: Reason
    tenders: Annotated[list[RefundTenderIn], Field(max_length=10)] | None = Field(
        default=None, description="Default: back to the original tenders, most recent first"
    )
    register_id: Id | None = None
    employee_id: Id | None = None


class VoidIn(ApiModel):
    reason: Reason


class ExchangeIn(ApiModel):
    returned: Annotated[list[RefundLineIn], Field(min_length=1, max_length=MAX_LINES)]
    new_line_items: Annotated[list[LineItemIn], Field(min_length=1, max_length=MAX_LINES)]
    reason: Reason
    register_id: Id | None = None
    employee_id: Id | None = None
    payments: Annotated[list[PaymentIn], Field(max_length=10)] = Field(
        default=[], description="Settle what the new goods cost over the returned ones"
    )
    tenders: Annotated[list[RefundTenderIn], Field(max_length=10)] | None = Field(
        default=None, description="Where the difference goes when the return is worth more"
    )


# ---- responses -------------------------------------------------------------------------------


class AppliedDiscountOut(ApiModel):
    type: str
    value: DecimalNumber
    reason: str | None
    amount: DecimalNumber
    promotion: DiscountPromotionOut | None = None


class TaxOut(ApiModel):
    rate_id: str
    name: str
    rate: DecimalNumber
    amount: DecimalNumber


class ModifierOut(ApiModel):
    option_id: str
    group_id: str
    name: str
    price: DecimalNumber


class LineItemOut(ApiModel):
    line_item_id: str
    product_id: str
    variant_id: str
    sku: str
    name: str
    quantity: DecimalNumber
    unit_price: DecimalNumber
    price_overridden: bool
    modifiers: list[ModifierOut]
    discounts: list[AppliedDiscountOut]
    subtotal: DecimalNumber = Field(description="quantity × (unitPrice + modifiers)")
    discount: DecimalNumber = Field(description="Line discounts plus its share of order ones")
    tax: DecimalNumber
    taxes: list[TaxOut]
    total: DecimalNumber
    tax_class: str
    notes: str
    refunded_quantity: DecimalNumber
    gift_card_id: str | None = Field(default=None, description="The card a gift card line loads")


class ServiceChargeOut(ApiModel):
    name: str
    type: str
    value: DecimalNumber
    taxable: bool
    amount: DecimalNumber
    tax: DecimalNumber


class TotalsOut(ApiModel):
    subtotal: DecimalNumber
    discount_total: DecimalNumber
    tax_total: DecimalNumber
    tip_total: DecimalNumber
    service_charge_total: DecimalNumber
    grand_total: DecimalNumber
    tax_included: bool = Field(
        description="Tax-inclusive location: prices include tax; subtotal, discountTotal and "
        "serviceChargeTotal are shown net of it"
    )
    cash_rounding: DecimalNumber
    paid: DecimalNumber
    balance_due: DecimalNumber
    refunded: DecimalNumber


class PaymentOut(ApiModel):
    payment_id: str
    tender_type: str
    amount: DecimalNumber
    amount_tendered: DecimalNumber | None
    change_due: DecimalNumber
    status: str
    card_brand: str | None
    card_last4: str | None
    processor_ref: str | None
    authorization_code: str | None
    reference: str | None
    gift_card_id: str | None = Field(default=None, description="gift_card: the card spent")
    refunded: DecimalNumber
    register_id: str | None
    shift_id: str | None
    created_at: Timestamp


class RefundLineOut(ApiModel):
    line_item_id: str
    sku: str
    name: str
    quantity: DecimalNumber
    restock: bool
    subtotal: DecimalNumber
    discount: DecimalNumber
    tax: DecimalNumber
    amount: DecimalNumber


class RefundTenderOut(ApiModel):
    tender_type: str
    amount: DecimalNumber
    payment_id: str | None
    processor_ref: str | None
    reference: str | None
    gift_card_id: str | None = Field(default=None, description="gift_card: the card credited")
    customer_id: str | None = Field(default=None, description="store_credit: the customer")


class RefundOut(ApiModel):
    refund_id: str
    order_id: str
    amount: DecimalNumber
    subtotal: DecimalNumber
    discount: DecimalNumber
    tax: DecimalNumber
    other: DecimalNumber = Field(description="Service charges, tip and cash rounding given back")
    reason: str
    line_items: list[RefundLineOut]
    tenders: list[RefundTenderOut]
    register_id: str | None
    shift_id: str | None
    exchange_order_id: str | None
    created_at: Timestamp


class RefundSummaryOut(ApiModel):
    refund_id: str
    amount: DecimalNumber
    reason: str
    created_at: Timestamp


class OrderOut(ApiModel):
    order_id: str
    receipt_number: str | None
    status: OrderStatus
    location_id: str
    register_id: str | None
    employee_id: str | None
    customer_id: str | None
    source: str
    client_order_id: str | None
    line_items: list[LineItemOut]
    discounts: list[AppliedDiscountOut]
    coupon_codes: list[str] = []
    promotions: list[PromotionTotalOut] = []
    service_charges: list[ServiceChargeOut]
    taxes: list[TaxOut]
    totals: TotalsOut
    payments: list[PaymentOut]
    refunds: list[RefundSummaryOut]
    notes: str
    shift_id: str | None
    exchange_refund_id: str | None = Field(description="This order is the new sale of an exchange")
    exchange_order_id: str | None = Field(description="The exchange's new sale for these goods")
    occurred_at: Timestamp
    completed_at: Timestamp | None
    voided_at: Timestamp | None
    void_reason: str | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class PaymentResultOut(ApiModel):
    payment: PaymentOut
    order: OrderOut


class ExchangeOut(ApiModel):
    refund: RefundOut
    order: OrderOut


class OrderCalculationOut(ApiModel):
    """An order body priced exactly as creating it would, with nothing saved."""

    location_id: str
    approval_needed: list[str] = Field(description="What still needs a manager's `approval`")
    cash_due: DecimalNumber = Field(description="grandTotal paid in cash: cash rounding applied")
    line_items: list[LineItemOut]
    discounts: list[AppliedDiscountOut]
    coupon_codes: list[str] = []
    promotions: list[PromotionTotalOut] = []
    service_charges: list[ServiceChargeOut]
    taxes: list[TaxOut]
    totals: TotalsOut
