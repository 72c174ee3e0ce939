"""A location-day's figures as a balanced journal (pure: no database, no HTTP).

Sales + liabilities = tenders: the money taken (net of what was given back) is debited to the
tender's account, and what it paid for is credited — sales per category, service charges, tax
per rate, tips, gift cards sold, cash rounding. The stock leg debits cost of goods sold and
credits inventory; the cash over/short of the shifts closed that day debits (or credits) cash
against the over/short account.

Every line's amount is integer minor units. A line whose amount comes out negative posts to the
other side with the opposite sign, and a line of zero is left out, so every line is positive.
The summaries should reconcile (tenders = what they paid for); whatever does not — a figure the
summaries cannot split, data from before a fix — is posted to the ``unreconciled`` account as
one visible line, so debits equal credits to the cent by construction and the owner sees the
difference instead of an import that fails.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from tillpoint.reports.accounting.chart import Account, AccountMap

Side = Literal["debit", "credit"]
NO_CATEGORY = ""


@dataclass(frozen=True)
class TenderFigure:
    tender_type: str  # cash | credit_card | gift_card | store_credit | other
    card_brand: str  # "" when none
    amount_minor: int
    refund_minor: int  # refunds and voids given back by this tender


@dataclass(frozen=True)
class CategoryFigure:
    category_id: str  # "" for products without a category
    name: str
    gross_minor: int  # ex tax, before discounts
    discount_minor: int
    returns_minor: int  # goods returned or voided, ex tax, net of their discount


@dataclass(frozen=True)
class TaxFigure:
    tax_rate_id: str
    name: str
    rate: str
    tax_minor: int
    refund_tax_minor: int  # refunds and voids


@dataclass(frozen=True)
class DayFigures:
    """What one location's business day adds up to, as the summary tables hold it."""

    tenders: Sequence[TenderFigure] = ()
    categories: Sequence[CategoryFigure] = ()
    taxes: Sequence[TaxFigure] = ()
    service_charge_minor: int = 0
    tip_minor: int = 0
    gift_card_sold_minor: int = 0
    cash_rounding_minor: int = 0
    other_given_back_minor: int = 0  # tips, charges, gift cards, rounding refunded or voided
    cost_minor: int = 0  # cost of goods sold, net of goods returned and voided
    over_short_minor: int = 0  # counted − expected cash of shifts closed that day


@dataclass(frozen=True)
class JournalLine:
    key: str  # the line kind: an account key of the chart ("sales", "cash", …)
    account: Account
    description: str
    side: Side
    amount_minor: int  # always > 0


@dataclass(frozen=True)
class Journal:
    location_id: str
    location_name: str
    business_day: date
    lines: tuple[JournalLine, ...]

    @property
    def debit_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines if line.side == "debit")

    @property
    def credit_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines if line.side == "credit")

    @property
    def unreconciled_minor(self) -> int:
        """The plug posted to balance (debit positive); 0 when the summaries reconcile."""
        return sum(
            line.amount_minor if line.side == "debit" else -line.amount_minor
            for line in self.lines
            if line.key == "unreconciled"
        )

    @property
    def narration(self) -> str:
        return f"Tillpoint daily sales, {self.location_name}, {self.business_day.isoformat()}"

    @property
    def number(self) -> str:
        """The journal's number: the day and the location (QuickBooks allows 21 characters)."""
        return f"TP-{self.business_day:%Y%m%d}-{self.location_id[-6:]}"


_TENDER_ACCOUNTS = {
    "cash": "cash",
    "credit_card": "cardClearing",
    "gift_card": "giftCardLiability",
    "store_credit": "storeCreditLiability",
}
_TENDER_NAMES = {
    "cash": "Cash",
    "credit_card": "Card",
    "gift_card": "Gift cards redeemed",
    "store_credit": "Store credit redeemed",
}


def _line(key: str, account: Account, description: str, side: Side, amount: int) -> JournalLine:
    """A line of ``amount`` on ``side``; a negative amount posts to the other side."""
    if amount < 0:
        side = "credit" if side == "debit" else "debit"
    return JournalLine(key, account, description, side, abs(amount))


