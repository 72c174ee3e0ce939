"""Bulk catalog endpoints: the product batch upsert, CSV imports (a background job) and export."""

import io
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from tillpoint.catalog import imports
from tillpoint.catalog.bulk import upsert_products
from tillpoint.catalog.csv_io import write_catalog_csv
from tillpoint.catalog.deps import CatalogReader, CatalogWriter
from tillpoint.catalog.schemas import BatchIn, BatchItemResult, BatchOut, ImportOut
from tillpoint.core.deps import DbSession
from tillpoint.core.errors import field_error
from tillpoint.core.openapi import COMMON_ERRORS, error_responses

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS)


CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


@router.post(
    "/catalog/products/batch",
    response_model=BatchOut,
    tags=["catalog"],
    summary="Create or update up to 1,000 products by sku",
    description=(
        "Each item is applied on its own: valid items are written, failed ones are reported "
        "with their errors and change nothing. Not all-or-nothing (CSV imports are)."
    ),
    responses=error_responses("PAYLOAD_TOO_LARGE"),
)
async def batch_upsert_products(
    body: BatchIn, session: DbSession, principal: CatalogWriter
) -> BatchOut:
    outcomes = await upsert_products(session, principal, body.items)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("created", "updated")}
    return BatchOut(
        created=counts["created"],
        updated=counts["updated"],
        unchanged=sum(o.status == "unchanged" for o in outcomes),
        failed=sum(o.status == "failed" for o in outcomes),
        items=[
            BatchItemResult(
                index=o.index, sku=o.sku, status=o.status, product_id=o.product_id, errors=o.errors
            )
            for o in outcomes
        ],
    )


async def _csv_upload(request: Request) -> tuple[str, str | None]:
    """The CSV text and file name of a ``text/csv`` body or a multipart ``file`` field."""
    content_type = request.headers.get("content-type", "")
    filename = None
    if content_type.startswith("multipart/form-data"):
        try:
            form = await request.form()
        except Exception:  # any malformed multipart body is the client's error
            raise field_error("file", "the multipart body could not be read") from None
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise field_error("file", "send the CSV as the form field 'file'")
        raw, filename = await upload.read(), upload.filename
    elif content_type.startswith(("text/csv", "text/plain", "application/csv")):
        raw = await request.body()
    else:
        raise field_error("body", "send text/csv, or multipart/form-data with a 'file' field")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise field_error("file", "the CSV must be UTF-8 text") from None
    if "\x00" in text:
        raise field_error("file", "the CSV must not contain NUL characters")
    if not text.strip():
        raise field_error("file", "the CSV is empty")
    return text, (filename or "")[:200] or None


@router.post(
    "/catalog/imports",
    response_model=ImportOut,
    status_code=202,
    tags=["catalog"],
    summary="Import products from CSV in the background",
    description=(
        "All-or-nothing: if any row fails, nothing is written and every bad row is reported "
        "with its line number. Poll GET /v1/catalog/imports/{id} for progress."
    ),
    openapi_extra=CSV_BODY,
    responses=error_responses("PAYLOAD_TOO_LARGE"),
)
async def start_import(
    request: Request,
    session: DbSession,
    principal: CatalogWriter,
    dry_run: Annotated[bool, Query(alias="dryRun", description="Check only")] = False,
) -> ImportOut:
    text, filename = await _csv_upload(request)
    return await imports.start_import(session, principal, text, filename=filename, dry_run=dry_run)


@router.get("/catalog/imports/{catalog_import_id}", response_model=ImportOut, tags=["catalog"])
async def get_import(
    catalog_import_id: str, session: DbSession, _reader: CatalogReader
) -> ImportOut:
    return await imports.get_import(session, catalog_import_id)


@router.get(
    "/catalog/export",
    tags=["catalog"],
    summary="Every live product and variant as CSV (the import format)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def export_catalog(session: DbSession, principal: CatalogReader) -> Response:
    out = io.StringIO()
    rows = [row async for row in imports.export_catalog(session, principal)]
    write_catalog_csv(rows, out)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="catalog.csv"'},
    )
