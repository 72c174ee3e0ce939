"""The demo catalog as compact tables: the product lines (sold in variants or simply), the
café's modifier groups, and where each line is stocked. ``demo.catalog`` builds the products
from them; ``demo.sales_context`` reads where each is sold.
"""

from tillpoint.catalog.schemas import SoldBy

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
SIMPLE_LINES: list[tuple[str, str, str, str, SoldBy, str, str]] = [
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
