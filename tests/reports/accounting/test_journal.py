"""The daily journal, pure: any figures give a balanced journal, and each layout carries the
same amounts; the layouts match files written from the accounting systems' documentation."""

import csv
import io
import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tillpoint.reports.accounting.chart import DEFAULT_ACCOUNTS, Account, AccountMap
from tillpoint.reports.accounting.formats import (
    quickbooks_csv,
    quickbooks_journal_entry,
    xero_csv,
    xero_manual_journals,
)
from tillpoint.reports.accounting.journal import (
    CategoryFigure,
    DayFigures,
    Journal,
    TaxFigure,
    TenderFigure,
    build_journal,
)

FIXTURES = Path(__file__).parent / "fixtures"
DAY = date(2026, 12, 4)
LOCATION = "loc_01TESTLOCATION000000ABC123"

amounts = st.integers(min_value=-(10**9), max_value=10**9)
tenders = st.builds(
    TenderFigure,
    tender_type=st.sampled_from(["cash", "credit_card", "gift_card", "store_credit", "other"]),
    card_brand=st.sampled_from(["", "visa", "amex"]),
    amount_minor=amounts,
    refund_minor=amounts,
)
categories = st.builds(
    CategoryFigure,
    category_id=st.sampled_from(["", "cat_a", "cat_b"]),
    name=st.sampled_from(["", "Drinks", "=cmd"]),
    gross_minor=amounts,
    discount_minor=amounts,
    returns_minor=amounts,
)
taxes = st.builds(
    TaxFigure,
    tax_rate_id=st.sampled_from(["tax_1", "tax_2"]),
    name=st.just("State"),
    rate=st.sampled_from(["", "9", "8.875"]),
    tax_minor=amounts,
    refund_tax_minor=amounts,
)
figures_strategy = st.builds(
    DayFigures,
    tenders=st.lists(tenders, max_size=5),
    categories=st.lists(categories, max_size=4),
    taxes=st.lists(taxes, max_size=3),
    service_charge_minor=amounts,
    tip_minor=amounts,
    gift_card_sold_minor=amounts,
    cash_rounding_minor=amounts,
    other_given_back_minor=amounts,
    cost_minor=amounts,
    over_short_minor=amounts,
)
contra = st.sampled_from([None, Account("4900", "Discounts")])
maps = st.builds(
    lambda discounts, returns, brand: AccountMap(
        accounts={**DEFAULT_ACCOUNTS, "discounts": discounts, "returns": returns},
        card_brands={"visa": brand},
        categories={"cat_a": Account("4010", "Sales:Drinks")},
        tax_rates={"tax_2": Account("2210", "City Tax")},
    ),
    contra,
    st.sampled_from([None, Account("4950", "Returns")]),
    st.just(Account("1011", "Visa Clearing")),
)


def _journal(figures: DayFigures, accounts: AccountMap | None = None) -> Journal:
    return build_journal(
        figures,
        accounts or AccountMap(),
        location_id=LOCATION,
        location_name="Main St",
        business_day=DAY,
    )


def _rows(lines: Iterable[str]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(lines))))


@settings(max_examples=60, deadline=None)
@given(figures=figures_strategy, accounts=maps, exponent=st.sampled_from([0, 2, 3]))
def test_any_figures_give_a_balanced_journal_in_every_layout(
    figures: DayFigures, accounts: AccountMap, exponent: int
) -> None:
    journal = _journal(figures, accounts)
    assert all(line.amount_minor > 0 for line in journal.lines)
    assert journal.debit_minor == journal.credit_minor
    total = Decimal(journal.debit_minor).scaleb(-exponent)

    # Independently of the journal's sides: the tenders net of refunds, cost of goods and
    # over/short are debits, the rest credits, so the unreconciled line is what is left over.
    tendered = sum(t.amount_minor - t.refund_minor for t in figures.tenders)
    assert tendered == (
        sum(
            line.amount_minor if line.side == "debit" else -line.amount_minor
            for line in journal.lines
            if line.description.endswith("net of refunds")
        )
    )

    qb = _rows(quickbooks_csv(journal, exponent))
    assert sum(Decimal(r["Debits"] or 0) for r in qb) == total
    assert sum(Decimal(r["Credits"] or 0) for r in qb) == total
    assert all(bool(r["Debits"]) != bool(r["Credits"]) for r in qb)

    xero = _rows(xero_csv(journal, exponent))
    signed = [Decimal(r["*Amount"]) for r in xero]
    assert sum(signed) == 0
    assert sum(a for a in signed if a > 0) == total

    entry = quickbooks_journal_entry(journal, exponent)
    for posting in ("Debit", "Credit"):
        got = sum(
            Decimal(str(line["Amount"]))
            for line in entry["Line"]
            if line["JournalEntryLineDetail"]["PostingType"] == posting
        )
        assert got == total

    manual = xero_manual_journals(journal, exponent)["ManualJournals"][0]
    line_amounts = [Decimal(str(line["LineAmount"])) for line in manual["JournalLines"]]
    assert sum(line_amounts) == 0
    assert sum(a for a in line_amounts if a > 0) == total


