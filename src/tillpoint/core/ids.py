"""Typed, time-sortable identifiers: a type prefix plus a ULID (``loc_01JD…``)."""

import threading

from ulid import ULID

from tillpoint.core.card_numbers import holds_card_number

# One prefix per resource type. Path parameters are named ``<resource>_id`` after these keys.
PREFIXES: dict[str, str] = {
    "tenant": "ten",
    "user": "usr",
    "role": "rol",
    "session": "ses",
    "api_key": "key",
    "location": "loc",
    "register": "reg",
    "employee": "emp",
    "tax_class": "txc",
    "tax_rate": "txr",
    "event": "evt",
    "job": "job",
    "audit": "aud",
    "category": "cat",
    "product": "prd",
    "variant": "var",
    "modifier_group": "mdg",
    "modifier_option": "mdo",
    "catalog_import": "imp",
    "adjustment": "adj",
    "movement": "mov",
    "count": "cnt",
    "transfer": "trf",
    "transfer_receipt": "trr",
    "order": "ord",
    "line_item": "li",
    "payment": "pay",
    "refund": "ref",
    "shift": "shf",
    "cash_movement": "csh",
    "loyalty_entry": "lpe",
    "printer": "prn",
    "webhook": "whk",
    "delivery": "whd",
    "webhook_attempt": "wha",
    "customer": "cust",
    "consent": "cns",
    "gift_card": "gc",
    "gift_card_entry": "gce",
    "store_credit_entry": "sce",
    "promotion": "prm",
    "coupon": "cpn",
    "promotion_redemption": "prr",
    "register_credential": "rcd",
}


def new_id(resource: str) -> str:
    while True:
        value = f"{PREFIXES[resource]}_{ULID()}"
        # Some one in 10^8 ULIDs holds a Luhn-valid, issuer-prefixed run of digits: such an
        # id would be refused in every request that names it, and masked in the logs.
        if not holds_card_number(value):
            return value


_last_monotonic = 0
_monotonic_lock = threading.Lock()


def new_monotonic_id(resource: str) -> str:
    """An id that sorts after every other one this function made in this process, even within
    one millisecond or when the clock steps back: for rows whose order of creation is their
    order of work (jobs of one ordering key run in id order)."""
    global _last_monotonic
    with _monotonic_lock:
        value = max(int(ULID()), _last_monotonic + 1)
        while holds_card_number(str(ULID.from_int(value))):  # as in new_id
            value += 1
        _last_monotonic = value
    return f"{PREFIXES[resource]}_{ULID.from_int(value)}"


def has_prefix(value: str, resource: str) -> bool:
    """True when ``value`` is shaped like an id of ``resource`` (prefix and 26 ULID characters)."""
    prefix = PREFIXES[resource] + "_"
    return value.startswith(prefix) and len(value) == len(prefix) + 26
