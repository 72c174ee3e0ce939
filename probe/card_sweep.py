"""The card sweep: test card numbers, in every disguise, into every field, query and stored
header of the API; then, optionally, a scan of the database and the server log for them.

    python -m probe.card_sweep --base-url http://127.0.0.1:8000 \\
        [--database-url postgresql://…/tillpoint | sqlite:///var/tillpoint.db] [--server-log F]

It works as a new tenant (made with `tillpoint create-tenant` on the server's database: run it
with the server's ``TILLPOINT_*`` settings), so whatever slips through lands nowhere else.
Every request must be refused with 400 ``CARD_DATA_NOT_ALLOWED``; a dump of the database and
the server log must hold none of the numbers. Exit status 1 on any finding.
"""

from __future__ import annotations

import itertools
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from probe.target import (
    Operation,
    ProbeError,
    Target,
    error_code,
    fill_path,
    probe_arguments,
    run_probe,
)

# The networks' published test numbers: Visa, Mastercard (51–55 and 2-series), Amex, Discover,
# JCB, Diners, UnionPay.
TEST_NUMBERS = (
    "4242424242424242",
    "4111111111111111",
    "5555555555554444",
    "2223003122003222",
    "378282246310005",
    "6011111111111117",
    "3566002020360505",
    "36227206271667",
    "6200000000000005",
)
SEPARATORS = (" ", "-", ".", "/", "_", "  ", " - ", "\u00a0", "\u200b", "\u2009", "\u2013")
DIGIT_SCRIPTS = {"full-width": 0xFF10, "arabic-indic": 0x0660, "devanagari": 0x0966}


def disguises(number: str) -> Iterator[tuple[str, str]]:
    """(name, text) of the forms a card number can take in free text."""
    yield "plain", number
    groups = [number[i : i + 4] for i in range(0, len(number), 4)]
    for separator in SEPARATORS:
        yield f"grouped by {separator!r}", separator.join(groups)
    for script, zero in DIGIT_SCRIPTS.items():
        yield script, "".join(chr(zero + int(d)) for d in number)
    yield "in a sentence", f"customer card {' '.join(groups)} exp 12/29"


def digits_of(text: str) -> str:
    """Every decimal digit of any script as ASCII, and nothing else but letters: what a
    separator or a script hides, the scan still finds."""
    out = []
    for char in text:
        value = unicodedata.decimal(char, None)
        if value is not None:
            out.append(str(value))
        elif char.isalpha():
            out.append(char)
    return "".join(out)


@dataclass
class SweepReport:
    requests: int = 0
    findings: list[str] = field(default_factory=list)


def body_for(target: Target, schema: dict[str, Any], text: str, depth: int = 0) -> Any:
    """A JSON value of the schema's shape whose every string holds ``text``."""
    schema = target.schema(schema)
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []):
        if target.schema(alternative).get("type") != "null":
            return body_for(target, alternative, text, depth)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 3:
            return {}
        properties = schema.get("properties", {})
        return {name: body_for(target, sub, text, depth + 1) for name, sub in properties.items()}
    if kind == "array":
        return [body_for(target, schema.get("items", {}), text, depth + 1)]
    if kind == "string":
        return text
    if kind in {"integer", "number"}:
        return 1
    if kind == "boolean":
        return True
    return text


def json_body_schema(operation: Operation) -> dict[str, Any] | None:
    content = operation.spec.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return schema if isinstance(schema, dict) else None


def sweep(target: Target) -> SweepReport:
    report = SweepReport()
    owner = target.create_tenant("Card sweep")
    client = target.client(target.login(*owner))
    ids = target.visible_ids(client.headers["Authorization"].removeprefix("Bearer "))
    forms = itertools.cycle(
        [(f"{number} {name}", text) for number in TEST_NUMBERS for name, text in disguises(number)]
    )

    def expect_refusal(what: str, response: httpx.Response) -> None:
        report.requests += 1
        code = error_code(response)
        if response.status_code != 400 or code != "CARD_DATA_NOT_ALLOWED":
            report.findings.append(f"{what}: {response.status_code} {code}")
        if response.status_code == 401:
            # A request that got through ended the session (a logout): log in again.
            client.headers["Authorization"] = f"Bearer {target.login(*owner)}"

    with client:
        # Every form into an order's notes, then one form per operation into every field.
        for name, text in itertools.islice(forms, len(TEST_NUMBERS) * 15):
            response = client.post("/v1/orders", json={"lineItems": [], "notes": text})
            expect_refusal(f"POST /v1/orders notes = {name}", response)
        for operation in target.operations():
            path = fill_path(operation, ids) or _placeholder_path(operation)
            name, text = next(forms)
            schema = json_body_schema(operation)
            if schema is not None:
                body = body_for(target, schema, text)
                if isinstance(body, dict) and not _holds_text(body):
                    # No string in the shape (say {points, version}): the number rides in a
                    # key of its own, which the guard reads before the body is validated.
                    body["note"] = text
                response = client.request(operation.method, path, json=body)
                expect_refusal(f"{operation.method} {operation.path} body ({name})", response)
            params = {p["name"]: text for p in operation.spec.get("parameters", [])}
            params = {k: v for k, v in params.items() if not k.endswith("_id")} or {"notes": text}
            response = client.request(operation.method, path, params=params)
            expect_refusal(f"{operation.method} {operation.path} query ({name})", response)
        for header in ("Idempotency-Key", "X-Request-Id"):
            for number in TEST_NUMBERS:
                value = "-".join(number[i : i + 4] for i in range(0, len(number), 4))
                response = client.post(
                    "/v1/locations", json={"name": "Sweep"}, headers={header: value}
                )
                expect_refusal(f"POST /v1/locations {header}: {value}", response)
    return report


def _holds_text(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_text(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_text(v) for v in value)
    return isinstance(value, str)


def _placeholder_path(operation: Operation) -> str:
    from tillpoint.core.ids import PREFIXES

    path = operation.path
    for param in operation.path_params:
        prefix = PREFIXES.get(param.removesuffix("_id"), "x")
        path = path.replace("{" + param + "}", f"{prefix}_{'0' * 26}")
    return path


def dump_database(url: str) -> str:
    """The database's rows as text: ``pg_dump --data-only`` or SQLite's own dump."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        with sqlite3.connect(path) as connection:
            return "\n".join(connection.iterdump())
    plain = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    done = subprocess.run(
        ["pg_dump", "--data-only", plain], capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise ProbeError(f"pg_dump failed: {done.stderr.strip()}")
    return done.stdout


def scan(text: str, source: str) -> list[str]:
    flat = digits_of(text)
    return [f"{source} holds {number}" for number in TEST_NUMBERS if number in flat]


def main(argv: list[str] | None = None) -> int:
    parser = probe_arguments(__doc__)
    parser.add_argument("--database-url", help="scan a dump of this database afterwards")
    parser.add_argument("--server-log", type=Path, help="scan the server's log afterwards")
    args = parser.parse_args(argv)

    def probe() -> tuple[list[str], list[str]]:
        report = sweep(Target(args.base_url.rstrip("/")))
        if args.database_url:
            report.findings += scan(dump_database(args.database_url), "the database")
        if args.server_log:
            log = args.server_log.read_text(errors="replace")
            report.findings += scan(log, "the server log")
        return [f"card sweep: {report.requests} requests carrying a test card number"], (
            report.findings
        )

    return run_probe("card_sweep", probe)


if __name__ == "__main__":
    sys.exit(main())
