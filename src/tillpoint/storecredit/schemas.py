"""Store credit bodies: a manual adjustment, and the balance with its history."""

from typing import Annotated, Self

from pydantic import Field, model_validator

from tillpoint.core.schemas import NOT_BLANK, ApiModel, DecimalNumber, SignedMoney, Timestamp
from tillpoint.storecredit.models import EntryReason


class StoreCreditAdjustIn(ApiModel):
    amount: SignedMoney = Field(
        description="Positive issues credit, negative takes it back; not 0",
        json_schema_extra={"not": {"const": 0}},
    )
    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=NOT_BLANK)]

    @model_validator(mode="after")
    def _not_zero(self) -> Self:
        if self.amount == 0:
            raise ValueError("amount must not be 0")
        return self


class StoreCreditEntryOut(ApiModel):
    entry_id: str
    customer_id: str
    amount: DecimalNumber
    balance_after: DecimalNumber
    reason: EntryReason
    note: str | None
    order_id: str | None
    payment_id: str | None
    refund_id: str | None
    created_at: Timestamp
    created_by: str | None


class StoreCreditOut(ApiModel):
    """The balance and one page of its history, oldest first."""

    customer_id: str
    balance: DecimalNumber
    items: list[StoreCreditEntryOut]
    page: int
    page_size: int
    total: int


class StoreCreditAdjustOut(ApiModel):
    customer_id: str
    balance: DecimalNumber
    entry: StoreCreditEntryOut
