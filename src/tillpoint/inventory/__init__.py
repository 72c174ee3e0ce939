"""Stock levels, the movement ledger, adjustments, counts and transfers."""
