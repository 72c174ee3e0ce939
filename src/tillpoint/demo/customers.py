"""A few demo customers (the full set with history comes with the demo's own issue)."""

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.customers import service
from tillpoint.customers.schemas import CustomerIn, MarketingConsentIn

PEOPLE = [
    ("Maya", "Okafor", "maya.okafor@example.com", "+1 212 555 0134", True),
    ("Liam", "Novak", "liam.novak@example.com", "+1 323 555 0187", False),
    ("Sofia", "Reyes", None, "+1 646 555 0122", False),
]


async def seed_customers(session: AsyncSession, owner: Principal, shop_id: str) -> None:
    for first, last, email, phone, opted_in in PEOPLE:
        consent = MarketingConsentIn(location_id=shop_id, method="written") if opted_in else None
        await service.create_customer(
            session,
            owner,
            CustomerIn(
                first_name=first,
                last_name=last,
                email=email,
                phone=phone,
                tags=["regular"],
                marketing_opt_in=opted_in,
                marketing_consent=consent,
            ),
        )
