"""A journal in the layouts accounting systems take (docs/accounting.md cites the documents
each follows): QuickBooks Online's journal-entry CSV import and its ``JournalEntry`` API
object, Xero's manual-journal CSV import and its ``ManualJournals`` API body.

Pure: amounts arrive in minor units and leave as decimals with the currency's precision.
"""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from tillpoint.core.money import from_minor
from tillpoint.core.schemas import json_number
from tillpoint.reports.accounting.journal import Journal
from tillpoint.reports.csv_rows import csv_lines

# Intuit: Settings → Import data → Journal Entries (the columns it maps, in its order).
QUICKBOOKS_CSV_COLUMNS = (
    "Journal No.",
    "Journal Date",
    "Account Name",
    "Description",
    "Debits",
    "Credits",
)
# Xero: Manual Journals → Import template (an asterisk marks a required column).
XERO_CSV_COLUMNS = (
    "*Narration",
    "*Date",
    "Description",
    "*AccountCode",
    "*TaxRate",
    "*Amount",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
)
# Lines posted ex tax, tax on its own lines: no tax on any journal line.
XERO_NO_TAX_TYPE = "NONE"
DEFAULT_XERO_TAX_RATE = "Tax Exempt"


def _amount(minor: int, exponent: int) -> Decimal:
    return from_minor(minor, exponent)


def quickbooks_csv(journal: Journal, exponent: int) -> Iterator[str]:
    """One row per line: the journal's number and US date (MM/DD/YYYY) on every row, the
    amount under Debits or Credits and the other left empty."""
    day = f"{journal.business_day:%m/%d/%Y}"
    rows = (
        {
            "Journal No.": journal.number,
            "Journal Date": day,
            "Account Name": line.account.name,
            "Description": line.description,
            "Debits": _amount(line.amount_minor, exponent) if line.side == "debit" else None,
            "Credits": _amount(line.amount_minor, exponent) if line.side == "credit" else None,
        }
        for line in journal.lines
    )
    return csv_lines(QUICKBOOKS_CSV_COLUMNS, rows, None)


def xero_csv(
    journal: Journal, exponent: int, tax_rate: str = DEFAULT_XERO_TAX_RATE
) -> Iterator[str]:
    """One row per line under the same narration and date (dd/mm/yyyy), which make them one
    journal; a debit is a positive amount, a credit a negative one."""
    day = f"{journal.business_day:%d/%m/%Y}"
    rows = (
        {
            "*Narration": journal.narration,
            "*Date": day,
            "Description": line.description,
            "*AccountCode": line.account.code,
            "*TaxRate": tax_rate,
            "*Amount": _amount(
                line.amount_minor if line.side == "debit" else -line.amount_minor, exponent
            ),
        }
        for line in journal.lines
    )
    return csv_lines(XERO_CSV_COLUMNS, rows, None)


def quickbooks_journal_entry(journal: Journal, exponent: int) -> dict[str, Any]:
    """The body of ``POST /v3/company/{realmId}/journalentry``. ``AccountRef.value`` is the
    account's code: QuickBooks wants its own account Id there, so a tenant posting through the
    API sets each account's code to that Id."""
    return {
        "DocNumber": journal.number,
        "TxnDate": journal.business_day.isoformat(),
        "PrivateNote": journal.narration,
        "Line": [
            {
                "Description": line.description,
                "Amount": json_number(_amount(line.amount_minor, exponent)),
                "DetailType": "JournalEntryLineDetail",
                "JournalEntryLineDetail": {
                    "PostingType": "Debit" if line.side == "debit" else "Credit",
                    "AccountRef": {"value": line.account.code, "name": line.account.name},
                },
            }
            for line in journal.lines
        ],
    }


def xero_manual_journals(journal: Journal, exponent: int) -> dict[str, Any]:
    """The body of ``PUT /api.xro/2.0/ManualJournals``: one draft journal, amounts with no
    tax (``LineAmountTypes`` NoTax), a debit positive and a credit negative."""
    return {
        "ManualJournals": [
            {
                "Narration": journal.narration,
                "Date": journal.business_day.isoformat(),
                "LineAmountTypes": "NoTax",
                "Status": "DRAFT",
                "JournalLines": [
                    {
                        "LineAmount": json_number(
                            _amount(
                                line.amount_minor if line.side == "debit" else -line.amount_minor,
                                exponent,
                            )
                        ),
                        "AccountCode": line.account.code,
                        "Description": line.description,
                        "TaxType": XERO_NO_TAX_TYPE,
                    }
                    for line in journal.lines
                ],
            }
        ]
    }
