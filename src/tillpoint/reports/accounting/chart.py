"""Which account each journal line posts to: a tenant's map from Tillpoint's lines to its own
chart of accounts, and the small standard chart a tenant starts with.

An account has a ``code`` (Xero imports by code) and a ``name`` (QuickBooks Online imports by
name, ``Parent:Sub`` for a sub-account). ``discounts`` and ``returns`` are optional: without
them, sales are posted net of discounts and returns; with them, gross sales are credited and
the contra-revenue accounts debited.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Account:
    code: str
    name: str


# Every line kind of the daily journal and the account it posts to by default.
DEFAULT_ACCOUNTS: dict[str, Account | None] = {
    "cash": Account("1000", "Cash on Hand"),
    "cardClearing": Account("1010", "Card Clearing"),
    "otherTenders": Account("1020", "Other Tenders Clearing"),
    "inventory": Account("1200", "Inventory Asset"),
    "giftCardLiability": Account("2100", "Gift Card Liability"),
    "storeCreditLiability": Account("2110", "Store Credit Liability"),
    "salesTaxPayable": Account("2200", "Sales Tax Payable"),
    "tipsPayable": Account("2300", "Tips Payable"),
    "unreconciled": Account("2900", "POS Unreconciled Differences"),
    "sales": Account("4000", "Sales"),
    "serviceCharges": Account("4100", "Service Charge Income"),
    "discounts": None,
    "returns": None,
    "cashRounding": Account("4800", "Cash Rounding"),
    "costOfGoodsSold": Account("5000", "Cost of Goods Sold"),
    "cashOverShort": Account("6100", "Cash Over and Short"),
}
ACCOUNT_KEYS: tuple[str, ...] = tuple(DEFAULT_ACCOUNTS)
OPTIONAL_KEYS = frozenset({"discounts", "returns"})


@dataclass(frozen=True)
class AccountMap:
    """Accounts per line kind, with overrides per card brand, category and tax rate."""

    accounts: Mapping[str, Account | None] = field(default_factory=lambda: DEFAULT_ACCOUNTS)
    card_brands: Mapping[str, Account] = field(default_factory=dict)
    categories: Mapping[str, Account] = field(default_factory=dict)
    tax_rates: Mapping[str, Account] = field(default_factory=dict)

    def account(self, key: str) -> Account:
        found = self.accounts.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def optional(self, key: str) -> Account | None:
        return self.accounts.get(key)
