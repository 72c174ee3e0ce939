"""Request and response bodies of the catalog. Product and variant shapes follow the reference
(``productId``, ``variants``, ``inventory[{locationId,onHand,reserved,reorderPoint}]``)."""

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, ConfigDict, Field, model_validator

from tillpoint.catalog.models import ImportStatus
from tillpoint.core.schemas import (
    INTEGRAL,
    ApiModel,
    DecimalNumber,
    LongText,
    Money,
    Name,
    SignedMoney,
    Timestamp,
    Version,
    not_both,
)

Id = Annotated[str, Field(max_length=40)]
Sku = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^\S(.*\S)?$",
        description="Unique per tenant across products and variants",
    ),
]
Barcode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        description="GTIN-8/12/13/14 with a valid check digit, unless barcodeInternal is true",
    ),
]
TaxClassCode = Annotated[
    str, Field(max_length=50, pattern=r"^[a-z0-9_]{1,50}$", examples=["standard"])
]
CategoryRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=400,
        description="A category name or path ('Apparel > Tees'); created when missing",
    ),
]
SoldBy = Literal["unit", "weight"]


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http or https URL")
    return value


ImageUrl = Annotated[
    str,
    Field(max_length=2000, pattern=r"^[hH][tT][tT][pP][sS]?://[^/?#]"),
    AfterValidator(_http_url),
]


class Attribute(ApiModel):
    """A custom attribute such as ``Weight`` or ``Material``, kept in order."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    value: Annotated[str, Field(max_length=1000)]


class LocationPrice(ApiModel):
    location_id: Id
    price: Money


class OptionValue(ApiModel):
    name: Annotated[str, Field(min_length=1, max_length=50, examples=["Color"])]
    value: Annotated[str, Field(min_length=1, max_length=100, examples=["Blue"])]


class VariantIn(ApiModel):
    # A name or option values (the validator below), stated for the document.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["name"], "properties": {"name": {"type": "string"}}},
                {"required": ["optionValues"], "properties": {"optionValues": {"minItems": 1}}},
            ]
        }
    )

    sku: Sku
    name: Name | None = Field(
        default=None, description="Defaults to the option values joined: 'Blue / M'"
    )
    option_values: Annotated[list[OptionValue], Field(max_length=5)] = []
    barcode: Barcode | None = None
    barcode_internal: bool = False
    price: Money | None = Field(default=None, description="None = the product's price")
    cost: Money | None = None
    location_prices: Annotated[list[LocationPrice], Field(max_length=500)] = []
    position: Annotated[int, Field(ge=0, le=100_000), INTEGRAL] | None = None

    @model_validator(mode="after")
    def _named(self) -> "VariantIn":
        if self.name is None and not self.option_values:
            raise ValueError("a variant needs a name or option values")
        return self


class VariantUpdate(ApiModel):
    sku: Sku | None = None
    name: Name | None = None
    option_values: Annotated[list[OptionValue], Field(max_length=5)] | None = None
    barcode: Barcode | None = None
    barcode_internal: bool | None = None
    price: Money | None = None
    cost: Money | None = None
    location_prices: Annotated[list[LocationPrice], Field(max_length=500)] | None = None
    position: Annotated[int, Field(ge=0, le=100_000), INTEGRAL] | None = None
    archived: bool | None = Field(default=None, description="false restores an archived variant")
    version: Version | None = None


class ProductIn(ApiModel):
    model_config = ConfigDict(json_schema_extra=not_both("category", "categoryId"))

    name: Name
    description: LongText = ""
    sku: Sku
    barcode: Barcode | None = None
    barcode_internal: bool = False
    category: CategoryRef | None = None
    category_id: Id | None = None
    price: Money
    cost: Money | None = None
    tax_class: TaxClassCode = "standard"
    supplier_id: Id | None = None
    active: bool = True
    in_store_only: bool = False
    gift_card: bool = Field(
        default=False, description="Sold as a gift card: never taxed, moves no stock"
    )
    sold_by: SoldBy = "unit"
    images: Annotated[list[ImageUrl], Field(max_length=20)] = []
    attributes: Annotated[list[Attribute], Field(max_length=50)] = []
    modifier_group_ids: Annotated[list[Id], Field(max_length=20)] = []
    location_prices: Annotated[list[LocationPrice], Field(max_length=500)] = []
    variants: Annotated[list[VariantIn], Field(max_length=100)] = []

    @model_validator(mode="after")
    def _one_category(self) -> "ProductIn":
        if self.category is not None and self.category_id is not None:
            raise ValueError("give category or categoryId, not both")
        return self


class ProductUpdate(ApiModel):
    name: Name | None = None
    description: LongText | None = None
    sku: Sku | None = None
    barcode: Barcode | None = None
    barcode_internal: bool | None = None
    category: CategoryRef | None = None
    category_id: Id | None = None
    price: Money | None = None
    cost: Money | None = None
    tax_class: TaxClassCode | None = None
    supplier_id: Id | None = None
    active: bool | None = None
    in_store_only: bool | None = None
    gift_card: bool | None = None
    sold_by: SoldBy | None = None
    images: Annotated[list[ImageUrl], Field(max_length=20)] | None = None
    attributes: Annotated[list[Attribute], Field(max_length=50)] | None = None
    modifier_group_ids: Annotated[list[Id], Field(max_length=20)] | None = None
    location_prices: Annotated[list[LocationPrice], Field(max_length=500)] | None = None
    archived: bool | None = Field(default=None, description="false restores an archived product")
    version: Version | None = None


class VariantOut(ApiModel):
    variant_id: str
    product_id: str
    name: str
    option_values: list[OptionValue]
    sku: str
    barcode: str | None
    barcode_internal: bool
    price: DecimalNumber | None = Field(description="None = the product's price")
    cost: DecimalNumber | None
    location_prices: list[LocationPrice]
    position: int
    archived: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class InventorySummary(ApiModel):
    """A product's stock at one location, summed over its variants."""

    location_id: str
    on_hand: DecimalNumber
    reserved: DecimalNumber
    available: DecimalNumber
    reorder_point: DecimalNumber | None


