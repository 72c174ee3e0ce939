"""Receipt endpoints: render and print (included into the sales router)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from tillpoint.core.deps import AppSettings, DbSession
from tillpoint.core.openapi import error_responses
from tillpoint.sales.deps import OrderReader, OrderToChange, OrderWriter
from tillpoint.sales.receipts.email import ReceiptEmailIn, ReceiptEmailOut, email_receipt
from tillpoint.sales.receipts.printing import (
    ReceiptPrintIn,
    ReceiptPrintOut,
    print_receipt,
    render_escpos,
)
from tillpoint.sales.receipts.rendering import render_html, render_text
from tillpoint.sales.receipts.service import ReceiptOut, load_receipt

router = APIRouter(tags=["receipts"])

ReceiptFormat = Literal["json", "text", "html", "escpos"]

RECEIPT_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The receipt in the format asked for",
        "content": {
            "text/plain": {"schema": {"type": "string"}},
            "text/html": {"schema": {"type": "string"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get("/orders/{order_id}/receipt", response_model=ReceiptOut, responses=RECEIPT_CONTENT)
async def get_receipt(
    order_id: str,
    session: DbSession,
    principal: OrderReader,
    receipt_format: Annotated[
        ReceiptFormat, Query(alias="format", description="json, text, html or escpos")
    ] = "json",
) -> ReceiptOut | Response:
    """The order's receipt: ``json`` (structured), ``text`` (42 columns for thermal paper),
    ``html`` (e-mail and screens) or ``escpos`` (printer commands). An open order has no
    receipt number yet and comes out as a provisional bill."""
    receipt = await load_receipt(session, principal, order_id)
    if receipt_format == "text":
        return Response(render_text(receipt), media_type="text/plain; charset=utf-8")
    if receipt_format == "html":
        return Response(render_html(receipt), media_type="text/html; charset=utf-8")
    if receipt_format == "escpos":
        name = receipt.receipt_number or receipt.order_id
        return Response(
            render_escpos(receipt),
            media_type="application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{name}.escpos"'},
        )
    return receipt


@router.post(
    "/orders/{order_id}/receipt/print",
    response_model=ReceiptPrintOut,
    responses=error_responses("CONFLICT", "PRINTER_UNREACHABLE"),
)
async def print_order_receipt(
    order: OrderToChange,
    body: ReceiptPrintIn,
    session: DbSession,
    principal: OrderWriter,
    settings: AppSettings,
) -> ReceiptPrintOut:
    """Print the receipt on a network printer of the order's location (ESC/POS over TCP):
    the one named, else the location's first active receipt printer (none: 409 CONFLICT). An
    unreachable printer is 502 PRINTER_UNREACHABLE; printing never changes the order."""
    return await print_receipt(
        session,
        principal,
        order.id,
        body.printer_id,
        allow_loopback=settings.printer_allow_loopback,
    )


@router.post(
    "/orders/{order_id}/receipt/email",
    response_model=ReceiptEmailOut,
    responses=error_responses("EMAIL_NOT_CONFIGURED", "EMAIL_NOT_SENT"),
)
async def email_order_receipt(
    order: OrderToChange,
    body: ReceiptEmailIn,
    session: DbSession,
    principal: OrderWriter,
    settings: AppSettings,
) -> ReceiptEmailOut:
    """E-mail the receipt (text and HTML) to the address given, over the server's SMTP
    server. Without one configured: 409 EMAIL_NOT_CONFIGURED; refused or unreachable: 502
    EMAIL_NOT_SENT. Sending never changes the order."""
    return await email_receipt(session, principal, order.id, str(body.to), settings)
