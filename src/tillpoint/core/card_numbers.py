"""Finding full card numbers (PANs): the one detector behind the request guard and the logs.

Card capture happens on an external terminal, never through us. A card number is 13 to 19
digits that pass the Luhn check and begin with a card issuer's prefix (``ISSUER_PREFIXES``).

Before looking, text is normalised so that no way of writing the digits hides them:

- NFKC: full-width ``０-９``, superscript and circled digits become ``0-9``; no-break and
  other Unicode spaces become spaces. Digits of every script count (``\\d``: Arabic-Indic
  ``٤``, Devanagari ``४`` …).
- Any run of separators between two digits is looked through: whitespace and invisible
  characters (Unicode categories Z*, Cc, Cf — no-break, zero-width U+200B–U+200D, U+2060,
  U+FEFF), combining marks (Mn, Me), dashes (Pd, the minus sign), connectors (Pc: ``_``),
  ``.``, ``/``, ``\\`` and middle dots. Other punctuation (``,`` ``:`` ``+``) and letters end
  a number, so money (``1,234.56``), times and ids stay what they are.

Digits split by separators form groups; any consecutive groups holding 13–19 digits together
are a candidate, so a number followed by more digits (``4242 4242 4242 4242 12/29``) is found
too. One unbroken run of more than 19 digits is not a card number.
"""

import functools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from tillpoint.core.gtin import is_valid_gtin

# Issuer identification number ranges (ISO/IEC 7812 IINs as the card networks publish them;
# the table follows Wikipedia's "Payment card number" list). Lengths are not checked per
# brand: every brand counts at 13 to 19 digits.
ISSUER_PREFIXES: dict[str, tuple[str, ...]] = {
    "Visa": ("4",),
    "Mastercard": ("51-55", "2221-2720"),
    "American Express": ("34", "37"),
    "Discover": ("6011", "644-649", "65"),
    "JCB": ("3528-3589",),
    "Diners Club": ("300-305", "36", "38-39"),
    "UnionPay": ("62", "81"),
    "Maestro": ("50", "56-69"),
    "Mir": ("2200-2204",),
    "RuPay": ("60", "65", "81", "82", "508", "353", "356"),
    "Troy": ("65", "9792"),
    "UzCard / Humo": ("8600", "9860"),
}


def _issuer_heads() -> frozenset[str]:
    """Every 4-digit start of a number that some issuer's prefix covers (all are ≤ 4 digits)."""
    heads = set()
    for prefixes in ISSUER_PREFIXES.values():
        for prefix in prefixes:
            low, _, high = prefix.partition("-")
            pad = 4 - len(low)
            for value in range(int(low) * 10**pad, (int(high or low) + 1) * 10**pad):
                heads.add(f"{value:04d}")
    return frozenset(heads)


_ISSUER_HEADS = _issuer_heads()


def has_issuer_prefix(digits: str) -> bool:
    return digits[:4] in _ISSUER_HEADS


# A digit's contribution when it is doubled: 2d, less 9 when that is above 9.
_DOUBLED = str.maketrans("0123456789", "0246813579")


def luhn_valid(digits: str) -> bool:
    kept, doubled = digits[-1::-2], digits[-2::-2].translate(_DOUBLED)
    return (sum(map(int, kept)) + sum(map(int, doubled))) % 10 == 0


def is_card_number(digits: str) -> bool:
    """Whether a string of ASCII digits is a card number: 13–19 digits, an issuer's prefix,
    and the Luhn check."""
    return 13 <= len(digits) <= 19 and has_issuer_prefix(digits) and luhn_valid(digits)


_SEPARATOR_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me", "Pd", "Pc"})
# Separators outside those categories: dot, slashes, middle dots and bullets, minus signs.
_SEPARATOR_EXTRA = "./\\\u00b7\u2022\u2027\u2219\u30fb\u2212\u2044\u2215\u2236"
# Every code point of those categories lies in planes 0-3 or in plane 14 (tags, variation
# selectors); scanning only these keeps the first non-ASCII look quick.
_SCANNED = (range(0x32400), range(0xE0000, 0xE1000))


@functools.cache
def _unicode_run() -> re.Pattern[str]:
    """A digit, then digits and separators: where a card number may be (text not ASCII)."""
    points = sorted(
        {ord(c) for c in _SEPARATOR_EXTRA}
        | {
            point
            for block in _SCANNED
            for point in block
            if unicodedata.category(chr(point)) in _SEPARATOR_CATEGORIES
        }
    )
    spans: list[list[int]] = []
    for point in points:
        if spans and spans[-1][1] == point - 1:
            spans[-1][1] = point
        else:
            spans.append([point, point])
    separators = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in spans
    )
    return re.compile(rf"\d[\d{separators}]{{12,}}")


# The same for ASCII text (most of it), whose separators are few: controls, space, - . / \ _
_ASCII_RUN = re.compile(r"[0-9][0-9\x00-\x20\x7f./\\_-]{12,}")
_GROUP = re.compile(r"\d+")
# Hexadecimal ids — a UUID, or 32, 40 or 64 hex characters (trace ids, digests) — standing
# alone: their digits are an id's, not a card number (a uuid4 would look like one ~1 in 800).
_HEX_ID = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    r"[0-9a-fA-F]{12}|[0-9a-fA-F]{64}|[0-9a-fA-F]{40}|[0-9a-fA-F]{32})(?![0-9A-Za-z])"
)


