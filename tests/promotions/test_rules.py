"""Every rule and error code of a promotion, table-driven, at a shop in Auckland (UTC+13 in
December): each case sets up its promotions on a fresh tenant, prices an order (calculate, as
create would) and checks what the promotions took off or the error a coupon got.

Times are the shop's local times: a promotion starting on day D starts at D 00:00 in Auckland,
which is 11:00 UTC the day before."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.promotions.conftest import Promos, days, local_instant, local_today
from tests.support.sales import Till
from tests.support.tenants import TenantFixture

Json = dict[str, Any]
# The day the timed cases happen on: in the past (orders may not be dated in the future).
D = local_today() - days(7)
OTHER_LOCATION = "other"
# Placeholders for two customers of the shop (open_shop creates them).
CUSTOMER, NEWCOMER = "customer.regular", "customer.newcomer"


@dataclass
class Shop:
    till: Till
    promos: Promos
    ids: dict[str, str]  # placeholders in a case's promotion fields → real ids

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return self.ids.get(value, value) if isinstance(value, str) else value

    async def sell(self, code: str | None = None, **extra: Any) -> Json:
        extra = {k: self.resolve(v) for k, v in extra.items()}
        order = await self.till.order(
            self.till.line(self.ids["A"]), couponCodes=[code] if code else [], **extra
        )
        paid = await self.till.pay(order)
        assert paid["order"]["status"] == "completed", paid
        return paid["order"]


Setup = Callable[[Shop], Awaitable[None]]


@dataclass
class Case:
    id: str
    promotion: Json | None = None  # created as a coupon when ``code`` is given
    code: str | None = "SAVE"
    entered: str | None = None  # the code the order enters (default: ``code``)
    lines: list[tuple[str, int]] = field(default_factory=lambda: [("A", 1)])
    at: tuple[date, time] | None = None  # the order's local date and time
    order: Json = field(default_factory=dict)
    setup: Setup | None = None  # more promotions or orders, after the case's own
    error: str | None = None
    discount: str | None = None  # what the promotions take off in all
    line_discounts: list[str] | None = None  # or per line


async def add(shop: Shop, **fields: Any) -> None:
    await shop.promos.create(**{k: shop.resolve(v) for k, v in fields.items()})


def then(*steps: Setup) -> Setup:
    async def run(shop: Shop) -> None:
        for step in steps:
            await step(shop)

    return run


def automatic(**fields: Any) -> Setup:
    return lambda shop: add(shop, **fields)


def sold(code: str | None = "SAVE", **order: Any) -> Setup:
    async def run(shop: Shop) -> None:
        await shop.sell(code, **order)

    return run


async def archive(shop: Shop) -> None:
    [promotion] = (await shop.till.get("/v1/promotions", trigger="coupon"))["items"]
    await shop.till.call("DELETE", f"/v1/promotions/{promotion['promotionId']}")


async def single_use_code(shop: Shop) -> None:
    [promotion] = (await shop.till.get("/v1/promotions", trigger="coupon"))["items"]
    path = f"/v1/promotions/{promotion['promotionId']}/codes"
    await shop.till.post(path, {"code": "ONCE", "maxUses": 1})


TEN = {"kind": "percentage", "percent": 10}
CASES = [
    # Kinds and scopes (A 10.00, B 4.00, S 25.00 in Apparel > Shoes).
    Case("percentage", TEN, discount="1"),
    Case(
        "fixed amount spread by largest remainder",
        {"kind": "fixed_amount", "amount": 5},
        lines=[("A", 1), ("B", 1)],
        line_discounts=["3.57", "1.43"],
    ),
    Case(
        "fixed price per unit",
        {"kind": "fixed_price", "amount": 20, "scope": "product", "targetIds": ["S.product"]},
        lines=[("S", 2), ("A", 1)],
        line_discounts=["10", "0"],
    ),
    Case(
        "buy 2 get 1: the cheapest free",
        {"kind": "buy_x_get_y", "buyQuantity": 2, "getQuantity": 1},
        lines=[("A", 2), ("B", 1)],
        line_discounts=["0", "4"],
    ),
    Case(
        "buy 1 get 1 at 50 %",
        {"kind": "buy_x_get_y", "buyQuantity": 1, "getQuantity": 1, "percent": 50},
        lines=[("A", 3)],
        discount="5",
    ),
    Case(
        "buy 2 get 1 needs three units",
        {"kind": "buy_x_get_y", "buyQuantity": 2, "getQuantity": 1},
        lines=[("A", 2)],
        error="DISCOUNT_NOT_APPLICABLE",
    ),
    Case(
        "category scope takes subcategories",
        {**TEN, "scope": "category", "targetIds": ["Apparel"]},
        lines=[("S", 1), ("A", 1)],
        line_discounts=["2.5", "0"],
    ),
    Case(
        "variant scope",
        {**TEN, "scope": "variant", "targetIds": ["B.variant"]},
        lines=[("A", 1), ("B", 1)],
        line_discounts=["0", "0.4"],
    ),
    Case(
        "out of scope",
        {**TEN, "scope": "product", "targetIds": ["S.product"]},
        error="DISCOUNT_NOT_APPLICABLE",
    ),
    # Codes.
    Case("codes are case-insensitive", TEN, entered="save", discount="1"),
    Case("unknown code", TEN, entered="NOPE", error="COUPON_NOT_FOUND"),
    Case("archived promotion", TEN, setup=archive, error="COUPON_NOT_FOUND"),
    Case("paused promotion", {**TEN, "active": False}, error="COUPON_NOT_FOUND"),
    # Minimum cart amount.
    Case(
        "below the minimum cart",
        {**TEN, "minCartAmount": 14.01},
        lines=[("A", 1), ("B", 1)],
        error="DISCOUNT_MIN_CART_AMOUNT_INSUFFICIENT",
    ),
    Case(
        "at the minimum cart",
        {**TEN, "minCartAmount": 14},
        lines=[("A", 1), ("B", 1)],
        discount="1.4",
    ),
    Case(
        "an automatic promotion below its minimum is passed over",
        None,
        code=None,
        setup=automatic(**TEN, minCartAmount=50),
        discount="0",
    ),
    # More off than the order holds.
    Case(
        "fixed amount above the order",
        {"kind": "fixed_amount", "amount": 10.01},
        error="ORDER_AMOUNT_INSUFFICIENT_AFTER_DISCOUNT_APPLIED",
    ),
    Case("fixed amount equal to the order", {"kind": "fixed_amount", "amount": 10}, discount="10"),
    # Dates, weekdays and hours, in the shop's timezone.
    Case(
        "starts at local midnight", {**TEN, "startDate": str(D)}, at=(D, time(0, 0)), discount="1"
    ),
    Case(
        "a minute before the start",
        {**TEN, "startDate": str(D)},
        at=(D - days(1), time(23, 59)),
        error="INVALID_DISCOUNT_DATES",
    ),
    Case(
        "last minute of the end date",
        {**TEN, "endDate": str(D)},
        at=(D, time(23, 59)),
        discount="1",
    ),
    Case(
        "the day after the end date",
        {**TEN, "endDate": str(D)},
        at=(D + days(1), time(0, 0)),
        error="INVALID_DISCOUNT_DATES",
    ),
    Case("on its weekday", {**TEN, "weekdays": [D.isoweekday()]}, at=(D, time(12)), discount="1"),
    Case(
        "not on its weekday",
        {**TEN, "weekdays": [D.isoweekday() % 7 + 1]},
        at=(D, time(12)),
        error="INVALID_DISCOUNT_DATES",
    ),
    Case(
        "within its hours",
        {**TEN, "startTime": "09:00", "endTime": "17:00"},
        at=(D, time(16, 59)),
        discount="1",
    ),
    Case(
        "at its end time",
        {**TEN, "startTime": "09:00", "endTime": "17:00"},
        at=(D, time(17, 0)),
        error="INVALID_DISCOUNT_DATES",
    ),
    Case(
        "overnight hours after midnight",
        {**TEN, "startTime": "22:00", "endTime": "02:00"},
        at=(D, time(1, 30)),
        discount="1",
    ),
    Case(
        "overnight hours at noon",
        {**TEN, "startTime": "22:00", "endTime": "02:00"},
        at=(D, time(12)),
        error="INVALID_DISCOUNT_DATES",
    ),
    # Locations and sources.
    Case("at its location", {**TEN, "locationIds": ["here"]}, discount="1"),
    Case(
        "at another location",
        {**TEN, "locationIds": [OTHER_LOCATION]},
        error="DISCOUNT_NOT_APPLICABLE",
    ),
    Case(
        "online only, at the register",
        {**TEN, "sources": ["online"]},
        error="DISCOUNT_NOT_APPLICABLE",
    ),
    Case(
        "online only, online",
        {**TEN, "sources": ["online"]},
        order={"source": "online"},
        discount="1",
    ),
    # Uses: overall, per code, per customer; first orders.
    Case("uses left", {**TEN, "maxUses": 2}, setup=sold(), discount="1"),
    Case(
        "no uses left",
        {**TEN, "maxUses": 1},
        setup=sold(),
        error="DISCOUNT_MAX_USAGES_REACHED_LIMIT",
    ),
    Case(
        "a single-use code used",
        TEN,
        entered="ONCE",
        setup=then(single_use_code, sold("ONCE")),
        error="DISCOUNT_MAX_USAGES_REACHED_LIMIT",
    ),
    Case(
        "per customer: this customer used it",
        {**TEN, "maxUsesPerCustomer": 1},
        setup=sold(customerId=CUSTOMER),
        order={"customerId": CUSTOMER},
        error="DISCOUNT_MAX_USAGES_REACHED_LIMIT",
    ),
    Case(
        "per customer: another customer may",
        {**TEN, "maxUsesPerCustomer": 1},
        setup=sold(customerId=CUSTOMER),
        order={"customerId": NEWCOMER},
        discount="1",
    ),
    Case(
        "first order only: a returning customer",
        {**TEN, "firstOrderOnly": True},
        setup=sold(None, customerId=CUSTOMER),
        order={"customerId": CUSTOMER},
        error="DISCOUNT_ONLY_ALLOW_FIRST_ORDER",
    ),
    Case(
        "first order only: a new customer",
        {**TEN, "firstOrderOnly": True},
        setup=sold(None, customerId=CUSTOMER),
        order={"customerId": NEWCOMER},
        discount="1",
    ),
    Case(
        "first order only: no customer",
        {**TEN, "firstOrderOnly": True},
        error="DISCOUNT_ONLY_ALLOW_FIRST_ORDER",
    ),
    # Stacking and priority.
    Case(
        "combinable promotions apply in priority order",
        {"kind": "fixed_amount", "amount": 5, "priority": 1},
        setup=automatic(**TEN, priority=2),
        discount="6",  # 10 % of 10.00 first, then 5.00 off the 9.00 left
    ),
    Case(
        "a higher exclusive promotion keeps the coupon out",
        TEN,
        setup=automatic(kind="fixed_amount", amount=1, stacking="exclusive", priority=9),
        error="DISCOUNT_NOT_COMBINABLE",
    ),
    Case(
        "an exclusive coupon first applies alone",
        {**TEN, "stacking": "exclusive", "priority": 9},
        setup=automatic(kind="fixed_amount", amount=1),
        discount="1",
    ),
    Case(
        "automatic promotions alone",
        None,
        code=None,
        setup=then(
            automatic(kind="fixed_amount", amount=2, stacking="exclusive", priority=5),
            automatic(**TEN, priority=1),
        ),
        discount="2",
    ),
]


async def open_shop(client: httpx.AsyncClient, tenant: TenantFixture, till: Till) -> Shop:
    ids = {"here": till.location_id}
    for sku, price, extra in (
        ("A", 10, {}),
        ("B", 4, {}),
        ("S", 25, {"category": "Apparel > Shoes"}),
    ):
        await till.product(name=sku, price=price, sku=sku + till.location_id[-8:], **extra)
    for product in till.products.values():
        key = product["name"]
        ids[f"{key}.product"] = product["productId"]
        ids[key] = product["sku"]
        # A simple product's one variant, as an order line names it.
        priced = await Promos(till).calculate(till.line(product["sku"]))
        ids[f"{key}.variant"] = priced["lineItems"][0]["variantId"]
    categories = await till.get("/v1/catalog/categories")
    ids["Apparel"] = next(c["categoryId"] for c in categories["items"] if c["name"] == "Apparel")
    for placeholder in (CUSTOMER, NEWCOMER):
        created = await till.post("/v1/customers", {"firstName": placeholder})
        ids[placeholder] = created["customerId"]
    other = await client.post("/v1/locations", json={"name": "Other"}, headers=tenant.headers)
    ids[OTHER_LOCATION] = other.json()["locationId"]
    return Shop(till, Promos(till), ids)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_rule(
    case: Case, client: httpx.AsyncClient, tenant: TenantFixture, till: Till
) -> None:
    shop = await open_shop(client, tenant, till)
    if case.promotion is not None:
        fields = {k: shop.resolve(v) for k, v in case.promotion.items()}
        if case.code is not None:
            await shop.promos.coupon(case.code, **fields)
        else:
            await shop.promos.create(**fields)
    if case.setup is not None:
        await case.setup(shop)
    body: Json = {
        "lineItems": [till.line(shop.ids[sku], qty) for sku, qty in case.lines],
        **{k: shop.resolve(v) for k, v in case.order.items()},
    }
    entered = case.entered or case.code
    if entered is not None:
        body["couponCodes"] = [entered]
    if case.at is not None:
        body["occurredAt"] = local_instant(*case.at)
    if case.error is not None:
        status = 404 if case.error == "COUPON_NOT_FOUND" else 400
        error = await till.error(
            "POST",
            "/v1/orders/calculate",
            {"locationId": till.location_id, **body},
            status,
            case.error,
        )
        assert error["details"][0]["field"] in ("couponCodes[0]", "couponCodes"), error
        return
    priced = await shop.promos.calculate(**body)
    promoted = [
        [d for d in line["discounts"] if d["promotion"] is not None] for line in priced["lineItems"]
    ]
    given = [sum((Decimal(str(d["amount"])) for d in ds), Decimal(0)) for ds in promoted]
    total = sum((Decimal(str(p["amount"])) for p in priced["promotions"]), Decimal(0))
    assert total == sum(given, Decimal(0))
    if case.line_discounts is not None:
        assert given == [Decimal(x) for x in case.line_discounts]
    if case.discount is not None:
        assert total == Decimal(case.discount)
    gross = sum(Decimal(str(line["subtotal"])) for line in priced["lineItems"])
    assert Decimal(str(priced["totals"]["grandTotal"])) == gross - total
