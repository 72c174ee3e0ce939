"""Structured logs: one JSON object a line, carrying the request id, tenant and principal.

Secrets never reach a log line: values under sensitive keys are masked, and card numbers —
found by the same detector as the request guard (``core.card_numbers``), not by length — are
blanked before rendering, so ids, timestamps and request ids stay readable.
"""

import logging
import re
import sys
from typing import Any

import orjson
import structlog

from tillpoint.core.card_numbers import holds_card_number, redact_card_numbers

SENSITIVE_KEYS = re.compile(
    r"pass(word)?|secret|token|authorization|api_?key|pin|card_?number|mfa", re.I
)


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return redact_card_numbers(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return "[REDACTED]" if holds_card_number(str(value)) else value
    if isinstance(value, dict):
        return {
            k: "[REDACTED]" if SENSITIVE_KEYS.search(str(k)) else _redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(v) for v in value]
    return value


def redact_secrets(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    event_dict.pop("color_message", None)  # uvicorn's terminal copy of the message
    return {
        k: "[REDACTED]" if SENSITIVE_KEYS.search(k) else _redact(v) for k, v in event_dict.items()
    }


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_secrets,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(
            serializer=lambda o, **_: orjson.dumps(o, default=str).decode()
        )
        if json
        else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Our pipeline writes one access line per request; uvicorn's own would repeat it.
    logging.getLogger("uvicorn.access").disabled = True
    # httpx logs every outgoing request at INFO, URL and all; webhook attempts are in the
    # delivery log instead, and a receiver's URL may carry a token.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
