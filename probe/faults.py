"""The fault run: checkouts and reads under load while the server's database connections are
killed under it (PostgreSQL ``pg_terminate_backend``).

    python -m probe.faults --base-url http://127.0.0.1:8000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/tillpoint [--seconds 20]

It rings up sales at the demo store (`tillpoint demo` on that database; or ``--owner``): an
order of one to three of its products, then a card payment of the balance due, while reading
orders and products; every ``--kill-every`` seconds it terminates every other connection to the
database. A failure must be a 503 ``SERVICE_UNAVAILABLE`` with ``Retry-After`` (or a 4xx the
request deserves), never a 500; every order answered 201 must exist afterwards. Exit status 1
on any finding.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from probe.target import DEMO_OWNER, ProbeError, Target, error_code, probe_arguments, run_probe

KILL = """
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
"""


@dataclass
class FaultReport:
    answers: Counter[str] = field(default_factory=Counter)
    killed: int = 0
    created: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    def record(self, what: str, response: httpx.Response) -> None:
        code = error_code(response)
        self.answers[f"{what} {response.status_code} {code or ''}".strip()] += 1
        if response.status_code >= 500 and (
            response.status_code != 503
            or code != "SERVICE_UNAVAILABLE"
            or "retry-after" not in response.headers
        ):
            retry = response.headers.get("retry-after")
            self.findings.append(f"{what}: {response.status_code} {code} Retry-After={retry}")


async def shop(client: httpx.AsyncClient, store: dict[str, Any], report: FaultReport) -> None:
    picks = random.sample(store["skus"], k=min(len(store["skus"]), random.randint(1, 3)))
    lines = [{"sku": sku, "quantity": 1} for sku in picks]
    response = await client.post(
        "/v1/orders", json={"locationId": store["locationId"], "lineItems": lines}
    )
    report.record("POST /v1/orders", response)
    if response.status_code != 201:
        return
    order = response.json()
    report.created.append(order["orderId"])
    payment = {
        "tenderType": "credit_card",
        "amount": order["totals"]["balanceDue"],
        "cardLast4": "4242",
        "cardBrand": "visa",
    }
    response = await client.post(f"/v1/orders/{order['orderId']}/payments", json=payment)
    report.record("POST /v1/orders/{id}/payments", response)


async def browse(client: httpx.AsyncClient, report: FaultReport) -> None:
    report.record("GET /v1/orders", await client.get("/v1/orders", params={"pageSize": 5}))
    response = await client.get("/v1/catalog/products", params={"pageSize": 20})
    report.record("GET /v1/catalog/products", response)


async def killer(database_url: str, every: float, stop: asyncio.Event, report: FaultReport) -> None:
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        while not stop.is_set():
            await asyncio.sleep(every)
            report.killed += int(await connection.fetchval(KILL))
    finally:
        await connection.close()


async def run(args: argparse.Namespace) -> FaultReport:
    target = Target(args.base_url.rstrip("/"))
    token = target.login(*args.owner)
    headers = {"Authorization": f"Bearer {token}"}
    report = FaultReport()
    async with httpx.AsyncClient(
        base_url=target.base_url, headers=headers, timeout=30, trust_env=False
    ) as client:
        store = await demo_store(client)
        stop = asyncio.Event()
        deadline = time.monotonic() + args.seconds

        async def user(index: int) -> None:
            while time.monotonic() < deadline:
                try:
                    await (shop(client, store, report) if index % 2 else browse(client, report))
                except httpx.TransportError as error:
                    report.findings.append(f"no answer: {type(error).__name__}")

        kill = asyncio.create_task(killer(args.database_url, args.kill_every, stop, report))
        await asyncio.gather(*(user(i) for i in range(args.concurrency)))
        stop.set()
        await kill
        for order_id in report.created:
            response = await client.get(f"/v1/orders/{order_id}")
            if response.status_code != 200:
                status = response.status_code
                report.findings.append(f"order {order_id} answered 201 but is {status}")
    return report


async def demo_store(client: httpx.AsyncClient) -> dict[str, Any]:
    locations = (await client.get("/v1/locations")).json()["items"]
    products = (await client.get("/v1/catalog/products", params={"pageSize": 50})).json()["items"]
    skus = [v["sku"] for p in products for v in p.get("variants", []) if v.get("sku")]
    if not locations or not skus:
        raise ProbeError("the tenant has no location or no products with a SKU to sell")
    return {"locationId": locations[0]["locationId"], "skus": skus}


def main(argv: list[str] | None = None) -> int:
    parser = probe_arguments(__doc__)
    parser.add_argument("--database-url", required=True, help="the server's PostgreSQL database")
    parser.add_argument("--owner", nargs=2, metavar=("EMAIL", "PASSWORD"), default=DEMO_OWNER)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--kill-every", type=float, default=0.5)
    args = parser.parse_args(argv)

    def probe() -> tuple[list[str], list[str]]:
        report = asyncio.run(run(args))
        answers = sum(report.answers.values())
        lines = [f"fault run: {answers} answers, {report.killed} connections killed"]
        lines += [f"  {count:6d}  {answer}" for answer, count in sorted(report.answers.items())]
        return lines, report.findings

    return run_probe("faults", probe)


if __name__ == "__main__":
    sys.exit(main())
