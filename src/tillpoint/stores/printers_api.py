"""Printer endpoints under a location (included into the stores router)."""

from fastapi import APIRouter

router = APIRouter(tags=["printers"])
