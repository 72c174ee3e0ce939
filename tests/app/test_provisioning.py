"""A new tenant starts with its owner, its built-in roles and its default tax classes, and its
feed tells it in that order (``tillpoint.provisioning``, ADR 0008)."""

from tests.support.tenants import TenantFixture


async def test_a_new_tenant_starts_with_its_owner_roles_and_tax_classes(
    client, tenant: TenantFixture
) -> None:
    roles = (await client.get("/v1/roles", headers=tenant.headers)).json()["items"]
    assert {"owner", "manager", "cashier", "integration"} <= {r["name"] for r in roles}
    classes = (await client.get("/v1/tax-classes", headers=tenant.headers)).json()["items"]
    assert sorted(c["code"] for c in classes) == ["exempt", "standard"]

    feed = (await client.get("/v1/events", headers=tenant.headers)).json()["items"]
    assert [(e["type"], e["data"].get("code")) for e in feed] == [
        ("tenant.created", None),
        ("user.created", None),
        ("tax_class.created", "standard"),
        ("tax_class.created", "exempt"),
    ]
    assert [e["seq"] for e in feed] == [1, 2, 3, 4]
