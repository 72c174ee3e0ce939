"""Barcode validation: GTIN-8, -12 (UPC-A), -13 (EAN) and -14 with their check digit
(``core.gtin``), or an internal code the shop prints itself."""

from tillpoint.core.gtin import GTIN_LENGTHS, gtin_check_digit, is_valid_gtin

__all__ = ["GTIN_LENGTHS", "barcode_problem", "gtin_check_digit", "is_valid_gtin"]


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
