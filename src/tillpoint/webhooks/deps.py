"""What the webhook routers share (a routing module: it sees HTTP): who may manage webhook
subscriptions, and the subscription a route acts on. The row dependency depends on the
permission, so the check runs before the row is read whatever the order of the route's
parameters; it is a dependency so that an unknown webhook is 404 before a body is read."""

from typing import Annotated

from fastapi import Depends

from tillpoint.core.auth import Principal
from tillpoint.core.deps import DbSession, requires
from tillpoint.webhooks import subscriptions

WebhookManager = Annotated[Principal, Depends(requires("webhooks:manage"))]


async def webhook_to_manage(webhook_id: str, session: DbSession, principal: WebhookManager) -> str:
    return (await subscriptions.get_webhook(session, principal, webhook_id)).id


# The id of a subscription the principal may manage.
WebhookToManage = Annotated[str, Depends(webhook_to_manage)]