def test_a_negative_figure_flips_side_and_zero_is_left_out() -> None:
    journal = _journal(DayFigures(tip_minor=-150, service_charge_minor=0, cost_minor=0))
    tips = [line for line in journal.lines if line.key == "tipsPayable"]
    assert [(t.side, t.amount_minor) for t in tips] == [("debit", 150)]
    assert not [line for line in journal.lines if line.key == "serviceCharges"]
    # Nothing paid for them: the 1.50 is unreconciled, on the other side.
    assert journal.unreconciled_minor == -150


def test_a_reconciled_day_has_no_unreconciled_line() -> None:
    figures = DayFigures(
        tenders=[TenderFigure("cash", "", 1000 + 90 + 200, 0)],
        categories=[CategoryFigure("cat_a", "Drinks", 1100, 100, 0)],
        taxes=[TaxFigure("tax_1", "State", "9", 90, 0)],
        tip_minor=200,
    )
    journal = _journal(figures)
    assert journal.unreconciled_minor == 0
    assert "unreconciled" not in {line.key for line in journal.lines}


def _fixture_day() -> Journal:
    figures = DayFigures(
        tenders=[TenderFigure("credit_card", "visa", 2180, 0), TenderFigure("cash", "", 1090, 0)],
        categories=[CategoryFigure("", "", 3000, 0, 0)],
        taxes=[TaxFigure("tax_1", "State", "9", 270, 0)],
        cost_minor=1200,
    )
    return _journal(figures)


def test_quickbooks_csv_matches_the_documented_layout() -> None:
    text = "".join(quickbooks_csv(_fixture_day(), 2))
    header = (FIXTURES / "quickbooks_header.csv").read_bytes().decode()
    assert text.startswith(header)
    assert text == (FIXTURES / "quickbooks_day.csv").read_bytes().decode()


def test_xero_csv_matches_the_documented_layout() -> None:
    text = "".join(xero_csv(_fixture_day(), 2))
    header = (FIXTURES / "xero_header.csv").read_bytes().decode()
    assert text.startswith(header)
    assert text == (FIXTURES / "xero_day.csv").read_bytes().decode()


def test_api_objects_match_the_documented_shapes() -> None:
    journal = _fixture_day()
    expected_qb = json.loads((FIXTURES / "quickbooks_journal_entry.json").read_text())
    assert quickbooks_journal_entry(journal, 2) == expected_qb
    expected_xero = json.loads((FIXTURES / "xero_manual_journals.json").read_text())
    assert xero_manual_journals(journal, 2) == expected_xero


def test_with_contra_accounts_sales_are_gross_and_discounts_and_returns_are_debits() -> None:
    discounts, returns = Account("4900", "Discounts Given"), Account("4950", "Sales Returns")
    accounts = AccountMap(accounts={**DEFAULT_ACCOUNTS, "discounts": discounts, "returns": returns})
    figures = DayFigures(categories=[CategoryFigure("cat_a", "Drinks", 1000, 100, 300)])
    lines = {
        (line.account, line.side): line.amount_minor for line in _journal(figures, accounts).lines
    }
    sales = DEFAULT_ACCOUNTS["sales"]
    assert sales is not None
    assert lines[(sales, "credit")] == 1000
    assert lines[(discounts, "debit")] == 100
    assert lines[(returns, "debit")] == 300
    without = {(line.account, line.side): line.amount_minor for line in _journal(figures).lines}
    assert without[(sales, "credit")] == 1000 - 100 - 300
