"""The inventory endpoints."""

from fastapi import APIRouter

from tillpoint.core.openapi import COMMON_ERRORS

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS)
