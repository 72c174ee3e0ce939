"""Pricing over HTTP to the cent: taxes, discounts, charges, weights, modifiers, approvals."""

from dataclasses import replace
from typing import Any

import httpx
import pytest

from tests.support.sales import Till, add_employee, make_shop
from tests.support.tenants import TenantFixture, add_user, bearer

Json = dict[str, Any]
PERCENT_15 = {"type": "percentage", "value": 15}


def totals(order: Json) -> tuple[float, ...]:
    """(subtotal, discountTotal, taxTotal, tipTotal, serviceChargeTotal, grandTotal), checking
    the identity grandTotal = subtotal − discountTotal + taxTotal + tipTotal + serviceCharges."""
    t = order["totals"]
    parts = ("subtotal", "discountTotal", "taxTotal", "tipTotal", "serviceChargeTotal")
    sub, disc, tax, tip, charge = (t[name] for name in parts)
    assert round(sub - disc + tax + tip + charge, 2) == t["grandTotal"], t
    return sub, disc, tax, tip, charge, t["grandTotal"]


def per_line(order: Json, *fields: str) -> list[tuple[Any, ...]]:
    return [tuple(line[f] for f in fields) for line in order["lineItems"]]


@pytest.fixture
async def till(client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(client, tenant)  # tax-additive, 9 %


async def test_tax_inclusive_price_carries_its_tax(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant, tax_inclusive=True)
    order = await till.order(till.line(await till.product("Wine", 10.90)))
    assert totals(order) == (10.0, 0, 0.9, 0, 0, 10.9)
    assert order["totals"]["taxIncluded"] is True
    assert per_line(order, "unitPrice", "tax", "total") == [(10.9, 0.9, 10.9)]


async def test_tax_inclusive_order_discount_spreads_over_three_lines(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant, tax_inclusive=True)
    sku = await till.product("Wine", 10.90)
    lines = [till.line(sku)] * 3
    order = await till.order(*lines, discounts=[{"type": "fixed", "value": 5}])
    assert per_line(order, "discount", "tax", "total") == [
        (1.67, 0.76, 9.23),
        (1.67, 0.76, 9.23),
        (1.66, 0.76, 9.24),
    ]
    assert totals(order) == (30.0, 4.58, 2.28, 0, 0, 27.7)


async def test_fixed_order_discount_splits_by_largest_remainder(till: Till) -> None:
    sku = await till.product("Plate", 10)
    order = await till.order(*[till.line(sku)] * 3, discounts=[{"type": "fixed", "value": 5}])
    assert per_line(order, "discount", "tax", "total") == [
        (1.67, 0.75, 9.08),
        (1.67, 0.75, 9.08),
        (1.66, 0.75, 9.09),
    ]
    assert order["discounts"][0]["amount"] == 5
    assert totals(order) == (30.0, 5.0, 2.25, 0, 0, 27.25)


async def test_percentage_order_discount_is_allocated_and_taxed_per_line(till: Till) -> None:
    skus = [await till.product(f"Item {p}", p) for p in (10, 5, 3.33)]
    order = await till.order(*(till.line(s) for s in skus), discounts=[PERCENT_15])
    assert per_line(order, "discount", "tax") == [(1.5, 0.77), (0.75, 0.38), (0.5, 0.25)]
    assert order["discounts"][0]["amount"] == 2.75
    assert totals(order) == (18.33, 2.75, 1.4, 0, 0, 16.98)
    calculated = await till.post(
        "/v1/orders/calculate",
        {"locationId": till.location_id, "lineItems": [till.line(s) for s in skus]}
        | {"discounts": [PERCENT_15]},
        status=200,
    )
    assert calculated["totals"] == order["totals"]


async def test_two_rates_are_rounded_per_line_and_shown_per_rate(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant, rate=None)
    for name, rate in (("State", 4), ("City", 4.875)):
        await till.post(
            f"/v1/locations/{till.location_id}/tax-rates",
            {"taxClass": "standard", "name": name, "rate": rate},
        )
    sku = await till.product("Lamp", 10)
    order = await till.order(*[till.line(sku)] * 3)
    for line in order["lineItems"]:
        assert [(t["name"], t["amount"]) for t in line["taxes"]] == [("State", 0.4), ("City", 0.49)]
    # Per line 0.4875 → 0.49, three times; rounding the order's 1.4625 once would give 1.46.
    assert [(t["name"], t["rate"], t["amount"]) for t in order["taxes"]] == [
        ("State", 4, 1.2),
        ("City", 4.875, 1.47),
    ]
    assert totals(order) == (30.0, 0, 2.67, 0, 0, 32.67)


async def test_taxable_service_charge_and_tip(till: Till) -> None:
    sku = await till.product("Dinner", 10)
    charge = {"name": "Service", "type": "percentage", "value": 18, "taxable": True}
    order = await till.order(*[till.line(sku)] * 2, serviceCharges=[charge], tip=2)
    [applied] = order["serviceCharges"]
    assert (applied["amount"], applied["tax"]) == (3.6, 0.32)
    assert totals(order) == (20.0, 0, 2.12, 2.0, 3.6, 27.72)


async def test_sold_by_weight_takes_fractions_and_unit_products_refuse_them(till: Till) -> None:
    cheese = await till.product("Cheddar per kg", 12.99, soldBy="weight")
    order = await till.order(till.line(cheese, 0.455))
    assert per_line(order, "quantity", "subtotal", "tax", "total") == [(0.455, 5.91, 0.53, 6.44)]
    assert totals(order) == (5.91, 0, 0.53, 0, 0, 6.44)
    mug = await till.product("Mug", 8)
    body = {"locationId": till.location_id, "lineItems": [till.line(mug, 1.5)]}
    error = await till.error("POST", "/v1/orders", body, 400, "VALIDATION_ERROR")
    assert [d["field"] for d in error["details"]] == ["lineItems[0].quantity"]


async def test_modifier_prices_join_the_line_and_required_choices_are_enforced(
    till: Till,
) -> None:
    group = await till.post(
        "/v1/catalog/modifier-groups",
        {
            "name": "Milk",
            "minSelections": 1,
            "maxSelections": 1,
            "options": [{"name": "Oat", "priceDelta": 0.6}, {"name": "Whole", "priceDelta": 0}],
        },
    )
    oat = group["options"][0]["optionId"]
    latte = await till.product("Latte", 4.5, modifierGroupIds=[group["modifierGroupId"]])
    order = await till.order(till.line(latte, 2, modifiers=[oat]))
    [line] = order["lineItems"]
    assert [(m["optionId"], m["name"], m["price"]) for m in line["modifiers"]] == [
        (oat, "Oat", 0.6)
    ]
    assert (line["unitPrice"], line["subtotal"], line["tax"], line["total"]) == (
        4.5,
        10.2,
        0.92,
        11.12,
    )
    body = {"locationId": till.location_id, "lineItems": [till.line(latte)]}
    error = await till.error("POST", "/v1/orders", body, 400, "VALIDATION_ERROR")
    assert error["details"][0]["field"] == "lineItems[0].modifiers"


async def test_cash_settles_at_the_rounding_increment(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant, rate=None)
    await till.call("PATCH", "/v1/tenant", {"cashRoundingIncrement": 5})
    odd = till.line(await till.product("Odd", 16.37))
    body = {"locationId": till.location_id, "lineItems": [odd]}
    priced = await till.call("POST", "/v1/orders/calculate", body)
    assert (priced["totals"]["grandTotal"], priced["cashDue"]) == (16.37, 16.35)
    order = await till.order(odd)
    assert order["totals"]["balanceDue"] == 16.37
    paid = await till.pay(order, 16.35, tender="cash", amountTendered=20)
    assert (paid["payment"]["amount"], paid["payment"]["changeDue"]) == (16.35, 3.65)
    done = paid["order"]
    assert done["status"] == "completed"
    assert (done["totals"]["cashRounding"], done["totals"]["balanceDue"]) == (-0.02, 0)
    assert (done["totals"]["grandTotal"], done["totals"]["paid"]) == (16.37, 16.35)


@pytest.fixture
async def cashier(client: httpx.AsyncClient, tenant: TenantFixture, till: Till) -> Till:
    _, token = await add_user(client, tenant, "cashier", location_ids=[till.location_id])
    return replace(till, headers=bearer(token))


async def test_cashier_price_override_needs_a_managers_pin(till: Till, cashier: Till) -> None:
    sku = await till.product("Vase", 10)
    manager = await add_employee(till, "manager", "2468")
    clerk = await add_employee(till, "cashier", "1357")
    override = till.line(sku, unitPrice=8)
    body = {"locationId": till.location_id, "lineItems": [override]}
    refusals = [
        None,
        {"employeeId": manager, "pin": "9999"},  # wrong PIN
        {"employeeId": clerk, "pin": "1357"},  # right PIN, role may not approve
    ]
    for approval in refusals:
        await cashier.error(
            "POST", "/v1/orders", body | {"approval": approval}, 403, "DISCOUNT_APPROVAL_REQUIRED"
        )
    assert (await till.get("/v1/orders", locationId=till.location_id))["total"] == 0
    approved = await cashier.order(override, approval={"employeeId": manager, "pin": "2468"})
    assert per_line(approved, "unitPrice", "priceOverridden", "tax", "total") == [
        (8.0, True, 0.72, 8.72)
    ]


async def test_cashier_discount_above_the_threshold_needs_approval(
    till: Till, cashier: Till
) -> None:
    sku = await till.product("Chair", 10)
    above = [{"type": "percentage", "value": 25}]
    body = {"locationId": till.location_id, "lineItems": [till.line(sku, discounts=above)]}
    await cashier.error("POST", "/v1/orders", body, 403, "DISCOUNT_APPROVAL_REQUIRED")
    order_level = {"locationId": till.location_id, "lineItems": [till.line(sku)]}
    order_level |= {"discounts": [{"type": "fixed", "value": 3}]}
    await cashier.error("POST", "/v1/orders", order_level, 403, "DISCOUNT_APPROVAL_REQUIRED")
    for percent, total in ((15, 9.27), (20, 8.72)):  # at the default 20 % is still allowed
        rule = [{"type": "percentage", "value": percent}]
        order = await cashier.order(till.line(sku, discounts=rule))
        assert order["totals"]["grandTotal"] == total
    await till.call("PATCH", "/v1/tenant", {"discountApprovalPercent": 30})
    assert (await cashier.order(till.line(sku, discounts=above)))["totals"]["grandTotal"] == 8.18


async def test_owner_overrides_and_discounts_without_approval(till: Till) -> None:
    sku = await till.product("Table", 10)
    half = [{"type": "percentage", "value": 50}]
    order = await till.order(till.line(sku, unitPrice=12, discounts=half), discounts=[PERCENT_15])
    assert per_line(order, "unitPrice", "priceOverridden", "discount", "tax") == [
        (12.0, True, 6.9, 0.46)
    ]
    assert totals(order) == (12.0, 6.9, 0.46, 0, 0, 5.56)


async def test_calculate_says_what_needs_approval_and_checks_the_pin_given(
    till: Till, cashier: Till
) -> None:
    sku = await till.product("Lamp", 10)
    manager = await add_employee(till, "manager", "2468")
    clerk = await add_employee(till, "cashier", "1357")
    above = [{"type": "percentage", "value": 25, "reason": "scratched"}]
    body = {"locationId": till.location_id, "lineItems": [till.line(sku, discounts=above)]}
    body |= {"discounts": [{"type": "fixed", "value": 5}]}

    priced = await cashier.call("POST", "/v1/orders/calculate", body)
    assert priced["approvalNeeded"] == [
        f"discount on {sku} above 20 %",
        "order discount above 20 %",
    ]
    for refused in ({"employeeId": manager, "pin": "9999"}, {"employeeId": clerk, "pin": "1357"}):
        await cashier.error(
            "POST",
            "/v1/orders/calculate",
            body | {"approval": refused},
            403,
            "DISCOUNT_APPROVAL_REQUIRED",
        )
    approved = body | {"approval": {"employeeId": manager, "pin": "2468"}}
    assert (await cashier.call("POST", "/v1/orders/calculate", approved))["approvalNeeded"] == []
    # The owner may approve by acting; a small discount needs no one.
    assert (await till.call("POST", "/v1/orders/calculate", body))["approvalNeeded"] == []
    small = {"locationId": till.location_id, "lineItems": [till.line(sku)]}
    assert (await cashier.call("POST", "/v1/orders/calculate", small))["approvalNeeded"] == []
    assert (await till.get("/v1/orders", locationId=till.location_id))["total"] == 0
