"""A minimal Tillpoint webhook receiver, standard library only (plus ``tillpoint.webhooks``).

Run it::

    TILLPOINT_WEBHOOK_SECRET=whsec_… python docs/examples/webhook_receiver.py --port 8080

It answers 204 to a genuine delivery (and to a repeat of one it has already handled), 400 to
anything that fails verification. Deliveries are at-least-once, so it remembers the event ids it
has handled; a real receiver keeps them in its database, in the same transaction as the work.
"""

import argparse
import logging
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tillpoint.webhooks import WebhookVerificationError, verify

log = logging.getLogger("webhook_receiver")
MAX_BODY = 1024 * 1024


class Receiver:
    """Verifies deliveries and handles each event once."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.seen: set[str] = set()
        self.handled: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def receive(self, headers: dict[str, str], body: bytes) -> int:
        """The HTTP status to answer a delivery with."""
        try:
            event = verify(self.secret, headers, body)
        except WebhookVerificationError as exc:
            log.warning("rejected a delivery: %s", exc)
            return 400
        with self._lock:
            if event["id"] in self.seen:
                return 204  # a redelivery of an event already handled: acknowledge, do nothing
            self.seen.add(event["id"])
            self.handled.append(event)
        log.info("event %s %s", event["id"], event["type"])
        return 204


def make_server(
    receiver: Receiver, host: str = "127.0.0.1", port: int = 8080
) -> ThreadingHTTPServer:
    """An HTTP server that hands every ``POST`` to ``receiver``; call ``serve_forever()``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the name http.server calls
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.send_response(413)
                self.end_headers()
                return
            body = self.rfile.read(length)  # the raw bytes: verify before parsing anything
            status = receiver.receive(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            log.debug(format, *args)

    return ThreadingHTTPServer((host, port), Handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    server = make_server(Receiver(os.environ["TILLPOINT_WEBHOOK_SECRET"]), args.host, args.port)
    log.info("listening on http://%s:%d", args.host, args.port)
    server.serve_forever()


if __name__ == "__main__":
    main()
