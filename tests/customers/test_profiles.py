"""Customer profiles over HTTP: create, read, change, archive; phones in E.164; duplicates;
the history of marketing consent."""

from typing import Any

from tests.customers.conftest import person, unique_email
from tests.support.api import Api
from tests.support.tenants import add_location


async def test_create_read_update_and_archive(api: Api) -> None:
    body = person(
        phone="+1 (212) 555-0142",
        addresses=[{"line1": "1 Main St", "city": "New York", "region": "NY", "country": "US"}],
        birthday="1990-04-01",
        notes="prefers email",
        tags=["vip", "wholesale", "vip"],
    )
    created = await api.post("/v1/customers", body)
    customer_id = created["customerId"]
    assert customer_id.startswith("cust_")
    assert len(customer_id) == 31
    assert created["phone"] == "+12125550142"
    assert created["tags"] == ["vip", "wholesale"]
    assert created["birthday"] == "1990-04-01"
    assert created["addresses"][0]["postalCode"] == ""
    assert (created["archived"], created["erased"], created["mergedInto"]) == (False, False, None)
    assert created["marketingOptIn"] is False
    assert created["marketingConsent"] is None
    assert created["version"] == 1
    assert await api.get(f"/v1/customers/{customer_id}") == created

    changed = await api.patch(
        f"/v1/customers/{customer_id}",
        {"lastName": "Lee-Park", "phone": None, "tags": ["vip"], "version": 1},
    )
    assert (changed["lastName"], changed["phone"], changed["tags"]) == ("Lee-Park", None, ["vip"])
    assert (changed["version"], changed["firstName"]) == (2, "Ann")
    # Nothing new: same version.
    same = await api.patch(f"/v1/customers/{customer_id}", {"lastName": "Lee-Park"})
    assert same["version"] == 2
    await api.error(
        "PATCH",
        f"/v1/customers/{customer_id}",
        {"notes": "x", "version": 1},
        409,
        "VERSION_CONFLICT",
    )

    archived = await api.call("DELETE", f"/v1/customers/{customer_id}")
    assert archived["archived"] is True
    listed = await api.get("/v1/customers", email=body["email"])
    assert listed["items"] == []
    listed = await api.get("/v1/customers", email=body["email"], includeArchived="true")
    assert [c["customerId"] for c in listed["items"]] == [customer_id]
    restored = await api.patch(f"/v1/customers/{customer_id}", {"archived": False})
    assert restored["archived"] is False


async def test_events_are_recorded(api: Api) -> None:
    created = await api.post("/v1/customers", person())
    customer_id = created["customerId"]
    await api.patch(f"/v1/customers/{customer_id}", {"notes": "hello"})
    await api.call("DELETE", f"/v1/customers/{customer_id}")
    feed = await api.get("/v1/events", types="customer.*")
    mine = [e for e in feed["items"] if e["data"]["customerId"] == customer_id]
    assert [e["type"] for e in mine] == [
        "customer.created",
        "customer.updated",
        "customer.archived",
    ]
    assert mine[1]["data"]["notes"] == "hello"


async def test_phone_without_country_code_uses_the_first_locations_country(api: Api) -> None:
    # No location has a country yet: a national number cannot be read.
    error = await api.error(
        "POST", "/v1/customers", person(phone="020 7946 0018"), 400, "VALIDATION_ERROR", "phone"
    )
    assert "country code" in error["details"][0]["message"]
    await add_location(api.client, _owner(api), address={"country": "GB"})
    created = await api.post("/v1/customers", person(phone="020 7946 0018"))
    assert created["phone"] == "+442079460018"
    # A number with its country code is read as written.
    created = await api.post("/v1/customers", person(phone="+1 212-555-0199"))
    assert created["phone"] == "+12125550199"


def _owner(api: Api) -> Any:
    class Owner:
        headers = api.headers

    return Owner()


