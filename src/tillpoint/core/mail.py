"""Outgoing e-mail over SMTP (aiosmtplib), configured by the ``smtp_*`` settings.

A mechanism only: callers build the message; this sends it or raises ``MailNotSent`` with a
reason fit to show (never the password, which is a ``SecretStr`` and is not logged).
"""

from email.message import EmailMessage

import aiosmtplib

from tillpoint.config import Settings


class MailNotConfigured(Exception):
    """No SMTP host is configured."""


class MailNotSent(Exception):
    """The SMTP server could not be reached or refused the message."""


async def send_mail(settings: Settings, message: EmailMessage) -> None:
    if not settings.smtp_host:
        raise MailNotConfigured
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=password,
            use_tls=settings.smtp_tls == "implicit",
            start_tls=settings.smtp_tls == "starttls",
            timeout=settings.smtp_timeout_seconds,
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        # The library's messages name the server's reply, never the credentials.
        raise MailNotSent(str(exc) or type(exc).__name__) from None
