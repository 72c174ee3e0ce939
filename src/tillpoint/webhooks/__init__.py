"""Webhook subscriptions, signed deliveries and the receivers' ``verify`` helper."""

from tillpoint.webhooks.verify import WebhookVerificationError, verify

__all__ = ["WebhookVerificationError", "verify"]
