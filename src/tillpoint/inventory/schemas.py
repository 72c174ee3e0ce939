"""Request and response bodies of levels, movements, adjustments, counts and transfers.

Quantities are JSON decimals with up to 3 places; an item sold by the unit rejects fractions
(checked in the service, which knows the item).
"""

from typing import Annotated, Literal, Self

from pydantic import AliasChoices, ConfigDict, Field, model_validator

from tillpoint.core.schemas import (
    ApiModel,
    AwareDatetime,
    DecimalNumber,
    LongText,
    PositiveQuantity,
    Quantity,
    SignedQuantity,
    Timestamp,
    Version,
    exactly_one_of,
)

Id = Annotated[str, Field(max_length=40)]
Sku = Annotated[str, Field(min_length=1, max_length=100)]
AdjustmentReason = Literal[
    "stock_count", "damage", "theft", "loss", "return", "received", "correction", "other"
]
MAX_LINES = 500


class AdjustmentItemIn(ApiModel):
    sku: Sku
    delta_quantity: SignedQuantity


class AdjustmentIn(ApiModel):
    location_id: Id
    reason: AdjustmentReason
    items: Annotated[list[AdjustmentItemIn], Field(min_length=1, max_length=MAX_LINES)]
    notes: LongText = ""
    occurred_at: AwareDatetime | None = Field(
        default=None, description="When it happened in the shop; may be in the past (default now)"
    )


class AdjustmentItemOut(ApiModel):
    variant_id: str
    sku: str
    delta_quantity: DecimalNumber


class AdjustmentOut(ApiModel):
    adjustment_id: str
    location_id: str
    reason: str
    status: str
    item_count: int
    items: list[AdjustmentItemOut]
    notes: str
    occurred_at: Timestamp
    created_at: Timestamp
    created_by: str | None


class LevelOut(ApiModel):
    variant_id: str
    product_id: str
    sku: str
    name: str
    location_id: str
    on_hand: DecimalNumber
    reserved: DecimalNumber
    available: DecimalNumber = Field(description="onHand - reserved")
    in_transit: DecimalNumber = Field(description="Shipped here by transfers, not yet received")
    reorder_point: DecimalNumber | None
    reorder_quantity: DecimalNumber | None
    updated_at: Timestamp
    as_of: Timestamp | None = Field(
        default=None, description="Set when onHand was computed from the ledger as of this time"
    )


class LevelSet(ApiModel):
    model_config = ConfigDict(json_schema_extra=exactly_one_of("sku", "variantId"))

    """Set a level absolutely. The difference to the current onHand is posted as a movement."""

    location_id: Id
    sku: Sku | None = None
    variant_id: Id | None = None
    on_hand: Quantity | None = None
    expected_on_hand: Quantity | None = Field(
        default=None, description="Compare-and-set: 409 STOCK_CHANGED unless onHand is this"
    )
    reorder_point: Quantity | None = None
    reorder_quantity: Quantity | None = None
    reason: AdjustmentReason = "correction"
    notes: LongText = ""

    @model_validator(mode="after")
    def _one_item(self) -> Self:
        if (self.sku is None) == (self.variant_id is None):
            raise ValueError("give exactly one of sku and variantId")
        return self


class MovementOut(ApiModel):
    movement_id: str = Field(validation_alias=AliasChoices("movementId", "movement_id", "id"))
    variant_id: str
    product_id: str | None
    sku: str | None
    location_id: str
    delta: DecimalNumber
    reason: str
    reference_type: str
    reference_id: str | None
    occurred_at: Timestamp
    recorded_at: Timestamp
    on_hand_after: DecimalNumber = Field(description="The level's onHand right after recording")
    actor: str | None


class CountScope(ApiModel):
    category_id: Id


class CountIn(ApiModel):
    location_id: Id
    scope: CountScope | None = Field(
        default=None, description="A category and its subcategories; none = the whole location"
    )
    counted_at: AwareDatetime | None = Field(
        default=None,
        description="The moment the count describes (may be past); none = each line as of "
        "when it was recorded",
    )
    full: bool = Field(default=False, description="Zero in-scope stock that was not counted")
    notes: LongText = ""


