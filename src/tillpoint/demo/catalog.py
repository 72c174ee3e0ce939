"""The demo tenant's catalog and stock: ~200 products (a third sold in variants), a café set
with modifier groups, and stock at both locations with its history (deliveries, damage, a
count, transfers) — all through the domain services, so events and the ledger are real.

Products come from compact tables below; codes, quantities and reorder points are derived
deterministically (``random.Random(42)``), so every demo tenant looks the same.
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
from tillpoint.inventory import counts, levels, transfer_receipts, transfers
from tillpoint.inventory.schemas import (
    AdjustmentIn,
    AdjustmentItemIn,
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

IMAGES = "https://images.example.com/harborvine/{}.jpg"
RETAIL_PREFIX, CAFE_PREFIX = "0614141", "0012345"  # made-up GS1 company prefixes
SIZES = ("Size", ("S", "M", "L", "XL"))
SHOP, CAFE, BOTH, MADE = "shop", "cafe", "both", "made to order"

# The tables stay one line per field group; the formatter would give every field a line.
# fmt: off
# Lines sold in variants: (category, sku prefix, price, stocked at, attributes, options, names).
VARIANT_LINES: list[tuple[str, str, str, str, str, list[tuple[str, tuple[str, ...]]], str]] = [
    ("Apparel > Tees", "TEE", "24.00", SHOP, "Material=100% organic cotton", [SIZES],
     "Harbor Logo Tee|Vine Script Tee|Spring Street Tee|Anchor Tee|Grape Leaf Tee|"
     "Tide Chart Tee|Ferry Tee|Bodega Cat Tee|Pour Over Tee|Canal Street Tee|Lighthouse Tee|"
     "Night Shift Tee"),
    ("Apparel > Tees", "TEE", "28.00", SHOP, "Material=Garment-dyed cotton",
     [("Color", ("Black", "Natural")), SIZES],
     "Silver Lake Pocket Tee|Sunset Boulevard Tee|Reservoir Long Sleeve|Espresso Ringer Tee"),
    ("Apparel > Hoodies", "HOD", "68.00", SHOP, "Material=Brushed fleece|Weight=14 oz", [SIZES],
     "Harbor Logo Hoodie|Vine Zip Hoodie|Soho Crewneck|Silver Lake Hoodie|Tide Hoodie|"
     "Roastery Crewneck|Ferry Quarter Zip|Anchor Hoodie"),
    ("Apparel > Hats", "HAT", "32.00", SHOP, "Material=Washed cotton twill",
     [("Color", ("Navy", "Olive", "Stone"))],
     "Harbor Dad Cap|Vine Bucket Hat|Anchor Five-Panel|Roaster Beanie|Tide Trucker|Logo Visor"),
    ("Apparel > Socks", "SOC", "16.00", SHOP, "Material=Combed cotton blend",
     [("Size", ("S/M", "L/XL"))],
     "Espresso Socks|Grape Vine Socks|Wave Socks|Stripe Crew Socks|Cat Socks|Sunset Socks"),
    ("Home > Bags", "TOT", "22.00", BOTH, "Material=12 oz canvas",
     [("Color", ("Natural", "Black", "Forest"))],
     "Harbor Tote|Market Tote|Vine Tote|Roastery Tote|Library Tote"),
    ("Home > Mugs", "MUG", "14.00", BOTH, "Material=Stoneware|Care=Dishwasher safe",
     [("Size", ("12 oz", "16 oz"))],
     "Harbor Logo Mug|Speckled Diner Mug|Vine Mug|Tide Mug|Latte Bowl Mug|Camp Enamel Mug"),
    ("Home > Candles", "CND", "26.00", SHOP, "Material=Soy wax|Burn time=45 h",
     [("Size", ("8 oz", "12 oz"))],
     "Fig Leaf Candle|Sea Salt Candle|Cedar Candle|Espresso Candle|Orange Blossom Candle|"
     "Tomato Vine Candle|Rainy Soho Candle|Sagebrush Candle"),
    ("Stationery > Notebooks", "NBK", "12.00", SHOP, "Pages=192|Size=A5",
     [("Ruling", ("Lined", "Dot grid", "Blank"))],
     "Harbor Notebook|Field Notes Set|Sketch Journal|Recipe Notebook|Tasting Notebook|"
     "Travel Journal"),
    ("Café > Beans", "BAG", "18.00", BOTH, "Weight=12 oz|Roast=Medium",
     [("Grind", ("Whole bean", "Espresso", "Drip"))],
     "House Blend Coffee|Harbor Espresso|Silver Lake Decaf|Ethiopia Guji|Colombia Huila|"
     "Sumatra Mandheling"),
]

# Simple products: (category, sku prefix, tax class, stocked at, sold by, attributes, items).
# Items are "Name=price" separated by "|".
SIMPLE_LINES: list[tuple[str, str, str, str, str, str, str]] = [
    ("Books", "BK", "standard", SHOP, "unit", "Format=Paperback",
     "The Harbor Year=18.00|Salt and Vine=24.00|Small Batch=27.50|Coffee Atlas=32.00|"
     "Rooftop Gardens=22.00|Walking Soho=16.00|The Quiet Roaster=17.99|Letters to a Barista="
     "18.00|Tide Tables=16.00|Midnight Bodega=24.00|A Field Guide to Pastry=29.00|The Canal="
     "17.99|Sunset Stories=16.00|Grounds for Joy=22.00|Notes from the Ferry=18.00|Bread and "
     "Butter=26.00|Silver Lake Noir=17.99|How to Taste=24.00|The Vine Keeper=16.00|Kitchen "
     "Table Poems=18.00|One Pot Supper=29.00|The Long Brew=22.00|Cast Iron Days=27.50|"
     "Fermentation at Home=32.00|City of Cafés=24.00|Lighthouse Keepers=17.99|The Market "
     "Cook=29.00|Weekend Bakes=26.00|Hidden Staircases=18.00|Letters from LA=16.00"),
    ("Stationery > Cards", "CRD", "standard", SHOP, "unit", "Size=A2|Paper=Recycled",
     "Birthday Bouquet Card=6.00|Thank You Anchor Card=5.50|Congrats Confetti Card=6.00|"
     "Sympathy Olive Card=6.00|New Home Card=5.50|Wedding Vines Card=7.00|Baby Sprout Card="
     "6.00|Just Because Card=5.00|Coffee Date Card=5.50|Get Well Tea Card=5.50|Holiday Harbor "
     "Card=6.00|Love Letter Card=6.50|Graduation Card=6.00|Friendship Card=5.00|Retirement "
     "Card=6.00|Blank Linen Card=4.50|Postcard Set=12.00|Gift Tag Set=8.00"),
    ("Stationery > Pens", "PEN", "standard", SHOP, "unit", "",
     "Brass Ballpoint=38.00|Gel Pen 3-Pack=9.00|Fineliner Set=14.00|Fountain Pen=48.00|"
     "Mechanical Pencil=12.00|Highlighter Trio=7.50|Brush Pen=6.50|Pencil 6-Pack=8.00|"
     "Pen Pouch=18.00|Desk Blotter=28.00"),
    ("Home > Kitchen", "KIT", "standard", SHOP, "unit", "",
     "Pour Over Dripper=28.00|Glass Carafe=34.00|Burr Grinder=89.00|French Press=42.00|"
     "Gooseneck Kettle=64.00|Linen Tea Towel=16.00|Olive Wood Spoon=18.00|Coffee Scale=39.00|"
     "Paper Filters 100ct=8.00|Cold Brew Jar=36.00"),
    ("Home > Prints", "PRT", "standard", SHOP, "unit", "Size=11 x 14 in|Paper=Cotton rag",
     "Spring Street Print=45.00|Harbor Map Print=55.00|Vine Study Print=45.00|Ferry Print="
     "40.00|Sunset Palms Print=45.00|Espresso Diagram=38.00|Bodega Cat Print=40.00|Tide Chart "
     "Print=55.00|Citrus Still Life=48.00|Reservoir Print=45.00"),
    ("Café > Pastries", "PST", "food", CAFE, "unit", "Allergens=Gluten, dairy",
     "Butter Croissant=4.25|Almond Croissant=5.25|Pain au Chocolat=4.75|Morning Bun=5.00|"
     "Blueberry Muffin=4.00|Banana Bread=4.50|Cardamom Bun=5.25|Scone=4.25|Kouign-Amann=5.50|"
     "Cinnamon Roll=5.00|Olive Oil Cake=5.50|Chocolate Chip Cookie=3.50|Ham and Cheese "
     "Croissant=7.50|Everything Bagel=3.75|Quiche Slice=8.50"),
    ("Café > Cold drinks", "BTL", "food", CAFE, "unit", "Volume=12 fl oz",
     "Sparkling Water=3.00|Still Water=2.50|Yerba Mate=4.50|Kombucha Ginger=5.50|Orange "
     "Juice=5.00|Cold Brew Can=5.50|Lemonade=4.50|Hibiscus Soda=4.50|Oat Milk Bottle=4.00|"
     "Chocolate Milk=3.75"),
    ("Café > Beans", "LB", "standard", CAFE, "weight", "Unit=per lb|Roast=Medium",
     "House Blend by the Pound=18.00|Harbor Espresso by the Pound=20.00|Decaf by the Pound="
     "19.00|Guji by the Pound=24.00|Huila by the Pound=22.00|Sumatra by the Pound=21.00|"
     "Cold Brew Blend by the Pound=18.00|Seasonal Blend by the Pound=23.00"),
    ("Café > Coffee", "ESP", "food", MADE, "unit", "",
     "Espresso=3.25|Macchiato=3.75|Cortado=4.25|Cappuccino=4.75|Flat White=4.75|Latte=5.00|"
     "Mocha=5.50|Americano=3.75|Iced Latte=5.25|Cold Brew=4.75|Drip Coffee=3.00|Pour Over="
     "5.50|Vanilla Latte=5.75|Affogato=6.50"),
    ("Café > Tea", "TEA", "food", MADE, "unit", "",
     "Chai Latte=5.00|Matcha Latte=5.50|London Fog=5.00|Hot Tea=3.50|Iced Tea=3.75|"
     "Golden Latte=5.50|Hot Chocolate=4.50|Steamer=3.75"),
]
# fmt: on

MODIFIER_GROUPS: list[tuple[str, int, int, str]] = [
    ("Size", 1, 1, "Small=0|Medium=0.50|Large=1.00"),
    ("Milk", 0, 1, "Whole=0|Oat=0.75|Almond=0.75|Skim=0"),
    ("Extra shots", 0, 3, "Extra shot=1.00|Decaf shot=1.00|Ristretto shot=1.00"),
    ("Syrup", 0, 2, "Vanilla=0.60|Caramel=0.60|Hazelnut=0.60"),
]


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
    postings: dict[tuple[str, str, str, datetime], list[AdjustmentItemIn]] = {}
    for (sku, location_id), quantity in stock.items():
        note = f"Opening stock: {category_of[sku].split(' > ')[0]} delivery"
        line = AdjustmentItemIn(sku=sku, delta_quantity=quantity)
        postings.setdefault((location_id, "received", note, received), []).append(line)
    # Shrinkage a week later: a dropped mug, a lifted tee, spilled beans.
    for location_id, reason, sku, delta, note in (
        (shop_id, "damage", "HV-MUG-001-12OZ", "-1", "Dropped while shelving"),
        (shop_id, "theft", "HV-TEE-001-M", "-1", "Missing after the weekend"),
        (cafe_id, "loss", "HV-LB-001", "-0.5", "Spilled at the grinder"),
    ):
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
