"""Barcode validation: GTIN-8, -12 (UPC-A), -13 (EAN) and -14 with their check digit."""

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


def barcode_problem(code: str, *, internal: bool) -> str | None:
    """Why ``code`` cannot be stored as a barcode, or None when it can."""
    if internal:
        if not code or len(code) > 64 or not code.isprintable() or code != code.strip():
            return "an internal code is 1 to 64 printable characters without surrounding spaces"
        return None
    if not (code.isascii() and code.isdigit()) or len(code) not in GTIN_LENGTHS:
        return "a GTIN has 8, 12, 13 or 14 digits (mark other codes with barcodeInternal)"
    if not is_valid_gtin(code):
        return f"the check digit should be {gtin_check_digit(code[:-1])}"
    return None
