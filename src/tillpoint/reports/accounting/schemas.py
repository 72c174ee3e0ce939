"""Request and response bodies of the accounting endpoints."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field

from tillpoint.core.schemas import NOT_BLANK, ApiModel, DecimalNumber, Timestamp, Version
from tillpoint.reports.accounting.chart import DEFAULT_ACCOUNTS, Account

JournalFormat = Literal["json", "quickbooks-csv", "xero-csv", "quickbooks-json", "xero-json"]

# QuickBooks Online allows 100 characters in an account name; codes are short.
AccountCode = Annotated[str, Field(min_length=1, max_length=30, pattern=NOT_BLANK)]
AccountName = Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)]
OverrideKey = Annotated[str, Field(min_length=1, max_length=40)]


class AccountSchema(ApiModel):
    code: AccountCode
    name: AccountName


def _default(key: str) -> AccountSchema:
    account = DEFAULT_ACCOUNTS[key]
    assert account is not None
    return AccountSchema(code=account.code, name=account.name)


def _field(key: str, description: str) -> AccountSchema:
    return Field(default_factory=lambda: _default(key), description=description)


class AccountsIn(ApiModel):
    """An account per journal line kind; a field left out takes the standard chart's."""

    cash: AccountSchema = _field("cash", "Cash tenders and cash over/short")
    card_clearing: AccountSchema = _field("cardClearing", "Card tenders (see cardBrands)")
    other_tenders: AccountSchema = _field("otherTenders", "Other tenders")
    inventory: AccountSchema = _field("inventory", "Inventory, credited for cost of goods")
    gift_card_liability: AccountSchema = _field(
        "giftCardLiability", "Gift cards sold (credit) and redeemed (debit)"
    )
    store_credit_liability: AccountSchema = _field("storeCreditLiability", "Store credit redeemed")
    sales_tax_payable: AccountSchema = _field("salesTaxPayable", "Sales tax (see taxRates)")
    tips_payable: AccountSchema = _field("tipsPayable", "Tips")
    unreconciled: AccountSchema = _field(
        "unreconciled", "Any difference between tenders and what they paid for"
    )
    sales: AccountSchema = _field("sales", "Sales (see categories)")
    service_charges: AccountSchema = _field("serviceCharges", "Service charges")
    discounts: AccountSchema | None = Field(
        default=None, description="Discounts given; none posts sales net of discounts"
    )
    returns: AccountSchema | None = Field(
        default=None, description="Returns and voids; none posts sales net of them"
    )
    cash_rounding: AccountSchema = _field("cashRounding", "Cash rounding")
    cost_of_goods_sold: AccountSchema = _field("costOfGoodsSold", "Cost of goods sold")
    cash_over_short: AccountSchema = _field("cashOverShort", "Cash over/short of shifts")


class AccountingSettingsIn(ApiModel):
    accounts: AccountsIn = Field(default_factory=AccountsIn)
    card_brands: dict[OverrideKey, AccountSchema] = Field(
        default_factory=dict, max_length=50, description="Card brand → clearing account"
    )
    categories: dict[OverrideKey, AccountSchema] = Field(
        default_factory=dict, max_length=500, description="Category id → sales account"
    )
    tax_rates: dict[OverrideKey, AccountSchema] = Field(
        default_factory=dict, max_length=200, description="Tax rate id → payable account"
    )
    xero_tax_rate: AccountName = Field(
        default="Tax Exempt",
        description="The name of Xero's no-tax rate in the organisation (Tax Exempt, No GST…)",
    )
    summary_recipients: list[EmailStr] = Field(
        default_factory=list, max_length=20, description="Who gets the daily summary e-mail"
    )
    version: Version | None = Field(
        default=None, description="The version read; a newer one stored is 409"
    )


class AccountingSettingsOut(ApiModel):
    accounts: AccountsIn
    card_brands: dict[str, AccountSchema]
    categories: dict[str, AccountSchema]
    tax_rates: dict[str, AccountSchema]
    xero_tax_rate: str
    summary_recipients: list[str]
    version: int
    updated_at: Timestamp | None
    updated_by: str | None


class JournalLineOut(ApiModel):
    account_key: str
    account_code: str
    account_name: str
    description: str
    debit: DecimalNumber | None
    credit: DecimalNumber | None


class JournalOut(ApiModel):
    location_id: str
    location_name: str
    business_day: date
    number: str
    narration: str
    closed: bool
    closed_at: Timestamp | None
    lines: list[JournalLineOut]
    total_debit: DecimalNumber
    total_credit: DecimalNumber
    unreconciled_difference: DecimalNumber = Field(
        description="Posted to the unreconciled account to balance (debit positive); 0 when "
        "the day's figures reconcile"
    )


def account_of(schema: AccountSchema) -> Account:
    return Account(schema.code, schema.name)


# The API objects of the accounting systems, as the journal route returns them
# (``format=quickbooks-json`` / ``xero-json``): their own field names, not ours.
class QuickBooksAccountRef(BaseModel):
    value: str
    name: str


class QuickBooksLineDetail(BaseModel):
    PostingType: Literal["Debit", "Credit"]
    AccountRef: QuickBooksAccountRef


class QuickBooksLine(BaseModel):
    Description: str
    Amount: float
    DetailType: Literal["JournalEntryLineDetail"]
    JournalEntryLineDetail: QuickBooksLineDetail


class QuickBooksJournalEntry(BaseModel):
    """The body of QuickBooks Online's ``POST /v3/company/{realmId}/journalentry``."""

    DocNumber: str
    TxnDate: str
    PrivateNote: str
    Line: list[QuickBooksLine]


class XeroJournalLine(BaseModel):
    LineAmount: float
    AccountCode: str
    Description: str
    TaxType: str


class XeroManualJournal(BaseModel):
    Narration: str
    Date: str
    LineAmountTypes: Literal["NoTax"]
    Status: Literal["DRAFT"]
    JournalLines: list[XeroJournalLine]


class XeroManualJournals(BaseModel):
    """The body of Xero's ``PUT /api.xro/2.0/ManualJournals``."""

    ManualJournals: list[XeroManualJournal]
