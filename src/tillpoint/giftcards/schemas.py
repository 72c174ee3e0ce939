"""Request and response bodies of gift cards. A code is input only: no response carries one,
except the one-time ``codes`` of generated cards and ``GET …/code`` of a generated card."""

from typing import Annotated, Self

from pydantic import ConfigDict, Field, model_validator

from tillpoint.core.schemas import (
    INTEGRAL,
    NOT_BLANK,
    ApiModel,
    AwareDatetime,
    DecimalNumber,
    PositiveMoney,
    Timestamp,
    Version,
    exactly_one_of,
)
from tillpoint.giftcards.models import EntryReason, GiftCardSource, GiftCardStatus

# Printed codes vary by supplier: 4 to 64 characters, dashes and spaces ignored.
Code = Annotated[
    str, Field(min_length=4, max_length=64, pattern=r"^[ -]*(?:[A-Za-z0-9][ -]*){4,}$")
]
Reason = Annotated[str, Field(min_length=1, max_length=500, pattern=NOT_BLANK)]
MAX_BATCH = 1000


class GiftCardCodesIn(ApiModel):
    """Register physical cards' codes (inactive until sold), or generate ``count`` codes."""

    model_config = ConfigDict(json_schema_extra=exactly_one_of("codes", "count"))

    codes: Annotated[list[Code], Field(min_length=1, max_length=MAX_BATCH)] | None = None
    count: Annotated[int, Field(ge=1, le=MAX_BATCH), INTEGRAL] | None = None
    expires_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if (self.codes is None) == (self.count is None):
            raise ValueError("give exactly one of codes and count")
        return self


class ReloadIn(ApiModel):
    amount: PositiveMoney
    reason: Reason


class DeactivateIn(ApiModel):
    reason: Reason
    version: Version | None = None


class GiftCardOut(ApiModel):
    gift_card_id: str
    last4: str
    source: GiftCardSource
    status: GiftCardStatus
    balance: DecimalNumber
    expires_at: Timestamp | None
    order_id: str | None = Field(description="The order that sold the card")
    activated_at: Timestamp | None
    deactivated_at: Timestamp | None
    deactivation_reason: str | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class GiftCardBatchOut(ApiModel):
    items: list[GiftCardOut]
    codes: list[str] | None = Field(
        description="Generated codes, in the order of items: shown in this response only"
    )


class GiftCardLookupOut(ApiModel):
    gift_card_id: str
    last4: str
    status: GiftCardStatus
    balance: DecimalNumber
    expires_at: Timestamp | None
    expired: bool


class GiftCardCodeOut(ApiModel):
    gift_card_id: str
    code: str


class GiftCardEntryOut(ApiModel):
    entry_id: str
    gift_card_id: str
    amount: DecimalNumber = Field(description="Positive: loaded; negative: spent or taken back")
    balance_after: DecimalNumber
    reason: EntryReason
    order_id: str | None
    payment_id: str | None
    refund_id: str | None
    note: str | None
    created_at: Timestamp
    created_by: str | None
