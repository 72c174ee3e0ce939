"""Order endpoints; shifts and receipts have their own modules, included into this ``router``
(the one app.py registers)."""

from fastapi import APIRouter

from tillpoint.core.openapi import COMMON_ERRORS
from tillpoint.sales import receipts_api, shifts_api

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS)

router.include_router(shifts_api.router)
router.include_router(receipts_api.router)
