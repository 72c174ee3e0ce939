"""The demo's customers: three named regulars and some 500 more, a loyalty program, and a
welcome bonus for those who joined the mailing list. A third of the demo's sales name one of
them (``demo.sales``), so they have history and the points it earned."""

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


FIRST = [
    "Ava",
    "Noah",
    "Mia",
    "Leo",
    "Zoe",
    "Omar",
    "Ines",
    "Kai",
    "Nora",
    "Theo",
    "Lena",
    "Hugo",
    "Iris",
    "Ravi",
    "Yuki",
    "Eli",
    "Sara",
    "Tom",
]
LAST = [
    "Park",
    "Silva",
    "Meyer",
    "Khan",
    "Rossi",
    "Dubois",
    "Kowal",
    "Tanaka",
    "Hughes",
    "Moreau",
    "Garcia",
    "Berg",
    "Nakamura",
    "Osei",
    "Walsh",
    "Ivanova",
    "Costa",
    "Lund",
    "Abbott",
    "Reid",
    "Fischer",
    "Mendes",
    "Quinn",
    "Sato",
    "Varga",
]
MORE = 497  # with PEOPLE: 500


def more_people() -> list[tuple[str, str, str, bool, list[str]]]:
    """Names, emails, consent and tags of the other customers, the same every time."""
    people = []
    for n in range(MORE):
        first, last = FIRST[n % len(FIRST)], LAST[(n * 7) % len(LAST)]
        email = f"{first}.{last}.{n}@example.com".lower()
        tags = ["vip"] if n % 17 == 0 else ["wholesale"] if n % 23 == 0 else []
        people.append((first, last, email, n % 5 < 2, tags))
    return people


async def seed_customers(session: AsyncSession, owner: Principal, shop_id: str) -> list[str]:
    """The customers, in the order created; returns their ids."""
    await loyalty.put_program(session, owner, PROGRAM)
    ids = []
    for first, last, address, opted_in, tags in more_people():
        consent = MarketingConsentIn(location_id=shop_id, method="written") if opted_in else None
        created = await service.create_customer(
            session,
            owner,
            CustomerIn(
                first_name=first,
                last_name=last,
                email=address,
                tags=tags,
                marketing_opt_in=opted_in,
                marketing_consent=consent,
            ),
        )
        ids.append(created.customer_id)
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
        ids.append(created.customer_id)
    return ids
