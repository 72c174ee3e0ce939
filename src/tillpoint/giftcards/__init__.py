"""Gift cards: codes kept as keyed digests, balances on one ledger (core/balances.py)."""