async def test_invalid_phone_and_bad_input_are_400(api: Api) -> None:
    for phone in ("+1 555", "not a phone", "+999 1234567"):
        await api.error(
            "POST", "/v1/customers", person(phone=phone), 400, "VALIDATION_ERROR", "phone"
        )
    await api.error("POST", "/v1/customers", {}, 400, "VALIDATION_ERROR", "body")
    await api.error("POST", "/v1/customers", person(email="nope"), 400, "VALIDATION_ERROR", "email")
    await api.error(
        "POST", "/v1/customers", person(birthday="01/04/1990"), 400, "VALIDATION_ERROR", "birthday"
    )
    await api.error("POST", "/v1/customers", person(tags=[" "]), 400, "VALIDATION_ERROR", "tags[0]")
    await api.error("POST", "/v1/customers", person(extra=1), 400, "VALIDATION_ERROR", "extra")
    await api.error(
        "POST", "/v1/customers", person(firstName="x" * 101), 400, "VALIDATION_ERROR", "firstName"
    )
    await api.error("GET", "/v1/customers/cust_nope", None, 404, "NOT_FOUND")
    for query, field in (({"phone": "12"}, "phone"), ({"pageSize": 0}, "pageSize")):
        error = await api.call("GET", "/v1/customers", status=400, **query)
        assert [d["field"] for d in error["error"]["details"]] == [field]


async def test_duplicates_by_email_or_phone_name_the_match(api: Api) -> None:
    email = unique_email("dup")
    first = await api.post("/v1/customers", person(email=email, phone="+12125550100"))
    error = await api.error(
        "POST", "/v1/customers", person(email=email.upper()), 409, "CUSTOMER_ALREADY_EXISTS"
    )
    assert error["details"] == [
        {
            "field": "email",
            "message": f"customer {first['customerId']} has this email",
            "customerId": first["customerId"],
        }
    ]
    # Written another way, the same number: 409 once it is normalised.
    error = await api.error(
        "POST", "/v1/customers", person(phone="+1 (212) 555-0100"), 409, "CUSTOMER_ALREADY_EXISTS"
    )
    assert [(d["field"], d["customerId"]) for d in error["details"]] == [
        ("phone", first["customerId"])
    ]
    other = await api.post("/v1/customers", person())
    error = await api.error(
        "PATCH",
        f"/v1/customers/{other['customerId']}",
        {"email": email},
        409,
        "CUSTOMER_ALREADY_EXISTS",
    )
    assert error["details"][0]["customerId"] == first["customerId"]


async def test_marketing_consent_keeps_its_history(api: Api) -> None:
    location = await add_location(api.client, _owner(api))
    await api.error(
        "POST",
        "/v1/customers",
        person(marketingOptIn=True),
        400,
        "VALIDATION_ERROR",
        "marketingConsent",
    )
    consent = {"locationId": location["locationId"], "method": "written", "note": "form 12"}
    created = await api.post("/v1/customers", person(marketingOptIn=True, marketingConsent=consent))
    customer_id = created["customerId"]
    given = created["marketingConsent"]
    assert created["marketingOptIn"] is True
    assert (given["optedIn"], given["locationId"], given["method"]) == (
        True,
        location["locationId"],
        "written",
    )
    assert given["recordedBy"].startswith("user:")
    await api.error(
        "PATCH",
        f"/v1/customers/{customer_id}",
        {"marketingOptIn": False},
        400,
        "VALIDATION_ERROR",
        "marketingConsent",
    )
    await api.error(
        "PATCH",
        f"/v1/customers/{customer_id}",
        {"marketingOptIn": False, "marketingConsent": {"method": "reply"}},
        400,
        "VALIDATION_ERROR",
        "marketingConsent",
    )
    await api.error(
        "PATCH",
        f"/v1/customers/{customer_id}",
        {"marketingOptIn": False, "marketingConsent": {"method": "reply", "locationId": "loc_x"}},
        400,
        "VALIDATION_ERROR",
        "marketingConsent.locationId",
    )
    withdrawn = await api.patch(
        f"/v1/customers/{customer_id}",
        {
            "marketingOptIn": False,
            "marketingConsent": {
                "channel": "email",
                "method": "unsubscribe_link",
                "at": "2026-01-02T03:04:05Z",
            },
        },
    )
    assert withdrawn["marketingOptIn"] is False
    assert withdrawn["marketingConsent"]["at"] == "2026-01-02T03:04:05.000Z"
    exported = await api.get(f"/v1/customers/{customer_id}/export")
    history = [(c["optedIn"], c["channel"], c["method"]) for c in exported["consentHistory"]]
    assert sorted(history, key=str) == sorted(
        [(True, None, "written"), (False, "email", "unsubscribe_link")], key=str
    )
