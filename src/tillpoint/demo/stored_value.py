"""The demo's stored value: generated gift cards waiting to be sold, and a regular customer's
goodwill store credit."""

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.db import Database
from tillpoint.core.ratelimit import RateLimiter
from tillpoint.core.transactions import transaction
from tillpoint.giftcards import ledger
from tillpoint.giftcards.codes import code_guard, generate_code
from tillpoint.storecredit.service import change_credit

GIFT_CARDS = 3
STORE_CREDIT_MINOR = 2_500


async def seed_stored_value(
    db: Database, settings: Settings, owner: Principal, customer_id: str
) -> None:
    guard = code_guard(settings, RateLimiter())
    async with transaction(db, tenant_id=owner.tenant_id) as session:
        codes = [generate_code() for _ in range(GIFT_CARDS)]
        await ledger.new_cards(session, owner, guard, codes, "generated")
        await change_credit(
            session,
            owner,
            customer_id,
            STORE_CREDIT_MINOR,
            "adjusted",
            note="Demo: goodwill credit",
        )
