"""The demo tenant: a shop and a café in two timezones, registers, staff in every role, taxes.

The catalog and its stock come from ``demo.catalog``, 30 days of sales from ``demo.sales``;
later domains add their history here.
Logins and a demo API key are kept in ``<data dir>/demo-credentials.json`` (a local
development file) so ``make run`` can print them.
"""

import json
import os
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

import tillpoint.job_handlers  # noqa: F401  (registers the job kinds the demo enqueues)
from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.db import Database
from tillpoint.core.ratelimit import RateLimiter
from tillpoint.core.transactions import transaction
from tillpoint.demo.catalog import seed_catalog
from tillpoint.demo.customers import seed_customers
from tillpoint.demo.gift_cards import GiftCardDesk, gift_card_product
from tillpoint.demo.sales import seed_sales
from tillpoint.demo.stored_value import seed_stored_value
from tillpoint.giftcards.codes import code_guard
from tillpoint.identity import api_keys, roles, service
from tillpoint.identity.models import Tenant
from tillpoint.identity.permissions import ALL, BUILT_IN_ROLES
from tillpoint.identity.schemas import ApiKeyIn, UserIn
from tillpoint.promotions import codes as coupon_codes
from tillpoint.promotions import service as promotion_service
from tillpoint.promotions.schemas import CouponCodesIn, PromotionIn
from tillpoint.provisioning import create_tenant
from tillpoint.stores import printers, staff, taxes
from tillpoint.stores import service as stores
from tillpoint.stores.schemas import (
    Address,
    EmployeeIn,
    LocationIn,
    PrinterIn,
    RegisterIn,
    TaxClassIn,
    TaxRateIn,
)
from tillpoint.webhooks import delivery_log, subscriptions
from tillpoint.webhooks.schemas import WebhookIn

DEMO_TENANT_NAME = "Harbor & Vine Demo"
OWNER_EMAIL = "owner@harborvine.example.com"
PASSWORD = "tillpoint-demo"


async def ensure_demo(db: Database, settings: Settings, *, create: bool = True) -> dict[str, str]:
    """Create the demo tenant unless it exists; return the credentials to print."""
    path = settings.data_dir / "demo-credentials.json"
    async with db.session() as session:
        exists = (
            await session.execute(select(Tenant.id).where(Tenant.name == DEMO_TENANT_NAME))
        ).first()
    if exists is not None and path.exists():
        return dict(json.loads(path.read_text()))
    if exists is not None and not create:
        return {"note": "demo tenant exists; its credentials file is missing"}
    credentials = await seed_demo(db, settings)
    # Created private (0600) from the start: it holds passwords and an API key.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(json.dumps(credentials, indent=2))
    return credentials


