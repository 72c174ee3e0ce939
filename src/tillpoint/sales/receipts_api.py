"""Receipt endpoints: render and print (included into the sales router)."""

from fastapi import APIRouter

router = APIRouter(tags=["receipts"])
