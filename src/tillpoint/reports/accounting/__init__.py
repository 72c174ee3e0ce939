"""Accounting exports (issue 17 item 8): a location-day's sales as a balanced journal, in our
JSON and in the layouts QuickBooks Online and Xero import (docs/accounting.md)."""