async def seed_demo(
    db: Database, settings: Settings, *, email_domain: str = "harborvine.example.com"
) -> dict[str, str]:
    async with transaction(db) as session:
        made = await create_tenant(
            session,
            name=DEMO_TENANT_NAME,
            owner_email=f"owner@{email_domain}",
            owner_password=PASSWORD,
            owner_name="Olivia Owner",
            currency="USD",
            timezone="America/New_York",
        )
        tenant_id = made.tenant.id
        owner = Principal("user", made.owner.id, tenant_id, "Olivia Owner", ALL, None, 600)

        shop = await stores.create_location(
            session,
            owner,
            LocationIn(
                name="Harbor & Vine — SoHo",
                address=Address(
                    line1="121 Spring St",
                    city="New York",
                    region="NY",
                    postal_code="10012",
                    country="US",
                ),
                timezone="America/New_York",
                allow_negative_stock=True,
            ),
        )
        cafe = await stores.create_location(
            session,
            owner,
            LocationIn(
                name="Harbor & Vine Café — Silver Lake",
                address=Address(
                    line1="3300 Sunset Blvd",
                    city="Los Angeles",
                    region="CA",
                    postal_code="90026",
                    country="US",
                ),
                timezone="America/Los_Angeles",
                tax_inclusive=False,
                allow_negative_stock=False,
            ),
        )
        for location, names in (
            (shop, ["Front counter", "Fitting rooms"]),
            (cafe, ["Espresso bar"]),
        ):
            for name in names:
                await stores.create_register(session, owner, location.id, RegisterIn(name=name))
            # A placeholder address: printing to it fails until a real printer is configured.
            await printers.create_printer(
                session,
                owner,
                location.id,
                PrinterIn(
                    name="Receipt printer", type="receipt", address="receipt-printer.invalid:9100"
                ),
            )

        # ``standard`` and ``exempt`` come with every tenant.
        await taxes.create_tax_class(session, owner, TaxClassIn(code="food", name="Prepared food"))
        for location, rates in (
            (
                shop,
                [
                    ("standard", "NY State", "4"),
                    ("standard", "NYC", "4.5"),
                    ("standard", "MCTD", "0.375"),
                    ("food", "NY State", "4"),
                    ("food", "NYC", "4.5"),
                    ("food", "MCTD", "0.375"),
                ],
            ),
            (
                cafe,
                [
                    ("standard", "CA State", "7.25"),
                    ("standard", "LA County", "2.25"),
                    ("food", "CA State", "7.25"),
                    ("food", "LA County", "2.25"),
                ],
            ),
        ):
            for tax_class, name, rate in rates:
                await taxes.create_tax_rate(
                    session,
                    owner,
                    location.id,
                    TaxRateIn(tax_class=tax_class, name=name, rate=Decimal(rate)),
                )

        role_ids = {name: (await roles.role_by_name(session, name)).id for name in BUILT_IN_ROLES}
        people = [
            ("Marco Manager", "manager", [], "manager"),
            ("Casey Cashier", "cashier", [shop.id], "cashier"),
            ("Bea Barista", "cashier", [cafe.id], "barista"),
        ]
        credentials = {
            "owner login": f"owner@{email_domain} / {PASSWORD}",
        }
        for name, role, locations, login in people:
            await service.create_user(
                session,
                owner,
                UserIn(
                    email=f"{login}@{email_domain}",
                    name=name,
                    password=PASSWORD,
                    role_id=role_ids[role],
                    location_ids=locations,
                    current_password=PASSWORD,  # the owner's: the demo acts as the owner
                ),
                check_locations=stores.check_assignable_locations,
                settings=settings,
            )
            credentials[f"{role} login" if role != "cashier" else f"{login} login"] = (
                f"{login}@{email_domain} / {PASSWORD}"
            )
        pins = []
        for index, (name, role, locations, _) in enumerate(people):
            pin = f"{1000 + index * 1111}"
            await staff.create_employee(
                session,
                owner,
                EmployeeIn(name=name, role_id=role_ids[role], location_ids=locations, pin=pin),
            )
            pins.append(f"{name} {pin}")
        # For the app: a manager pairs a device as a register, then employees sign in by PIN.
        credentials["register PINs"] = ", ".join(pins)
        _, secret = await api_keys.create_api_key(
            session,
            owner,
            ApiKeyIn(name="Demo integration", scopes=sorted(BUILT_IN_ROLES["integration"])),
            default_rate_limit=settings.default_rate_limit_per_minute,
        )
        credentials["demo API key"] = secret
        await seed_catalog(session, owner, shop_id=shop.id, cafe_id=cafe.id)
        customers = await seed_customers(session, owner, shop.id)
        gift_cards = GiftCardDesk(
            await gift_card_product(session, owner), code_guard(settings, RateLimiter())
        )
        credentials["tenant"] = tenant_id
        credentials["demo webhook"] = await _example_webhook(session, owner, settings)
        credentials["demo coupon"] = await _welcome_coupon(session, owner)
    # The sales history commits a transaction per location and day, after the store exists.
    await seed_sales(
        db,
        owner,
        shop_id=shop.id,
        cafe_id=cafe.id,
        customers=customers,
        gift_cards=gift_cards,
    )
    await seed_stored_value(db, settings, owner, customers[-1])
    # After the history: automatic promotions apply to the orders rung up from now on.
    async with transaction(db, tenant_id=tenant_id) as session:
        await _automatic_promotions(session, owner, cafe.id)
    return credentials


async def _example_webhook(session: AsyncSession, owner: Principal, settings: Settings) -> str:
    """An inactive subscription for the sample receiver in docs/examples, and one test ping
    (it fails until the receiver runs: try it, then redeliver it from the delivery log)."""
    local = settings.model_copy(update={"webhook_allow_private": True})
    webhook, secret = await subscriptions.create_webhook(
        session,
        owner,
        WebhookIn(
            url="http://127.0.0.1:8080/webhooks",
            event_types=["order.*", "inventory.level_changed"],
            description="The sample receiver: python docs/examples/webhook_receiver.py --port 8080",
            active=False,
        ),
        local,
    )
    await delivery_log.send_test(session, owner, webhook.id)
    return f"{webhook.id} (inactive), secret {secret}"


async def _welcome_coupon(session: AsyncSession, owner: Principal) -> str:
    """A coupon promotion for new customers (a coupon: the sales history is left as it is)."""
    promotion = await promotion_service.create_promotion(
        session,
        owner,
        PromotionIn(
            name="Welcome 10 %",
            kind="percentage",
            trigger="coupon",
            percent=Decimal(10),
            min_cart_amount=Decimal(20),
        ),
    )
    await coupon_codes.create_codes(
        session, owner, promotion.promotion_id, CouponCodesIn(code="WELCOME10")
    )
    return "WELCOME10 (10 % off 20.00 or more)"


async def _automatic_promotions(session: AsyncSession, owner: Principal, cafe_id: str) -> None:
    """The café's weekday happy hour, and a weekend amount off larger baskets anywhere."""
    for promotion in (
        PromotionIn(
            name="Café happy hour",
            kind="percentage",
            percent=Decimal(15),
            weekdays=[1, 2, 3, 4, 5],
            start_time="15:00",
            end_time="17:00",
            location_ids=[cafe_id],
        ),
        PromotionIn(
            name="Weekend 5 off 50",
            kind="fixed_amount",
            amount=Decimal(5),
            min_cart_amount=Decimal(50),
            weekdays=[6, 7],
        ),
    ):
        await promotion_service.create_promotion(session, owner, promotion)
