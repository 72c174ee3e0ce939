"""Register shift endpoints (included into the sales router)."""

from fastapi import APIRouter

router = APIRouter(tags=["register shifts"])
