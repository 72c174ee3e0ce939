"""A running Tillpoint server as the probes see it: its OpenAPI document, logins, the ids a
tenant can see, and new tenants made with the `tillpoint` command on the server's database."""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tillpoint.core.ids import PREFIXES

DEMO_OWNER = ("owner@harborvine.example.com", "tillpoint-demo")
PATH_PARAM = re.compile(r"{(\w+)}")
# An id as the API writes it: a known type prefix, an underscore and a 26-character ULID.
ID_PATTERN = re.compile(
    r"\b(?:"
    + "|".join(sorted(PREFIXES.values(), key=len, reverse=True))
    + r")_[0-9A-HJKMNP-TV-Z]{26}\b"
)
# Lists that need a query to answer (the scanner's lookup) are left out of the harvest.
NEEDS_QUERY = {"/v1/catalog/lookup"}


class ProbeError(Exception):
    """The probe could not run (the server is not there, a login failed): not a finding."""


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def path_params(self) -> list[str]:
        return PATH_PARAM.findall(self.path)


@dataclass
class Target:
    base_url: str
    timeout: float = 15.0
    # The environment the `tillpoint` command runs in (the server's settings); None: ours.
    cli_env: dict[str, str] | None = None
    _document: dict[str, Any] | None = field(default=None, repr=False)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(
            base_url=self.base_url, headers=headers, timeout=self.timeout, trust_env=False
        )

    def document(self) -> dict[str, Any]:
        if self._document is None:
            try:
                response = httpx.get(f"{self.base_url}/openapi.json", timeout=self.timeout)
            except httpx.HTTPError as error:
                raise ProbeError(f"no server at {self.base_url}: {error}") from None
            response.raise_for_status()
            self._document = response.json()
        return self._document

    def operations(self) -> Iterator[Operation]:
        for path, methods in self.document()["paths"].items():
            if not path.startswith("/v1/"):
                continue
            for method, spec in methods.items():
                yield Operation(method.upper(), path, spec)

    def schema(self, reference: dict[str, Any]) -> dict[str, Any]:
        """A schema with its ``$ref`` (and a single-item ``allOf``/``anyOf``) followed."""
        while True:
            if "$ref" in reference:
                name = reference["$ref"].rsplit("/", 1)[-1]
                reference = self.document()["components"]["schemas"][name]
            elif len(reference.get("allOf", [])) == 1:
                reference = reference["allOf"][0]
            else:
                return reference

    def create_tenant(self, name: str) -> tuple[str, str]:
        return create_tenant(name, self.cli_env)

    def login(self, username: str, password: str) -> str:
        response = httpx.post(
            f"{self.base_url}/v1/sessions",
            json={"username": username, "password": password},
            timeout=self.timeout,
        )
        if response.status_code != 201 and response.status_code != 200:
            raise ProbeError(f"login as {username} failed: {response.status_code} {response.text}")
        token: str = response.json()["authToken"]
        return token

    def visible_ids(self, token: str) -> dict[str, set[str]]:
        """Every id, by type prefix, that the tenant behind ``token`` sees: in its lists, then
        in the lists and resources under the ids found (a webhook's deliveries)."""
        found: dict[str, set[str]] = {}
        with self.client(token) as client:
            for nested in (False, True):
                for operation in self.operations():
                    if operation.method != "GET" or bool(operation.path_params) != nested:
                        continue
                    if operation.path in NEEDS_QUERY or _requires_query(operation):
                        continue
                    path = fill_path(operation, found)
                    if path is None:
                        continue
                    response = client.get(path, params={"pageSize": 200})
                    if response.status_code != 200:
                        response = client.get(path)
                    for match in ID_PATTERN.findall(response.text):
                        found.setdefault(match.split("_", 1)[0], set()).add(match)
        return found


def fill_path(operation: Operation, ids: dict[str, set[str]]) -> str | None:
    """The operation's path with each ``{<resource>_id}`` replaced by one of ``ids`` of that
    type (the first in order), or None when there is none."""
    path = operation.path
    for param in operation.path_params:
        prefix = PREFIXES.get(param.removesuffix("_id"), "")
        candidates = sorted(ids.get(prefix, ()))
        if not candidates:
            return None
        path = path.replace("{" + param + "}", candidates[0])
    return path


def _requires_query(operation: Operation) -> bool:
    return any(
        p.get("in") == "query" and p.get("required") for p in operation.spec.get("parameters", [])
    )


def tillpoint_command() -> str:
    beside = Path(sys.executable).with_name("tillpoint")
    found = str(beside) if beside.exists() else shutil.which("tillpoint")
    if found is None:
        raise ProbeError("the `tillpoint` command is not installed (run `make` first)")
    return found


def create_tenant(name: str, env: dict[str, str] | None = None) -> tuple[str, str]:
    """A new tenant on the server's database (the `tillpoint` command reads the same
    ``TILLPOINT_*`` settings as the server, from ``env`` or this process's environment): its
    owner's login name and password."""
    email = f"probe-{secrets.token_hex(4)}@probe.example.com"
    password = secrets.token_urlsafe(18)
    done = subprocess.run(
        [tillpoint_command(), "create-tenant", "--name", name, "--owner-email", email]
        + ["--owner-password", password, "--json"],
        env=os.environ.copy() if env is None else env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise ProbeError(f"`tillpoint create-tenant` failed: {done.stderr.strip()}")
    json.loads(done.stdout.strip().splitlines()[-1])
    return email, password


def error_code(response: httpx.Response) -> str | None:
    """The error envelope's ``code``, or None for a success or a body that is not one."""
    if response.status_code < 400:
        return None
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


def probe_arguments(doc: str | None) -> argparse.ArgumentParser:
    """A probe's command line: its docstring's first paragraph and ``--base-url``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0] if doc else None)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    return parser


def run_probe(name: str, probe: Callable[[], tuple[list[str], list[str]]]) -> int:
    """Run ``probe`` (→ the lines to print, then the findings) and print its report: exit
    status 0 when it found nothing, 1 with findings, 2 when it could not run."""
    try:
        lines, findings = probe()
    except ProbeError as error:
        print(f"probe.{name}: {error}", file=sys.stderr)
        return 2
    for line in lines:
        print(line)
    for finding in findings[:200]:
        print(f"  FOUND {finding}")
    print(f"findings: {len(findings)}")
    return 1 if findings else 0