def normalise(text: str) -> str:
    """The text as the detector reads it (NFKC); ASCII text is returned as it is."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _ascii_digits(group: str) -> str:
    return group if group.isascii() else "".join(str(unicodedata.decimal(c)) for c in group)


def _hex_ids(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _HEX_ID.finditer(text) if not m[0].replace("-", "").isdigit()]


def _card_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where card numbers are in normalised ``text``: (start, end) of each, in order found."""
    hex_ids: list[tuple[int, int]] | None = None
    pattern = _ASCII_RUN if text.isascii() else _unicode_run()
    for run in pattern.finditer(text):
        token = run[0]
        if token.isdigit():  # one group, the usual case: one candidate
            digits = _ascii_digits(token)
            if len(digits) > 19 or not (has_issuer_prefix(digits) and luhn_valid(digits)):
                continue
            hex_ids = _hex_ids(text) if hex_ids is None else hex_ids
            if not any(a <= run.start() and run.end() <= b for a, b in hex_ids):
                yield run.span()
            continue
        base = run.start()
        groups = [(base + m.start(), base + m.end(), m[0]) for m in _GROUP.finditer(token)]
        digits = _ascii_digits("".join(group for _, _, group in groups))
        if len(digits) < 13:
            continue
        offset = 0
        for i, (start, _, first) in enumerate(groups):
            head = digits[offset : offset + 19]
            offset += len(first)
            if len(head) < 13 or not has_issuer_prefix(head):
                continue
            length = 0
            for _, end, group in groups[i:]:
                length += len(group)
                if length > 19:
                    break
                if length >= 13 and luhn_valid(head[:length]):
                    hex_ids = _hex_ids(text) if hex_ids is None else hex_ids
                    if not any(a <= start and end <= b for a, b in hex_ids):
                        yield start, end


def holds_card_number(text: str) -> bool:
    """Whether ``text`` holds a card number in any of the ways of writing one."""
    return next(_card_spans(normalise(text)), None) is not None


def card_numbers_in(text: str) -> list[str]:
    """The card numbers ``text`` holds, as plain ASCII digits (for sweeps of stored data)."""
    normal = normalise(text)
    return [
        _ascii_digits("".join(_GROUP.findall(normal[start:end])))
        for start, end in _card_spans(normal)
    ]


def redact_card_numbers(text: str, mask: str = "[REDACTED]") -> str:
    """``text`` with each card number replaced by ``mask``; untouched when it holds none (when
    it does, the rest comes back NFKC-normalised)."""
    normal = normalise(text)
    spans = sorted(_card_spans(normal))
    if not spans:
        return text
    out, position = [], 0
    for start, end in spans:
        if end <= position:
            continue
        out.append(normal[position : max(start, position)])
        out.append(mask)
        position = end
    out.append(normal[position:])
    return "".join(out)


# Fields that hold a product's code: its barcode, or its SKU (many shops use the EAN as the SKU).
PRODUCT_CODE_KEYS = frozenset({"barcode", "gtin", "upc", "ean", "sku", "parentsku"})


def is_product_code_name(name: str) -> bool:
    """A field (JSON key, query parameter, CSV column) that holds a barcode or a SKU."""
    return re.sub(r"[^a-z]", "", name.lower()) in PRODUCT_CODE_KEYS


def exempt_product_code(name: str, value: Any) -> bool:
    """A product code field holding a valid GTIN: checked by the GTIN rules, not as a card
    number (a GTIN-13 passes Luhn about one time in ten; a 16-digit card number is never a
    GTIN). Anything else there (an internal code) is checked like any other text."""
    return isinstance(value, str) and is_valid_gtin(value) and is_product_code_name(name)


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # 4242424242424242.0 and its integer digits both.
        whole = f"|{int(value)}" if value.is_integer() and abs(value) < 1e20 else ""
        return repr(value) + whole
    return None


# Where a text is in a JSON document: (parent, key or index), linked up to None (the whole).
Where = tuple["Where", str | int] | None


def _leaves(document: Any) -> Iterator[tuple[Where, str]]:
    """Every text of a parsed JSON document (keys, strings, numbers) with where it is; a key
    is reported as its object, before anything under it, so no path names a refused key."""
    stack: list[tuple[Where, Any]] = [(None, document)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                yield where, str(key)
                if not exempt_product_code(str(key), child):
                    stack.append(((where, str(key)), child))
        elif isinstance(item, list):
            stack.extend(((where, i), child) for i, child in enumerate(item))
        else:
            text = _scalar_text(item)
            if text is not None:
                yield where, text


def field_path(where: Where) -> str:
    """``lineItems[0].notes`` for where a text is; ``body`` for the document as a whole."""
    parts: list[str | int] = []
    while where is not None:
        where, part = where
        parts.append(part)
    path = ""
    for part in reversed(parts):
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "body"


def card_number_field(document: Any) -> str | None:
    """The field of a parsed JSON document that holds a card number, or None."""
    # One pass over all the text first: most documents hold none, and paths cost.
    if not holds_card_number("|".join(text for _, text in _leaves(document))):
        return None
    for where, text in _leaves(document):
        if holds_card_number(text):
            return field_path(where)
    return None
