"""GTINs (GTIN-8, -12 UPC-A, -13 EAN, -14) and their GS1 check digit.

In core because two places need the one rule: the catalog validates barcodes with it, and the
card-number guard lets a valid GTIN in a barcode field pass without the card checks.
"""

GTIN_LENGTHS = frozenset({8, 12, 13, 14})


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for the digits before it: weights 3,1,3,… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    return (
        code.isascii()
        and code.isdigit()
        and len(code) in GTIN_LENGTHS
        and gtin_check_digit(code[:-1]) == int(code[-1])
    )
