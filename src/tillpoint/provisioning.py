"""A new tenant with everything it starts with: the one way a tenant is made.

Identity makes the tenant, its built-in roles and its owner; stores gives it the ``standard``
and ``exempt`` tax classes. The two steps meet here, above both domains, so that identity (the
lower one) needs nothing from stores (ADR 0008). The CLI's ``create-tenant``, the demo, the tests
and the benches all call ``create_tenant``; a domain that gives new tenants something adds it
here.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.identity.service import NewTenant, create_tenant_and_owner
from tillpoint.stores.taxes import add_default_tax_classes


async def create_tenant(
    session: AsyncSession,
    *,
    name: str,
    owner_email: str,
    owner_password: str,
    owner_name: str = "Owner",
    currency: str = "USD",
    timezone: str = "UTC",
) -> NewTenant:
    """A tenant, its built-in roles, its owner and its default tax classes, in ``session``'s
    transaction (its events in that order: ``tenant.created``, ``user.created``, then
    ``tax_class.created`` twice)."""
    made = await create_tenant_and_owner(
        session,
        name=name,
        owner_email=owner_email,
        owner_password=owner_password,
        owner_name=owner_name,
        currency=currency,
        timezone=timezone,
    )
    await add_default_tax_classes(session, made.tenant.id)
    return made
