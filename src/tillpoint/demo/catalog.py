"""The demo tenant's catalog and stock: ~200 products (a third sold in variants), a café set
with modifier groups, and stock at both locations with its history (deliveries, damage, a
count, transfers) — all through the domain services, so events and the ledger are real.

Products come from the compact tables of ``demo.catalog_data``; codes, quantities and reorder
points are derived deterministically (``random.Random(42)``), so every demo tenant looks the
same.
"""

import itertools
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog import categories, imports, modifiers, service
from tillpoint.catalog.barcodes import gtin_check_digit
from tillpoint.catalog.schemas import (
    Attribute,
    CategoryIn,
    LocationPrice,
    ModifierGroupIn,
    ModifierOptionIn,
    OptionValue,
    ProductIn,
    VariantIn,
)
from tillpoint.core.auth import Principal
from tillpoint.core.db import utcnow
from tillpoint.demo.catalog_data import (
    BOTH,
    CAFE,
    CAFE_PREFIX,
    IMAGES,
    MADE,
    MODIFIER_GROUPS,
    RETAIL_PREFIX,
    SHOP,
    SIMPLE_LINES,
    VARIANT_LINES,
)
from tillpoint.inventory import counts, levels, transfer_receipts, transfers
from tillpoint.inventory.schemas import (
    AdjustmentIn,
    AdjustmentItemIn,
    AdjustmentReason,
    CountIn,
    CountLineIn,
    CountLinesIn,
    CountScope,
    LevelSet,
    ReceiveIn,
    TransferIn,
    TransferItemIn,
)
from tillpoint.inventory.service import create_adjustment


@dataclass
class Item:
    """A stockable variant: where it is stocked, and how."""

    sku: str
    where: str
    category: str
    by_weight: bool = False