def _tender_lines(figures: DayFigures, accounts: AccountMap) -> Iterable[JournalLine]:
    for tender in sorted(figures.tenders, key=lambda t: (t.tender_type, t.card_brand)):
        key = _TENDER_ACCOUNTS.get(tender.tender_type, "otherTenders")
        account = accounts.account(key)
        name = _TENDER_NAMES.get(tender.tender_type, f"Other tender ({tender.tender_type})")
        if tender.tender_type == "credit_card" and tender.card_brand:
            account = accounts.card_brands.get(tender.card_brand, account)
            name = f"Card ({tender.card_brand})"
        net = tender.amount_minor - tender.refund_minor
        yield _line(key, account, f"{name}, net of refunds", "debit", net)


def _sales_lines(figures: DayFigures, accounts: AccountMap) -> Iterable[JournalLine]:
    discounts = accounts.optional("discounts")
    returns = accounts.optional("returns")
    sales = accounts.account("sales")
    for category in sorted(figures.categories, key=lambda c: c.category_id):
        amount = category.gross_minor
        if discounts is None:
            amount -= category.discount_minor
        if returns is None:
            amount -= category.returns_minor
        account = accounts.categories.get(category.category_id, sales)
        name = category.name or "Uncategorised"
        yield _line("sales", account, f"Sales: {name}", "credit", amount)
    if discounts is not None:
        total = sum(c.discount_minor for c in figures.categories)
        yield _line("discounts", discounts, "Discounts given", "debit", total)
    if returns is not None:
        total = sum(c.returns_minor for c in figures.categories)
        yield _line("returns", returns, "Goods returned or voided", "debit", total)
    contra_key, contra = ("returns", returns) if returns else ("sales", sales)
    yield _line(
        contra_key,
        contra,
        "Tips, service charges, gift cards and rounding refunded or voided",
        "debit",
        figures.other_given_back_minor,
    )


def _liability_lines(figures: DayFigures, accounts: AccountMap) -> Iterable[JournalLine]:
    yield _line(
        "serviceCharges",
        accounts.account("serviceCharges"),
        "Service charges",
        "credit",
        figures.service_charge_minor,
    )
    payable = accounts.account("salesTaxPayable")
    for tax in sorted(figures.taxes, key=lambda t: t.tax_rate_id):
        account = accounts.tax_rates.get(tax.tax_rate_id, payable)
        label = f"{tax.name} {tax.rate}%".strip() if tax.rate else tax.name
        net = tax.tax_minor - tax.refund_tax_minor
        yield _line("salesTaxPayable", account, f"Sales tax: {label}", "credit", net)
    yield _line("tipsPayable", accounts.account("tipsPayable"), "Tips", "credit", figures.tip_minor)
    yield _line(
        "giftCardLiability",
        accounts.account("giftCardLiability"),
        "Gift cards sold",
        "credit",
        figures.gift_card_sold_minor,
    )
    yield _line(
        "cashRounding",
        accounts.account("cashRounding"),
        "Cash rounding",
        "credit",
        figures.cash_rounding_minor,
    )


def _pair(
    debit: tuple[str, Account], credit: tuple[str, Account], description: str, amount: int
) -> Iterable[JournalLine]:
    yield _line(debit[0], debit[1], description, "debit", amount)
    yield _line(credit[0], credit[1], description, "credit", amount)


def build_journal(
    figures: DayFigures,
    accounts: AccountMap,
    *,
    location_id: str,
    location_name: str,
    business_day: date,
) -> Journal:
    """The day's balanced journal: debits first, then credits, zero lines left out."""
    lines = [
        *_tender_lines(figures, accounts),
        *_sales_lines(figures, accounts),
        *_liability_lines(figures, accounts),
    ]
    difference = sum(
        line.amount_minor if line.side == "debit" else -line.amount_minor for line in lines
    )
    unreconciled = accounts.account("unreconciled")
    lines.append(
        _line("unreconciled", unreconciled, "Unreconciled difference", "credit", difference)
    )
    lines += _pair(
        ("costOfGoodsSold", accounts.account("costOfGoodsSold")),
        ("inventory", accounts.account("inventory")),
        "Cost of goods sold",
        figures.cost_minor,
    )
    # Counted more than expected (over): cash up, a gain; short: cash down, a loss.
    lines += _pair(
        ("cash", accounts.account("cash")),
        ("cashOverShort", accounts.account("cashOverShort")),
        "Cash over/short of shifts closed",
        figures.over_short_minor,
    )
    kept = [line for line in lines if line.amount_minor]
    ordered = [line for line in kept if line.side == "debit"]
    ordered += [line for line in kept if line.side == "credit"]
    return Journal(location_id, location_name, business_day, tuple(ordered))
