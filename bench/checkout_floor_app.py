"""The HTTP floor of ``bench.checkout``: the ceiling's transactions behind Tillpoint's two URLs.

The cheapest FastAPI app that does a checkout over HTTP: ``POST /v1/orders`` and ``POST
/v1/orders/{id}/payments`` take the bodies the Tillpoint scenario sends (validated by two small
pydantic models), run ``checkout_raw.create`` / ``checkout_raw.pay`` — the ceiling's raw asyncpg
transactions — on a pooled connection and answer 201 with the fields the load loop reads, as
plain ``JSONResponse``s. ``bench.checkout`` serves it with uvicorn exactly as ``tillpoint serve``
serves Tillpoint, so what separates it from the ceiling is HTTP, FastAPI and the pool hand-off,
and what separates Tillpoint from it is Tillpoint's own per-request work.

No auth (the ``Authorization`` header the loop sends is ignored), no rate limit, no idempotency
keys, no response models, no tenant/location/tax-rate reads per request (the ``Shop`` is read
once at startup). Configured by environment: ``CHECKOUT_FLOOR_DATABASE_URL``,
``CHECKOUT_FLOOR_TENANT_ID``, ``CHECKOUT_FLOOR_LOCATION_ID``, ``CHECKOUT_FLOOR_POOL_SIZE``
(connections at most, per worker) and ``CHECKOUT_FLOOR_POOL_MIN`` (opened at startup).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from bench import checkout_raw

STATE: dict[str, Any] = {}


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    size = int(os.environ["CHECKOUT_FLOOR_POOL_SIZE"])
    minimum = min(size, int(os.environ.get("CHECKOUT_FLOOR_POOL_MIN", size)))
    pool = await asyncpg.create_pool(
        os.environ["CHECKOUT_FLOOR_DATABASE_URL"], min_size=minimum, max_size=size
    )
    try:
        async with pool.acquire() as conn:
            STATE["shop"] = await checkout_raw.load_shop(
                conn,
                os.environ["CHECKOUT_FLOOR_TENANT_ID"],
                os.environ["CHECKOUT_FLOOR_LOCATION_ID"],
            )
        STATE["pool"] = pool
        yield
    finally:
        await pool.close()


app = FastAPI(title="Tillpoint bench checkout floor", lifespan=lifespan)


class Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, extra="forbid")


class LineItemIn(Body):
    sku: Annotated[str, Field(min_length=1, max_length=100)]
    quantity: Annotated[int, Field(ge=1, le=1_000_000)]


class OrderIn(Body):
    location_id: str
    line_items: Annotated[list[LineItemIn], Field(min_length=1, max_length=100)]


class PaymentIn(Body):
    tender_type: Literal["credit_card"]  # the ceiling's pay records a card payment
    amount: Annotated[Decimal, Field(gt=0, le=Decimal("999999999999"), decimal_places=2)]
    card_last4: Annotated[str, Field(pattern=r"^[0-9]{4}$")] | None = None
    card_brand: Annotated[str, Field(max_length=30)] | None = None
    processor_ref: Annotated[str, Field(max_length=200)] | None = None


def _money(minor: int) -> float:
    return minor / 100


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message}}, status_code=status)


@app.get("/readyz")
async def readyz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/orders")
async def create_order(body: OrderIn) -> JSONResponse:
    shop = STATE["shop"]
    if body.location_id != shop.location_id:
        return _error(422, "unknown location")
    items = [(line.sku, line.quantity) for line in body.line_items]
    async with STATE["pool"].acquire() as conn:
        order_id, total = await checkout_raw.create(conn, shop, items)
    totals = {"grandTotal": _money(total), "paid": 0, "balanceDue": _money(total)}
    return JSONResponse(
        {"orderId": order_id, "status": "open", "locationId": shop.location_id, "totals": totals},
        status_code=201,
    )


@app.post("/v1/orders/{order_id}/payments")
async def pay_order(order_id: str, body: PaymentIn) -> JSONResponse:
    amount_minor = int(body.amount * 100)
    async with STATE["pool"].acquire() as conn:
        try:
            receipt = await checkout_raw.pay(conn, STATE["shop"], order_id, amount_minor)
        except RuntimeError as exc:  # not open, overpayment, insufficient stock
            return _error(409, str(exc))
    order = {"orderId": order_id, "status": "completed", "receiptNumber": receipt}
    return JSONResponse(
        {"payment": {"amount": _money(amount_minor), "status": "captured"}, "order": order},
        status_code=201,
    )
