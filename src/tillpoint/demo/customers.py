"""A few demo customers (the full set with history comes with the demo's own issue)."""

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.customers import loyalty, service
from tillpoint.customers.loyalty_schemas import LoyaltyProgramIn
from tillpoint.customers.schemas import CustomerIn, MarketingConsentIn

PEOPLE = [
    ("Maya", "Okafor", "maya.okafor@example.com", "+1 212 555 0134", True),
    ("Liam", "Novak", "liam.novak@example.com", "+1 323 555 0187", False),
    ("Sofia", "Reyes", None, "+1 646 555 0122", False),
]


# A point a dollar, worth a cent; 500 points at least to redeem; a year to use them.
PROGRAM = LoyaltyProgramIn(
    points_per_unit=Decimal(1),
    point_value=Decimal("0.01"),
    minimum_redemption=500,
    expiry_months=12,
)


async def seed_customers(session: AsyncSession, owner: Principal, shop_id: str) -> None:
    await loyalty.put_program(session, owner, PROGRAM)
    for first, last, email, phone, opted_in in PEOPLE:
        consent = MarketingConsentIn(location_id=shop_id, method="written") if opted_in else None
        created = await service.create_customer(
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
        if opted_in:  # a welcome bonus for joining the mailing list
            await loyalty.adjust_points(
                session, owner, created.customer_id, 250, "welcome bonus for joining the list"
            )
