"""Request and response bodies of customers: profiles, consent, merge and the privacy export."""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, EmailStr, Field

from tillpoint.core.schemas import NOT_BLANK, ApiModel, AwareDatetime, LongText, Timestamp, Version
from tillpoint.stores.schemas import Address

Id = Annotated[str, Field(max_length=40)]
PersonName = Annotated[str, Field(max_length=100)]
Email = Annotated[EmailStr, Field(max_length=254)]
Phone = Annotated[
    str,
    Field(
        max_length=40,
        description="Any common notation; stored in E.164. Without a country code, the "
        "tenant's first location's country is assumed",
        examples=["+1 212 555 0142", "(212) 555-0142"],
    ),
]
Tag = Annotated[str, Field(min_length=1, max_length=50, pattern=NOT_BLANK)]
Birthday = Annotated[date, Field(strict=False, description="YYYY-MM-DD")]
# Where consent was given or withdrawn when it was not at a location.
ConsentChannel = Literal["register", "online", "marketplace", "phone", "email", "import", "api"]
# How it was given or withdrawn.
ConsentMethod = Literal[
    "verbal", "written", "checkbox", "double_opt_in", "unsubscribe_link", "reply", "import"
]


class MarketingConsentIn(ApiModel):
    """When, where and how a customer gave or withdrew marketing consent."""

    at: AwareDatetime | None = Field(default=None, description="When; defaults to now")
    location_id: Id | None = Field(default=None, description="Where: a location, or…")
    channel: ConsentChannel | None = Field(default=None, description="…a channel")
    method: ConsentMethod
    note: Annotated[str, Field(max_length=500)] = ""


class CustomerIn(ApiModel):
    first_name: PersonName = ""
    last_name: PersonName = ""
    email: Email | None = None
    phone: Phone | None = None
    addresses: Annotated[list[Address], Field(max_length=20)] = []
    birthday: Birthday | None = None
    notes: LongText = ""
    tags: Annotated[list[Tag], Field(max_length=50)] = []
    marketing_opt_in: bool = False
    marketing_consent: MarketingConsentIn | None = Field(
        default=None, description="Required when marketingOptIn is true"
    )


class CustomerUpdate(ApiModel):
    """Fields left out stay as they are; ``email``, ``phone`` and ``birthday`` set to null
    are cleared."""

    first_name: PersonName | None = None
    last_name: PersonName | None = None
    email: Email | None = None
    phone: Phone | None = None
    addresses: Annotated[list[Address], Field(max_length=20)] | None = None
    birthday: Birthday | None = None
    notes: LongText | None = None
    tags: Annotated[list[Tag], Field(max_length=50)] | None = None
    marketing_opt_in: bool | None = None
    marketing_consent: MarketingConsentIn | None = Field(
        default=None, description="Required when marketingOptIn changes"
    )
    archived: bool | None = Field(default=None, description="false restores an archived customer")
    version: Version | None = None


class ConsentOut(ApiModel):
    opted_in: bool
    at: Timestamp
    location_id: str | None
    channel: str | None
    method: str
    note: str
    recorded_by: str


class CustomerOut(ApiModel):
    customer_id: str = Field(validation_alias=AliasChoices("customerId", "customer_id", "id"))
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    addresses: list[Address]
    birthday: date | None
    notes: str
    tags: list[str]
    marketing_opt_in: bool
    marketing_consent: ConsentOut | None = Field(description="The latest change of consent")
    archived: bool
    erased: bool
    merged_into: str | None = Field(
        description="Set when you asked for a customer merged into this one: the id you asked "
        "for now answers with this customer, the survivor"
    )
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class MergeIn(ApiModel):
    merge_customer_id: Id = Field(description="The customer merged into this one, then retired")
    version: Version | None = Field(default=None, description="The surviving customer's version")


class CustomerExport(ApiModel):
    """Everything held about a person (GET /v1/customers/{id}/export)."""

    exported_at: Timestamp
    customer: CustomerOut
    merged_customer_ids: list[str]
    consent_history: list[ConsentOut]
    orders: Any = Field(description="The orders: count, totals and each order's summary")
    store_credit: Any = Field(default=None, description="Store credit balance and ledger")
    loyalty: Any = Field(default=None, description="Loyalty points balance and ledger")
    gift_cards: Any = Field(default=None, description="Gift cards bought for the customer")
