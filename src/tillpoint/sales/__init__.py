"""Orders, pricing, payments, refunds, voids, receipts and register shifts."""
