"""A customer's orders: attached and detached on open orders, listed newest first, and moved
to the survivor of a merge, whose merged-away id keeps answering."""

from tests.customers.conftest import person, unique_email
from tests.support.api import Api
from tests.support.sales import Till
from tests.support.tenants import TenantFixture


async def test_an_order_names_a_customer_of_the_tenant(till: Till, api: Api, make_tenant) -> None:
    sku = await till.product("Mug", 12)
    customer = (await api.post("/v1/customers", person()))["customerId"]
    order = await till.order(till.line(sku), customerId=customer)
    assert order["customerId"] == customer

    stranger: TenantFixture = await make_tenant(name="Other")
    theirs = await Api(api.client, stranger.headers).post("/v1/customers", person())
    for bad in (theirs["customerId"], "cust_bd_3320", "whatever"):
        error = await till.error(
            "POST",
            "/v1/orders",
            {"locationId": till.location_id, "lineItems": [till.line(sku)], "customerId": bad},
            400,
            "CUSTOMER_NOT_FOUND",
        )
        assert error["details"][0]["field"] == "customerId"
        await till.error(
            "PATCH",
            f"/v1/orders/{order['orderId']}",
            {"customerId": bad},
            400,
            "CUSTOMER_NOT_FOUND",
        )

    detached = await till.call("PATCH", f"/v1/orders/{order['orderId']}", {"customerId": None})
    assert detached["customerId"] is None
    # Leaving the field out changes nothing.
    other = (await api.post("/v1/customers", person()))["customerId"]
    attached = await till.call("PATCH", f"/v1/orders/{order['orderId']}", {"customerId": other})
    assert attached["customerId"] == other
    kept = await till.call("PATCH", f"/v1/orders/{order['orderId']}", {"notes": "gift"})
    assert kept["customerId"] == other

    archived = (await api.post("/v1/customers", person()))["customerId"]
    await api.call("DELETE", f"/v1/customers/{archived}")
    await till.error(
        "PATCH", f"/v1/orders/{order['orderId']}", {"customerId": archived}, 409, "INVALID_STATUS"
    )


async def test_customer_orders_newest_first_and_the_order_filter(till: Till, api: Api) -> None:
    sku = await till.product("Pen", 2)
    customer = (await api.post("/v1/customers", person()))["customerId"]
    first = await till.sell(till.line(sku), customerId=customer)
    second = await till.order(till.line(sku, 2), customerId=customer)
    await till.order(till.line(sku))  # someone else's
    listed = await api.get(f"/v1/customers/{customer}/orders")
    assert [o["orderId"] for o in listed["items"]] == [second["orderId"], first["orderId"]]
    assert listed["total"] == 2
    paged = await api.get(f"/v1/customers/{customer}/orders", pageSize=1, page=2)
    assert [o["orderId"] for o in paged["items"]] == [first["orderId"]]
    filtered = await api.get("/v1/orders", customerId=customer)
    assert [o["orderId"] for o in filtered["items"]] == [first["orderId"], second["orderId"]]
    await api.error(
        "GET", "/v1/customers/cust_01JD0000000000000000000000/orders", None, 404, "NOT_FOUND"
    )


async def test_merge_moves_orders_and_the_merged_id_resolves(till: Till, api: Api) -> None:
    sku = await till.product("Cap", 15)
    email = unique_email("keep")
    survivor = await api.post(
        "/v1/customers",
        person(
            email=email,
            firstName="Ann",
            lastName="",
            tags=["vip"],
            notes="likes hats",
            addresses=[{"line1": "1 A St", "country": "US"}],
        ),
    )
    merged = await api.post(
        "/v1/customers",
        {
            "lastName": "Lee",
            "email": unique_email("old"),
            "phone": "+12125550177",
            "birthday": "1985-05-05",
            "tags": ["wholesale", "vip"],
            "notes": "second profile",
            "addresses": [
                {"line1": "2 B St", "country": "US"},
                {"line1": "1 A St", "country": "US"},
            ],
        },
    )
    sid, mid = survivor["customerId"], merged["customerId"]
    their_orders = [
        (await till.sell(till.line(sku), customerId=mid))["orderId"],
        (await till.order(till.line(sku), customerId=mid))["orderId"],
    ]
    totals_before = [
        (await till.get(f"/v1/orders/{o}"))["totals"]["grandTotal"] for o in their_orders
    ]
    own = (await till.sell(till.line(sku), customerId=sid))["orderId"]

    await api.error(
        "POST",
        f"/v1/customers/{sid}/merge",
        {"mergeCustomerId": sid},
        400,
        "VALIDATION_ERROR",
        "mergeCustomerId",
    )
    await api.error(
        "POST",
        f"/v1/customers/{sid}/merge",
        {"mergeCustomerId": "cust_01JD0000000000000000000000"},
        400,
        "VALIDATION_ERROR",
        "mergeCustomerId",
    )
    result = await api.call("POST", f"/v1/customers/{sid}/merge", {"mergeCustomerId": mid})
    assert (result["customerId"], result["mergedInto"]) == (sid, None)
    assert (result["firstName"], result["lastName"]) == ("Ann", "Lee")
    assert result["email"] == email
    assert result["phone"] == "+12125550177"
    assert result["birthday"] == "1985-05-05"
    assert result["tags"] == ["vip", "wholesale"]
    assert result["notes"].startswith("likes hats\nsecond profile\nAlso reached by email")
    assert [a["line1"] for a in result["addresses"]] == ["1 A St", "2 B St"]

    # The merged-away id answers with the survivor, naming it.
    via_old = await api.get(f"/v1/customers/{mid}")
    assert (via_old["customerId"], via_old["mergedInto"]) == (sid, sid)
    # Every order moved, amounts untouched; both ids list them.
    for customer_id in (sid, mid):
        listed = await api.get(f"/v1/customers/{customer_id}/orders")
        assert sorted(o["orderId"] for o in listed["items"]) == sorted([*their_orders, own])
    for order_id, total in zip(their_orders, totals_before, strict=True):
        moved = await till.get(f"/v1/orders/{order_id}")
        assert (moved["customerId"], moved["totals"]["grandTotal"]) == (sid, total)
    filtered = await api.get("/v1/orders", customerId=mid, pageSize=200)
    assert sorted(o["orderId"] for o in filtered["items"]) == sorted([*their_orders, own])
    # A new order naming the merged-away id is the survivor's.
    new = await till.order(till.line(sku), customerId=mid)
    assert new["customerId"] == sid
    # The merged-away customer is out of lists and refuses writes.
    live = await api.get("/v1/customers", includeArchived="true", pageSize=200)
    assert [c["customerId"] for c in live["items"]] == [sid]
    error = await api.error("PATCH", f"/v1/customers/{mid}", {"notes": "x"}, 409, "INVALID_STATUS")
    assert error["details"][0]["mergedInto"] == sid
    # Its email and phone now find the survivor.
    found = await api.get("/v1/customers", phone="+12125550177")
    assert [c["customerId"] for c in found["items"]] == [sid]

    # A chain: the survivor merged into a third customer takes the first id along.
    third = (await api.post("/v1/customers", person()))["customerId"]
    await api.call("POST", f"/v1/customers/{third}/merge", {"mergeCustomerId": sid})
    assert (await api.get(f"/v1/customers/{mid}"))["customerId"] == third
    feed = await api.get("/v1/events", types="customer.merged")
    merges = [e["data"] for e in feed["items"] if e["data"]["customerId"] in (sid, third)]
    assert [(m["mergedCustomerId"], m["moved"]["orders"]) for m in merges] == [(mid, 2), (sid, 4)]
