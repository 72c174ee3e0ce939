"""E-mailing a receipt over HTTP: a real SMTP server on loopback receives the text and HTML
receipt; an address that is not one, no SMTP server configured and an SMTP server that is
down are each a clear error, and the order is unchanged."""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tests.support.sales import Till, make_shop
from tests.support.smtp import Mailbox, free_port, smtp_server
from tests.support.tenants import TenantFixture
from tillpoint.app import create_app


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


def _client_for(app_and_db: tuple[Any, Any], **smtp: Any) -> httpx.AsyncClient:
    """A second app on the same database whose settings name an SMTP server."""
    app, db = app_and_db
    settings = app.state.settings.model_copy(update=smtp)
    mail_app = create_app(settings, db=db)  # no lifespan of its own: the main app's owns the db
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=mail_app), base_url="http://test")


@pytest.fixture
async def mail_client(
    app_and_db: tuple[Any, Any], mailbox: Mailbox
) -> AsyncIterator[httpx.AsyncClient]:
    settings = {
        "smtp_host": mailbox.host,
        "smtp_port": mailbox.port,
        "smtp_tls": "none",
        "smtp_from": "receipts@corner.example.com",
    }
    async with _client_for(app_and_db, **settings) as c:
        yield c


@pytest.fixture
async def till(mail_client: httpx.AsyncClient, tenant: TenantFixture) -> Till:
    return await make_shop(mail_client, tenant)


async def test_the_receipt_arrives_as_text_and_html(till: Till, mailbox: Mailbox) -> None:
    tee = await till.product("Classic Tee", 24)
    order = await till.sell(till.line(tee, 2))
    path = f"/v1/orders/{order['orderId']}/receipt/email"

    sent = await till.call("POST", path, {"to": "ada@example.com"})

    assert sent["sent"] is True
    assert sent["to"] == "ada@example.com"
    [received] = mailbox.received
    assert received.sender == "receipts@corner.example.com"
    assert received.recipients == ["ada@example.com"]
    message = received.message
    assert message["Message-ID"] == sent["messageId"]
    assert message["Subject"].startswith(f"Your receipt {order['receiptNumber']} from ")
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert order["receiptNumber"] in text.get_content()
    assert "Classic Tee" in text.get_content()
    assert "$52.32" in text.get_content()  # 2 × 24 + 9 % tax
    assert "Classic Tee" in html.get_content()
    after = await till.get(f"/v1/orders/{order['orderId']}")
    assert after["version"] == order["version"]


async def test_bad_address_unknown_order_and_permissions(till: Till, mailbox: Mailbox) -> None:
    tee = await till.product("Classic Tee", 24)
    order = await till.sell(till.line(tee))
    path = f"/v1/orders/{order['orderId']}/receipt/email"
    error = await till.error("POST", path, {"to": "not an address"}, 400, "VALIDATION_ERROR")
    assert error["details"][0]["field"] == "to"
    await till.error("POST", path, {}, 400, "VALIDATION_ERROR")
    await till.error(
        "POST",
        "/v1/orders/ord_01J0000000000000000000000/receipt/email",
        {"to": "a@example.com"},
        404,
        "NOT_FOUND",
    )
    assert mailbox.received == []


async def test_without_smtp_or_with_it_down_nothing_is_sent(
    app_and_db: tuple[Any, Any], client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    till = await make_shop(client, tenant)
    order = await till.sell(till.line(await till.product("Mug", 12)))
    path = f"/v1/orders/{order['orderId']}/receipt/email"
    # The test app's settings name no SMTP server.
    error = await till.error("POST", path, {"to": "a@example.com"}, 409, "EMAIL_NOT_CONFIGURED")
    assert "TILLPOINT_SMTP_HOST" in error["message"]

    down = {
        "smtp_host": "127.0.0.1",
        "smtp_port": free_port(),
        "smtp_tls": "none",
        "smtp_password": SecretStr("s3cret-pw"),
    }
    async with _client_for(app_and_db, **down) as c:
        response = await c.post(path, json={"to": "a@example.com"}, headers=tenant.headers)
    assert response.status_code == 502, response.text
    assert response.json()["error"]["code"] == "EMAIL_NOT_SENT"
    assert "s3cret-pw" not in response.text