class CountLineIn(ApiModel):
    model_config = ConfigDict(json_schema_extra=exactly_one_of("countedQuantity", "increment"))

    sku: Sku
    counted_quantity: Quantity | None = None
    increment: PositiveQuantity | None = Field(
        default=None, description="Scan-style: add to what was counted so far"
    )

    @model_validator(mode="after")
    def _one_quantity(self) -> Self:
        if (self.counted_quantity is None) == (self.increment is None):
            raise ValueError("give exactly one of countedQuantity and increment")
        return self


class CountLinesIn(ApiModel):
    items: Annotated[list[CountLineIn], Field(min_length=1, max_length=MAX_LINES)]


class CountLineOut(ApiModel):
    variant_id: str
    product_id: str | None
    sku: str | None
    name: str | None
    expected: DecimalNumber = Field(description="On hand as of the count's time, per the ledger")
    counted: DecimalNumber
    variance: DecimalNumber = Field(description="counted - expected")
    recorded_at: Timestamp


class CountOut(ApiModel):
    count_id: str = Field(validation_alias=AliasChoices("countId", "count_id", "id"))
    location_id: str
    scope: CountScope | None
    full: bool
    counted_at: Timestamp | None
    status: Literal["open", "committed", "cancelled"]
    notes: str
    line_count: int
    committed_at: Timestamp | None
    created_by: str | None
    created_at: Timestamp
    updated_at: Timestamp
    version: int
    lines: list[CountLineOut] | None = Field(default=None, description="Only on the single count")


class TransferItemIn(ApiModel):
    sku: Sku
    quantity: PositiveQuantity


class TransferIn(ApiModel):
    source_location_id: Id
    destination_location_id: Id
    items: Annotated[list[TransferItemIn], Field(min_length=1, max_length=MAX_LINES)]
    notes: LongText = ""


class TransferUpdate(ApiModel):
    items: Annotated[list[TransferItemIn], Field(min_length=1, max_length=MAX_LINES)] | None = None
    notes: LongText | None = None
    version: Version | None = None


class ShortfallIn(ApiModel):
    sku: Sku
    quantity: PositiveQuantity | None = Field(
        default=None, description="Default: all that is still outstanding of the line"
    )
    reason: Annotated[str, Field(min_length=1, max_length=200)]


class ReceiveIn(ApiModel):
    items: Annotated[list[TransferItemIn], Field(max_length=MAX_LINES)] = []
    shortfalls: Annotated[list[ShortfallIn], Field(max_length=MAX_LINES)] = []
    notes: LongText = ""


class TransferLineOut(ApiModel):
    variant_id: str
    sku: str
    quantity: DecimalNumber
    received: DecimalNumber
    shortfall: DecimalNumber
    shortfall_reason: str | None
    outstanding: DecimalNumber


class ReceiptLineOut(ApiModel):
    variant_id: str
    sku: str
    quantity: DecimalNumber
    reason: str | None = None


class ReceiptOut(ApiModel):
    transfer_receipt_id: str = Field(
        validation_alias=AliasChoices("transferReceiptId", "transfer_receipt_id", "id")
    )
    items: list[ReceiptLineOut]
    shortfalls: list[ReceiptLineOut]
    notes: str
    received_at: Timestamp
    created_by: str | None


class TransferOut(ApiModel):
    transfer_id: str = Field(validation_alias=AliasChoices("transferId", "transfer_id", "id"))
    source_location_id: str
    destination_location_id: str
    status: Literal["draft", "shipped", "partially_received", "received", "cancelled"]
    notes: str
    lines: list[TransferLineOut]
    receipts: list[ReceiptOut]
    shipped_at: Timestamp | None
    received_at: Timestamp | None
    cancelled_at: Timestamp | None
    created_by: str | None
    created_at: Timestamp
    updated_at: Timestamp
    version: int
