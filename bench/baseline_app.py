"""The baseline: a bare FastAPI app with one GET and one POST that answer small constant JSON.

``bench.api_locations`` serves it with uvicorn exactly as it serves Tillpoint (same host, same
worker count, uvloop/httptools picked the same way), so the ratio of the two throughputs is
Tillpoint's own cost: auth, rate limit, the database round trips, the transaction, the audit
entry, the event and the response models.
"""

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Tillpoint bench baseline")

LISTING = {"items": [{"locationId": "loc_baseline", "name": "Baseline"}], "page": 1, "pageSize": 50}
CREATED = {"locationId": "loc_baseline", "name": "Baseline", "version": 1}


class Created(BaseModel):
    # The POST reads and validates the same body the Tillpoint scenario sends, then ignores it.
    name: str


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/v1/items")
async def list_items() -> dict[str, object]:
    return LISTING


@app.post("/v1/items", status_code=201)
async def create_item(body: Created) -> dict[str, object]:
    del body
    return CREATED
