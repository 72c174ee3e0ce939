"""What went wrong, kept: every failed request counted by (operation, status, error code), with
a few sample bodies and request ids, so that a run's errors can be explained afterwards (and
matched with the server's log lines by request id) instead of showing up only as a count.

A load-generator process describes each failure (``failed_response``, ``failed_request``), adds
those inside the measured window to an ``ErrorLog`` and returns its ``as_list()`` (plain data:
it crosses the process pool); the parent merges the parts with ``merge``, the result goes to
the JSON file as ``errorDetails``, and ``print_errors`` shows them after the report.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.harness import console

SAMPLES_PER_KIND = 3
SAMPLE_BODY_CHARS = 600


@dataclass
class ErrorKind:
    operation: str
    status: int | None  # None: no HTTP answer (timeout, connection error)
    code: str  # the envelope's error code, the exception's name, or "-"
    count: int = 0
    samples: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "status": self.status,
            "code": self.code,
            "count": self.count,
            "samples": self.samples,
        }


@dataclass(frozen=True)
class Failure:
    """One failed request: its kind and a sample of it; ``name`` is its short form."""

    operation: str
    status: int | None
    code: str
    sample: dict[str, Any]

    @property
    def name(self) -> str:
        if self.status is None:
            return f"{self.operation} {self.code}"
        code = "" if self.code == "-" else f" {self.code}"
        return f"{self.operation} HTTP {self.status}{code}"


def failed_response(operation: str, response: httpx.Response, note: str = "") -> Failure:
    """An unexpected answer: its status, the envelope's code and request id, the body."""
    body = response.text
    code, request_id = _envelope(body)
    sample = {
        "requestId": request_id or response.headers.get("x-request-id"),
        "body": body[:SAMPLE_BODY_CHARS],
    }
    if note:
        sample["note"] = note
    return Failure(operation, response.status_code, code or "-", sample)


def failed_request(operation: str, exc: BaseException) -> Failure:
    """A request that got no answer (a timeout, a dropped connection…)."""
    sample = {"requestId": None, "body": str(exc)[:SAMPLE_BODY_CHARS]}
    return Failure(operation, None, type(exc).__name__, sample)


class ErrorLog:
    """Failures counted by (operation, status, code), the first few kept as samples."""

    def __init__(self) -> None:
        self.kinds: dict[tuple[str, int | None, str], ErrorKind] = {}

    def add(self, failure: Failure) -> None:
        key = (failure.operation, failure.status, failure.code)
        kind = self.kinds.setdefault(key, ErrorKind(*key))
        kind.count += 1
        if len(kind.samples) < SAMPLES_PER_KIND:
            kind.samples.append(failure.sample)

    def as_list(self) -> list[dict[str, Any]]:
        return [kind.as_dict() for kind in self.kinds.values()]


def merge(parts: Iterable[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The load generators' ``as_list()``s as one list, most frequent first."""
    merged = ErrorLog()
    for part in parts:
        for item in part:
            key = (item["operation"], item["status"], item["code"])
            kind = merged.kinds.setdefault(key, ErrorKind(*key))
            kind.count += item["count"]
            room = SAMPLES_PER_KIND - len(kind.samples)
            kind.samples.extend(item["samples"][: max(0, room)])
    return sorted(merged.as_list(), key=lambda k: -k["count"])


def _envelope(body: str) -> tuple[str | None, str | None]:
    """The error code and request id of an error envelope, when the body is one."""
    try:
        document = json.loads(body)
    except ValueError:
        return None, None
    error = document.get("error") if isinstance(document, dict) else None
    if not isinstance(error, dict):
        return None, None
    code, request_id = error.get("code"), error.get("requestId")
    return (
        code if isinstance(code, str) else None,
        request_id if isinstance(request_id, str) else None,
    )


def print_errors(results: list[dict[str, Any]]) -> None:
    """For each scenario with errors: the counts by (operation, status, code), samples below."""
    for result in results:
        details = result.get("errorDetails")
        if details is None and result.get("errorKinds"):  # a loop that keeps no details
            console.print(f"[red]{result['label']} errors:[/red] {result['errorKinds']}")
        if not details:
            continue
        console.print(f"[red]Errors in {result['label']}[/red] (counted in the measured window):")
        for kind in details:
            status = "no answer" if kind["status"] is None else f"HTTP {kind['status']}"
            console.print(f"  {kind['count']:>7,} × {kind['operation']} {status} {kind['code']}")
            for sample in kind["samples"]:
                console.print(
                    f"            requestId {sample['requestId']}: {sample['body']}",
                    markup=False,
                    highlight=False,
                )
