"""Store credit: one balance per customer on one ledger (core/balances.py)."""
