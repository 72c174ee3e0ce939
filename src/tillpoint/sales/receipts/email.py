"""Receipts by e-mail: the text receipt as the plain part, the HTML one as the alternative,
sent over SMTP (``core/mail.py``) while the request waits, as printing does: the cashier
learns at once whether it left. Nothing is written: the order is exactly as it was."""

from email.message import EmailMessage
from email.utils import make_msgid

from pydantic import EmailStr, Field
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.errors import AppError
from tillpoint.core.mail import MailNotConfigured, MailNotSent, send_mail
from tillpoint.core.schemas import ApiModel
from tillpoint.sales.receipts.rendering import clean, render_html, render_text
from tillpoint.sales.receipts.service import ReceiptOut, load_receipt


class ReceiptEmailIn(ApiModel):
    to: EmailStr = Field(max_length=254, description="Where the receipt goes")


class ReceiptEmailOut(ApiModel):
    sent: bool
    to: str
    message_id: str = Field(description="The Message-ID header of the e-mail sent")


def receipt_message(receipt: ReceiptOut, to: str, sender: str) -> EmailMessage:
    shop = clean(receipt.shop_name)
    number = receipt.receipt_number or receipt.order_id
    message = EmailMessage()
    message["Subject"] = f"Your receipt {number} from {shop}"
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(render_text(receipt))
    message.add_alternative(render_html(receipt), subtype="html")
    return message


async def email_receipt(
    session: AsyncSession, principal: Principal, order_id: str, to: str, settings: Settings
) -> ReceiptEmailOut:
    receipt = await load_receipt(session, principal, order_id)
    message = receipt_message(receipt, to, settings.smtp_from)
    # Everything is read: end the transaction before waiting on the SMTP server (see
    # receipts/printing.py for why a transaction must not be held over a network wait).
    await session.rollback()
    try:
        await send_mail(settings, message)
    except MailNotConfigured:
        raise AppError(
            "EMAIL_NOT_CONFIGURED",
            "This server has no SMTP server configured (TILLPOINT_SMTP_HOST); "
            "the receipt was not e-mailed.",
        ) from None
    except MailNotSent as exc:
        raise AppError(
            "EMAIL_NOT_SENT",
            f"The receipt could not be e-mailed ({exc}); nothing was sent, "
            "and sending again is safe.",
            details=[{"message": str(exc), "reason": str(exc)}],
        ) from None
    return ReceiptEmailOut(sent=True, to=to, message_id=str(message["Message-ID"]))
