"""Bad input gets a 4xx in the error envelope and changes nothing; never a 500 or a trace."""

import pytest

from tests.support.tenants import TenantFixture, add_location


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) == {"code", "message", "details", "requestId"}
    assert "Traceback" not in response.text
    return error


async def locations(client, tenant: TenantFixture) -> int:
    return int((await client.get("/v1/locations", headers=tenant.headers)).json()["total"])


async def test_malformed_json(client, tenant: TenantFixture) -> None:
    response = await client.post(
        "/v1/locations",
        headers={**tenant.headers, "Content-Type": "application/json"},
        content=b'{"name": "x",',
    )
    assert_envelope(response, 400, "MALFORMED_JSON")
    assert await locations(client, tenant) == 0


async def test_wrong_types_name_every_field(client, tenant: TenantFixture) -> None:
    response = await client.post(
        "/v1/locations",
        headers=tenant.headers,
        json={"name": 42, "taxInclusive": "sometimes", "address": []},
    )
    error = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert {d["field"] for d in error["details"]} == {"name", "taxInclusive", "address"}


async def test_unknown_fields_are_rejected(client, tenant: TenantFixture) -> None:
    response = await client.post(
        "/v1/locations", headers=tenant.headers, json={"name": "A", "colour": "red"}
    )
    error = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert error["details"][0]["field"] == "colour"
    assert await locations(client, tenant) == 0


async def test_a_ten_megabyte_body_is_refused(client, tenant: TenantFixture) -> None:
    huge = b'{"name": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = await client.post(
        "/v1/locations",
        headers={**tenant.headers, "Content-Type": "application/json"},
        content=huge,
    )
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")
    assert await locations(client, tenant) == 0


async def test_a_body_larger_than_it_claims_is_refused(client, tenant: TenantFixture) -> None:
    async def chunks():
        for _ in range(20):
            yield b"x" * 100_000

    response = await client.post(
        "/v1/locations",
        headers={**tenant.headers, "Content-Type": "application/json"},
        content=chunks(),
    )
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")


async def test_huge_strings_are_validation_errors(client, tenant: TenantFixture) -> None:
    response = await client.post(
        "/v1/locations", headers=tenant.headers, json={"name": "x" * 100_000}
    )
    error = assert_envelope(response, 400, "VALIDATION_ERROR")
    assert error["details"][0]["field"] == "name"


@pytest.mark.parametrize(
    "bad_id",
    [
        "nope",
        "loc_",
        "usr_01JD0000000000000000000000",
        "loc_01JD00000000000000000000000000000",
        "loc_%F0%9F%92%A9%F0%9F%92%A9",
        "' OR 1=1 --",
        "x" * 5000,
    ],
)
async def test_bad_ids_are_not_found(client, tenant: TenantFixture, bad_id: str) -> None:
    assert_envelope(
        await client.get(f"/v1/locations/{bad_id}", headers=tenant.headers), 404, "NOT_FOUND"
    )
    patched = await client.patch(f"/v1/locations/{bad_id}", headers=tenant.headers, json={})
    assert_envelope(patched, 404, "NOT_FOUND")


async def test_nul_characters_are_refused_not_stored(client, tenant: TenantFixture) -> None:
    body = await client.post("/v1/locations", headers=tenant.headers, json={"name": "a\x00b"})
    assert_envelope(body, 400, "VALIDATION_ERROR")
    url = await client.get("/v1/events?types=a%00b", headers=tenant.headers)
    assert_envelope(url, 400, "VALIDATION_ERROR")
    location = await add_location(client, tenant)
    path = await client.get(
        f"/v1/locations/{location['locationId'][:-1]}%00", headers=tenant.headers
    )
    assert_envelope(path, 400, "VALIDATION_ERROR")


async def test_nul_characters_deep_inside_nested_models_are_refused(
    client, tenant: TenantFixture
) -> None:
    """The outermost model walks the whole body once; what its nested models hold is covered."""
    variant = {"sku": "NUL-1-B", "optionValues": [{"name": "Color", "value": "Bl\x00ue"}]}
    product = {"name": "Tee", "sku": "NUL-1", "price": "5.00", "variants": [variant]}
    for path, body in [
        ("/v1/catalog/products", product),
        ("/v1/catalog/products/batch", {"items": [{**product, "sku": "NUL-2"}]}),
    ]:
        response = await client.post(path, headers=tenant.headers, json=body)
        assert_envelope(response, 400, "VALIDATION_ERROR")
    listed = await client.get("/v1/catalog/products", headers=tenant.headers)
    assert listed.json()["total"] == 0


async def test_out_of_range_numbers(client, tenant: TenantFixture) -> None:
    location = await add_location(client, tenant)
    response = await client.patch(
        f"/v1/locations/{location['locationId']}", headers=tenant.headers, json={"version": 10**30}
    )
    assert_envelope(response, 400, "VALIDATION_ERROR")
    feed = await client.get("/v1/events?after=-1", headers=tenant.headers)
    assert_envelope(feed, 400, "VALIDATION_ERROR")
    page = await client.get("/v1/locations?page=abc", headers=tenant.headers)
    assert_envelope(page, 400, "VALIDATION_ERROR")


async def test_unknown_route_and_method(client, tenant: TenantFixture) -> None:
    assert_envelope(
        await client.get("/v1/nothing-here", headers=tenant.headers), 404, "ROUTE_NOT_FOUND"
    )
    assert_envelope(
        await client.put("/v1/locations", headers=tenant.headers), 405, "METHOD_NOT_ALLOWED"
    )


async def test_json_of_the_wrong_shape(client, tenant: TenantFixture) -> None:
    wrong_shapes: list[object] = [[], "a string", 12, None]
    for payload in wrong_shapes:
        response = await client.post("/v1/locations", headers=tenant.headers, json=payload)
        assert_envelope(response, 400, "VALIDATION_ERROR")
    assert await locations(client, tenant) == 0


async def test_request_id_is_echoed_or_made(client, tenant: TenantFixture) -> None:
    mine = await client.get("/v1/nothing", headers={**tenant.headers, "X-Request-Id": "abc-123"})
    assert mine.headers["X-Request-Id"] == "abc-123"
    assert mine.json()["error"]["requestId"] == "abc-123"
    made = await client.get("/v1/nothing", headers={"X-Request-Id": "bad id with spaces\n"})
    assert made.headers["X-Request-Id"] == made.json()["error"]["requestId"]
    assert len(made.headers["X-Request-Id"]) == 32


@pytest.mark.parametrize("depth", [40, 450, 5000])
async def test_deeply_nested_bodies_are_refused(client, depth: int) -> None:
    body = '{"username": "a", "password": "b", "extra": ' + "[" * depth + "]" * depth + "}"
    response = await client.post(
        "/v1/sessions", headers={"Content-Type": "application/json"}, content=body
    )
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"]["code"] in {"VALIDATION_ERROR", "MALFORMED_JSON"}