@dataclass
class DemoCatalog:
    products: list[ProductIn] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _code(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", value.upper())[:4]


def _gtin(body: str) -> str:
    """A GTIN-13 from its first twelve digits: a company prefix (or 978 for an ISBN) and a
    serial number, then the check digit."""
    return body + str(gtin_check_digit(body))


def _attributes(spec: str) -> list[Attribute]:
    pairs = [p.split("=", 1) for p in spec.split("|") if p]
    return [Attribute(name=name, value=value) for name, value in pairs]


def _pairs(spec: str) -> list[tuple[str, Decimal]]:
    return [(name, Decimal(price)) for name, price in (p.split("=") for p in spec.split("|"))]


def build_catalog(
    cafe_id: str, modifier_groups: dict[str, str], category_ids: dict[str, str]
) -> DemoCatalog:
    catalog, serial = DemoCatalog(), itertools.count(1)
    numbers: dict[str, itertools.count[int]] = {}
    for category, prefix, base_price, where, attributes, options, names in VARIANT_LINES:
        base = Decimal(base_price)
        largest = options[-1][1][-1] if options[-1][0] == "Size" else None
        surcharge = Decimal("2.00" if category.startswith("Apparel") else "4.00")
        for name in names.split("|"):
            number = next(numbers.setdefault(prefix, itertools.count(1)))
            sku = f"HV-{prefix}-{number:03d}"
            variants = []
            for values in itertools.product(*(vals for _, vals in options)):
                variant_sku = "-".join([sku, *(_code(v) for v in values)])
                # The largest size costs a little more.
                extra = surcharge if values[-1] == largest else None
                variants.append(
                    VariantIn(
                        sku=variant_sku,
                        option_values=[
                            OptionValue(name=option, value=value)
                            for (option, _), value in zip(options, values, strict=True)
                        ],
                        barcode=_gtin(f"{RETAIL_PREFIX}{next(serial):05d}"),
                        price=None if extra is None else base + extra,
                    )
                )
                catalog.items.append(Item(variant_sku, where, category))
            cafe_price = [LocationPrice(location_id=cafe_id, price=base - 1)] * (prefix == "BAG")
            catalog.products.append(
                ProductIn(
                    name=name,
                    description=f"{name} from the Harbor & Vine house collection.",
                    sku=sku,
                    barcode=_gtin(f"{RETAIL_PREFIX}{next(serial):05d}"),
                    category_id=category_ids[category],
                    price=base,
                    cost=(base * Decimal("0.42")).quantize(Decimal("0.01")),
                    supplier_id="sup_harborvine_goods" if prefix != "BAG" else "sup_roastery",
                    images=[IMAGES.format(slug(name))],
                    attributes=_attributes(attributes),
                    location_prices=cafe_price,
                    variants=variants,
                )
            )
    drinks = [modifier_groups[n] for n in ("Size", "Milk", "Extra shots", "Syrup")]
    for category, prefix, tax_class, where, sold_by, attributes, items in SIMPLE_LINES:
        for number, (name, price) in enumerate(_pairs(items), start=1):
            sku = f"HV-{prefix}-{number:03d}"
            made = where == MADE
            barcode = None
            if prefix == "BK":
                barcode = _gtin(f"9781739{next(serial):05d}")
            elif not made and prefix not in ("PST", "LB"):
                company = CAFE_PREFIX if where == CAFE else RETAIL_PREFIX
                barcode = _gtin(f"{company}{next(serial):05d}")
            catalog.products.append(
                ProductIn(
                    name=name,
                    sku=sku,
                    barcode=barcode,
                    category_id=category_ids[category],
                    price=price,
                    cost=(price * Decimal("0.35")).quantize(Decimal("0.01")),
                    tax_class=tax_class,
                    in_store_only=category.startswith("Café") and prefix not in ("LB",),
                    sold_by=sold_by,
                    images=[IMAGES.format(slug(name))],
                    attributes=_attributes(attributes),
                    modifier_group_ids=drinks if made and name != "Affogato" else [],
                )
            )
            if not made:
                catalog.items.append(Item(sku, where, category, by_weight=sold_by == "weight"))
    return catalog


async def _create_modifier_groups(session: AsyncSession, owner: Principal) -> dict[str, str]:
    ids = {}
    for name, low, high, options in MODIFIER_GROUPS:
        group = await modifiers.create_modifier_group(
            session,
            owner,
            ModifierGroupIn(
                name=name,
                min_selections=low,
                max_selections=high,
                options=[ModifierOptionIn(name=n, price_delta=d) for n, d in _pairs(options)],
            ),
        )
        ids[name] = group.modifier_group_id
    return ids


async def _create_categories(session: AsyncSession, owner: Principal) -> dict[str, str]:
    """Every category path of the tables (parents first, in table order) → its id."""
    ids: dict[str, str] = {}
    children: dict[str | None, int] = {}
    for path in [line[0] for line in VARIANT_LINES] + [line[0] for line in SIMPLE_LINES]:
        parent: str | None = None
        parts = path.split(" > ")
        for depth, name in enumerate(parts, start=1):
            key = " > ".join(parts[:depth])
            if key not in ids:
                position = children[parent] = children.get(parent, -1) + 1
                made = await categories.create_category(
                    session, owner, CategoryIn(name=name, parent_id=parent, position=position)
                )
                ids[key] = made.category_id
            parent = ids[key]
    return ids


async def seed_catalog(
    session: AsyncSession, owner: Principal, *, shop_id: str, cafe_id: str
) -> None:
    """Create the demo catalog, its stock and a little stock history."""
    rng = random.Random(42)
    groups = await _create_modifier_groups(session, owner)
    category_ids = await _create_categories(session, owner)
    catalog = build_catalog(cafe_id, groups, category_ids)
    # One by one through the service, without the batch's savepoint per item: it is faster, and
    # a failure aborts the whole demo anyway.
    for product in catalog.products:
        await service.create_product(session, owner, product)

    # Opening stock: one delivery per location and top-level category, three weeks ago.
    stock: dict[tuple[str, str], Decimal] = {}
    for item in catalog.items:
        places = {SHOP: [shop_id], CAFE: [cafe_id], BOTH: [shop_id, cafe_id]}[item.where]
        for location_id in places:
            if item.by_weight:
                quantity = Decimal(rng.randint(40, 250)) / 10
            elif location_id == cafe_id and item.where == BOTH:
                quantity = Decimal(rng.randint(4, 12))
            else:
                quantity = Decimal(rng.randint(6, 40))
            stock[(item.sku, location_id)] = quantity
    category_of = {i.sku: i.category for i in catalog.items}
    received = utcnow() - timedelta(days=21)
    postings: dict[tuple[str, AdjustmentReason, str, datetime], list[AdjustmentItemIn]] = {}
    for (sku, location_id), quantity in stock.items():
        note = f"Opening stock: {category_of[sku].split(' > ')[0]} delivery"
        line = AdjustmentItemIn(sku=sku, delta_quantity=quantity)
        postings.setdefault((location_id, "received", note, received), []).append(line)
    # Shrinkage a week later: a dropped mug, a lifted tee, spilled beans.
    shrinkage: list[tuple[str, AdjustmentReason, str, str, str]] = [
        (shop_id, "damage", "HV-MUG-001-12OZ", "-1", "Dropped while shelving"),
        (shop_id, "theft", "HV-TEE-001-M", "-1", "Missing after the weekend"),
        (cafe_id, "loss", "HV-LB-001", "-0.5", "Spilled at the grinder"),
    ]
    for location_id, reason, sku, delta, note in shrinkage:
        line = AdjustmentItemIn(sku=sku, delta_quantity=Decimal(delta))
        postings[(location_id, reason, note, received + timedelta(days=7))] = [line]
        stock[(sku, location_id)] += Decimal(delta)
    for (location_id, reason, note, when), lines in postings.items():
        await create_adjustment(
            session,
            owner,
            AdjustmentIn(
                location_id=location_id,
                reason=reason,
                items=lines,
                notes=note,
                occurred_at=when,
            ),
        )

    # Reorder points on a tenth of the levels; every fourth of those is already short.
    reorder = 0
    for (sku, location_id), quantity in sorted(stock.items()):
        if rng.random() >= 0.1:
            continue
        point = max(Decimal(2), (quantity / 3).quantize(Decimal(1)))
        on_hand = None
        if reorder % 4 == 0:
            on_hand = max(Decimal(0), point - 1)
            stock[(sku, location_id)] = on_hand
        await levels.set_level(
            session,
            owner,
            LevelSet(
                location_id=location_id,
                sku=sku,
                on_hand=on_hand,
                reorder_point=point,
                reorder_quantity=point * 3,
                reason="correction",
                notes="Sold through before the counts caught up" if on_hand is not None else "",
            ),
        )
        reorder += 1

    # A committed partial count of the shop's books: two shelves were off by one.
    books = [i.sku for i in catalog.items if i.category == "Books"][:8]
    count = await counts.open_count(
        session,
        owner,
        CountIn(
            location_id=shop_id,
            scope=CountScope(category_id=category_ids["Books"]),
            notes="Monthly cycle count: books",
        ),
    )
    count_lines = []
    for index, sku in enumerate(books):
        counted = stock[(sku, shop_id)] + (-1 if index == 2 else 1 if index == 5 else 0)
        count_lines.append(CountLineIn(sku=sku, counted_quantity=max(Decimal(0), counted)))
    await counts.record_lines(session, owner, count["id"], CountLinesIn(items=count_lines))
    await counts.commit_count(session, owner, count["id"])

    # Merch to the café (received), and roasted beans to the shop (still on the truck).
    mugs = [i.sku for i in catalog.items if i.category == "Home > Mugs"][:4]
    beans = [
        i.sku
        for i in catalog.items
        if i.category == "Café > Beans" and i.where == BOTH and stock[(i.sku, cafe_id)] >= 2
    ]
    made = []
    for source, destination, skus, sent, note in (
        (shop_id, cafe_id, mugs, 3, "Mugs for the café's retail shelf"),
        (cafe_id, shop_id, beans[:3], 2, "Fresh roast for SoHo"),
    ):
        transfer = await transfers.create_transfer(
            session,
            owner,
            TransferIn(
                source_location_id=source,
                destination_location_id=destination,
                items=[TransferItemIn(sku=s, quantity=Decimal(sent)) for s in skus],
                notes=note,
            ),
        )
        await transfers.ship_transfer(session, owner, transfer["id"])
        made.append(transfer["id"])
    arrived = [TransferItemIn(sku=s, quantity=Decimal(3)) for s in mugs]
    await transfer_receipts.receive_transfer(
        session, owner, made[0], ReceiveIn(items=arrived, notes="All arrived")
    )

    # A dry-run price update queued as a CSV import (the job runner checks it).
    rows = [f"{p.sku},{p.name},{p.price + 1}" for p in catalog.products[:3]]
    await imports.start_import(
        session,
        owner,
        "sku,name,price\n" + "\n".join(rows) + "\n",
        filename="spring-price-update.csv",
        dry_run=True,
    )
