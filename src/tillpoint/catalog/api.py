"""The catalog endpoints: products, variants, categories, modifier groups (the barcode lookup:
``scan_api``; bulk work: ``bulk_api``)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from tillpoint.catalog import categories, modifiers, ready, service, variants
from tillpoint.catalog.deps import CatalogReader, CatalogWriter, LocationId, ProductToChange, Stock
from tillpoint.catalog.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryUpdate,
    ModifierGroupIn,
    ModifierGroupOut,
    ModifierGroupUpdate,
    ProductIn,
    ProductOut,
    ProductUpdate,
    VariantIn,
    VariantOut,
    VariantUpdate,
)
from tillpoint.core.deps import DbSession, prepared_json
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.core.pagination import Page, Pagination

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS)

CODES = ("SKU_ALREADY_EXISTS", "BARCODE_ALREADY_EXISTS", "INVALID_BARCODE")
PRODUCT_WRITE = error_responses(*CODES, "ALREADY_EXISTS")
PRODUCT_UPDATE = error_responses(*CODES, "ALREADY_EXISTS", "VERSION_CONFLICT")
CATEGORY_WRITE = error_responses("ALREADY_EXISTS", "CONFLICT", "VERSION_CONFLICT")
MODIFIER_WRITE = error_responses(
    "CATEGORY_MIN_OPTIONS_CANNOT_BE_GREATER_THAN_MAX_OPTIONS", "VERSION_CONFLICT"
)
IncludeArchived = Annotated[bool, Query(alias="includeArchived", description="Also archived rows")]
Text = Annotated[str | None, Query(min_length=1, max_length=400)]


@router.get("/catalog/products", response_model=Page[ProductOut], tags=["catalog"])
async def list_products(
    session: DbSession,
    paging: Pagination,
    principal: CatalogReader,
    stock: Stock,
    location_id: LocationId = None,
    sku: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    barcode: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    category: Annotated[
        str | None, Query(min_length=1, max_length=400, description="Name, path or cat_ id")
    ] = None,
    include_archived: IncludeArchived = False,
    active: bool | None = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="In the name or a SKU; or a whole barcode"),
    ] = None,
) -> Response:
    items, total = await service.list_products(
        session,
        principal,
        paging,
        stock=stock,
        location_id=location_id,
        sku=sku,
        barcode=barcode,
        category=category,
        include_archived=include_archived,
        active=active,
        q=q,
    )
    return prepared_json(ready.page_json(items, paging.page, paging.page_size, total))


@router.post(
    "/catalog/products",
    response_model=ProductOut,
    status_code=201,
    tags=["catalog"],
    responses=PRODUCT_WRITE,
)
async def create_product(
    body: ProductIn, session: DbSession, principal: CatalogWriter
) -> ProductOut:
    return await service.create_product(session, principal, body)


@router.get("/catalog/products/{product_id}", response_model=ProductOut, tags=["catalog"])
async def get_product(
    product_id: str,
    session: DbSession,
    principal: CatalogReader,
    stock: Stock,
    location_id: LocationId = None,
    include_archived: IncludeArchived = False,
) -> ProductOut:
    return await service.show_product(
        session,
        principal,
        product_id,
        stock=stock,
        location_id=location_id,
        include_archived_variants=include_archived,
    )


@router.patch(
    "/catalog/products/{product_id}",
    response_model=ProductOut,
    tags=["catalog"],
    responses=PRODUCT_UPDATE,
)
async def update_product(
    product_id: str,
    body: ProductUpdate,
    session: DbSession,
    principal: CatalogWriter,
    stock: Stock,
) -> ProductOut:
    return await service.update_product(session, principal, product_id, body, stock=stock)


@router.delete("/catalog/products/{product_id}", response_model=ProductOut, tags=["catalog"])
async def archive_product(
    product_id: str, session: DbSession, principal: CatalogWriter, stock: Stock
) -> ProductOut:
    return await service.archive_product(session, principal, product_id, stock=stock)


@router.get(
    "/catalog/products/{product_id}/variants", response_model=Page[VariantOut], tags=["catalog"]
)
async def list_variants(
    product_id: str,
    session: DbSession,
    paging: Pagination,
    _: CatalogReader,
    include_archived: IncludeArchived = False,
) -> dict[str, object]:
    items, total = await variants.list_variants(
        session, product_id, paging, include_archived=include_archived
    )
    return paging.page_of(items, total)


@router.post(
    "/catalog/products/{product_id}/variants",
    response_model=VariantOut,
    status_code=201,
    tags=["catalog"],
    responses=PRODUCT_WRITE,
)
async def create_variant(
    product: ProductToChange, body: VariantIn, session: DbSession, principal: CatalogWriter
) -> VariantOut:
    return await variants.create_variant(session, principal, product.id, body)


@router.get(
    "/catalog/products/{product_id}/variants/{variant_id}",
    response_model=VariantOut,
    tags=["catalog"],
)
async def get_variant(
    product_id: str, variant_id: str, session: DbSession, _: CatalogReader
) -> VariantOut:
    return await variants.show_variant(session, product_id, variant_id)


@router.patch(
    "/catalog/products/{product_id}/variants/{variant_id}",
    response_model=VariantOut,
    tags=["catalog"],
    responses=PRODUCT_UPDATE,
)
async def update_variant(
    product_id: str,
    variant_id: str,
    body: VariantUpdate,
    session: DbSession,
    principal: CatalogWriter,
) -> VariantOut:
    return await variants.update_variant(session, principal, product_id, variant_id, body)


@router.delete(
    "/catalog/products/{product_id}/variants/{variant_id}",
    response_model=VariantOut,
    tags=["catalog"],
)
async def archive_variant(
    product_id: str, variant_id: str, session: DbSession, principal: CatalogWriter
) -> VariantOut:
    return await variants.archive_variant(session, principal, product_id, variant_id)


@router.get("/catalog/categories", response_model=Page[CategoryOut], tags=["catalog"])
async def list_categories(
    session: DbSession,
    paging: Pagination,
    _: CatalogReader,
    parent_id: Annotated[str | None, Query(alias="parentId", max_length=40)] = None,
    include_archived: IncludeArchived = False,
) -> dict[str, object]:
    items, total = await categories.list_categories(
        session, paging, parent_id=parent_id, include_archived=include_archived
    )
    return paging.page_of(items, total)


@router.post(
    "/catalog/categories",
    response_model=CategoryOut,
    status_code=201,
    tags=["catalog"],
    responses=CATEGORY_WRITE,
)
async def create_category(
    body: CategoryIn, session: DbSession, principal: CatalogWriter
) -> CategoryOut:
    return await categories.create_category(session, principal, body)


@router.get("/catalog/categories/{category_id}", response_model=CategoryOut, tags=["catalog"])
async def get_category(category_id: str, session: DbSession, _: CatalogReader) -> CategoryOut:
    category = await categories.get_category(session, category_id)
    return await categories.category_view(session, category)


@router.patch(
    "/catalog/categories/{category_id}",
    response_model=CategoryOut,
    tags=["catalog"],
    responses=CATEGORY_WRITE,
)
async def update_category(
    category_id: str, body: CategoryUpdate, session: DbSession, _: CatalogWriter
) -> CategoryOut:
    return await categories.update_category(session, category_id, body)


@router.delete(
    "/catalog/categories/{category_id}",
    response_model=CategoryOut,
    tags=["catalog"],
    responses=error_responses("CONFLICT"),
)
async def archive_category(category_id: str, session: DbSession, _: CatalogWriter) -> CategoryOut:
    return await categories.archive_category(session, category_id)


@router.get("/catalog/modifier-groups", response_model=Page[ModifierGroupOut], tags=["catalog"])
async def list_modifier_groups(
    session: DbSession,
    paging: Pagination,
    principal: CatalogReader,
    include_archived: IncludeArchived = False,
) -> dict[str, object]:
    items, total = await modifiers.list_modifier_groups(
        session, principal, paging, include_archived=include_archived
    )
    return paging.page_of(items, total)


@router.post(
    "/catalog/modifier-groups",
    response_model=ModifierGroupOut,
    status_code=201,
    tags=["catalog"],
    responses=MODIFIER_WRITE,
)
async def create_modifier_group(
    body: ModifierGroupIn, session: DbSession, principal: CatalogWriter
) -> ModifierGroupOut:
    return await modifiers.create_modifier_group(session, principal, body)


@router.get(
    "/catalog/modifier-groups/{modifier_group_id}",
    response_model=ModifierGroupOut,
    tags=["catalog"],
)
async def get_modifier_group(
    modifier_group_id: str, session: DbSession, _: CatalogReader
) -> ModifierGroupOut:
    group = await modifiers.get_modifier_group(session, modifier_group_id)
    return await modifiers.modifier_group_view(session, group)


@router.patch(
    "/catalog/modifier-groups/{modifier_group_id}",
    response_model=ModifierGroupOut,
    tags=["catalog"],
    responses=MODIFIER_WRITE,
)
async def update_modifier_group(
    modifier_group_id: str, body: ModifierGroupUpdate, session: DbSession, principal: CatalogWriter
) -> ModifierGroupOut:
    return await modifiers.update_modifier_group(session, principal, modifier_group_id, body)


@router.delete(
    "/catalog/modifier-groups/{modifier_group_id}",
    response_model=ModifierGroupOut,
    tags=["catalog"],
)
async def archive_modifier_group(
    modifier_group_id: str, session: DbSession, principal: CatalogWriter
) -> ModifierGroupOut:
    return await modifiers.archive_modifier_group(session, principal, modifier_group_id)