class ProductOut(ApiModel):
    product_id: str
    name: str
    description: str
    sku: str
    barcode: str | None
    barcode_internal: bool
    category: str | None = Field(description="The category's name")
    category_id: str | None
    price: DecimalNumber
    cost: DecimalNumber | None
    tax_class: str
    supplier_id: str | None
    active: bool
    in_store_only: bool
    gift_card: bool
    sold_by: SoldBy
    images: list[str]
    attributes: list[Attribute]
    modifier_group_ids: list[str]
    location_prices: list[LocationPrice]
    variants: list[VariantOut] = Field(description="Option variants; empty for a simple product")
    inventory: list[InventorySummary]
    archived: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class LookupOut(ApiModel):
    """What a register needs after a scan: the item, its price here and its stock here."""

    product_id: str
    variant_id: str
    name: str = Field(description="'Classic Tee - Blue / M'")
    sku: str
    barcode: str | None
    price: DecimalNumber = Field(description="The price at the location asked for")
    tax_class: str
    sold_by: SoldBy
    modifier_group_ids: list[str]
    active: bool
    location_id: str | None
    on_hand: DecimalNumber | None
    available: DecimalNumber | None
    variants: list[VariantOut] = Field(
        description="When the code is the parent's of a product sold in variants: its variants"
    )


class CategoryIn(ApiModel):
    name: Name
    parent_id: Id | None = None
    position: Annotated[int, Field(ge=0, le=100_000), INTEGRAL] = 0


class CategoryUpdate(ApiModel):
    # parentId with toRoot: true is refused (the service's rule, stated here for the document).
    model_config = ConfigDict(
        json_schema_extra={
            "not": {
                "required": ["parentId", "toRoot"],
                "properties": {"parentId": {"type": "string"}, "toRoot": {"const": True}},
            }
        }
    )

    name: Name | None = None
    parent_id: Id | None = Field(default=None, description="Move under another category")
    to_root: bool | None = Field(default=None, description="true moves it to the top level")
    position: Annotated[int, Field(ge=0, le=100_000), INTEGRAL] | None = None
    archived: bool | None = None
    version: Version | None = None


class CategoryOut(ApiModel):
    category_id: str
    name: str
    parent_id: str | None
    path: str = Field(description="'Apparel > Tees'")
    position: int
    archived: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class ModifierOptionIn(ApiModel):
    option_id: Id | None = Field(default=None, description="Keep an existing option's id")
    name: Name
    price_delta: SignedMoney
    active: bool = True


class ModifierGroupIn(ApiModel):
    name: Name
    min_selections: Annotated[int, Field(ge=0, le=100), INTEGRAL] = 0
    max_selections: Annotated[int, Field(ge=1, le=100), INTEGRAL] = 1
    options: Annotated[list[ModifierOptionIn], Field(min_length=1, max_length=100)]


class ModifierGroupUpdate(ApiModel):
    name: Name | None = None
    min_selections: Annotated[int, Field(ge=0, le=100), INTEGRAL] | None = None
    max_selections: Annotated[int, Field(ge=1, le=100), INTEGRAL] | None = None
    options: Annotated[list[ModifierOptionIn], Field(min_length=1, max_length=100)] | None = None
    archived: bool | None = None
    version: Version | None = None


class ModifierOptionOut(ApiModel):
    option_id: str
    name: str
    price_delta: DecimalNumber
    active: bool


class ModifierGroupOut(ApiModel):
    modifier_group_id: str
    name: str
    min_selections: int
    max_selections: int
    options: list[ModifierOptionOut]
    archived: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class BatchIn(ApiModel):
    items: Annotated[list[ProductIn], Field(min_length=1, max_length=1000)]


class BatchItemResult(ApiModel):
    index: int
    sku: str
    status: Literal["created", "updated", "unchanged", "failed"]
    product_id: str | None = None
    errors: list[dict[str, str]] = []


class BatchOut(ApiModel):
    created: int
    updated: int
    unchanged: int
    failed: int
    items: list[BatchItemResult]


class ImportOut(ApiModel):
    import_id: str
    status: ImportStatus
    dry_run: bool
    filename: str | None
    total_rows: int
    processed_rows: int
    created: int
    updated: int
    errors: list[dict[str, object]] = Field(
        description="Row errors: {line, sku, field, message}, the first 1,000 by line; any "
        "error means nothing was written"
    )
    error_count: int = Field(description="How many row errors were found in all")
    created_at: Timestamp
    finished_at: Timestamp | None
