"""The card-number detector (core/card_numbers.py) and the log redaction that uses it."""

import json
import logging
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import Headers

from tests.support.cards import PANS, written_forms
from tillpoint.core.card_guard import find_card_data
from tillpoint.core.card_numbers import (
    ISSUER_PREFIXES,
    card_number_field,
    card_numbers_in,
    holds_card_number,
    is_card_number,
    luhn_valid,
    redact_card_numbers,
)
from tillpoint.core.gtin import gtin_check_digit
from tillpoint.core.ids import PREFIXES, new_id, new_monotonic_id
from tillpoint.core.logging import redact_secrets

# Ten digits of each script the property draws from: ASCII, full-width, Arabic-Indic, Eastern
# Arabic-Indic, Devanagari, Bengali, Thai, mathematical bold (outside the BMP), superscripts.
SCRIPTS = [
    "0123456789",
    "０１２３４５６７８９",
    "٠١٢٣٤٥٦٧٨٩",
    "۰۱۲۳۴۵۶۷۸۹",
    "०१२३४५६७८९",
    "০১২৩৪৫৬৭৮৯",
    "๐๑๒๓๔๕๖๗๘๙",
    "".join(chr(0x1D7CE + i) for i in range(10)),
    "⁰¹²³⁴⁵⁶⁷⁸⁹",
]
SEPARATORS = list(
    " -./_\\\t\n\u00a0\u2009\u202f\u3000"  # spaces and the issue's punctuation
    "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width and invisible
    "\u2013\u2014\u2212\u0336"  # dashes, minus, a combining stroke
)


def with_check_digit(body: str) -> str:
    for digit in "0123456789":
        if luhn_valid(body + digit):
            return body + digit
    raise AssertionError("unreachable")


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    """A Luhn-valid number of 13-19 digits with a prefix from the issuer table."""
    prefix = draw(st.sampled_from([p for ps in ISSUER_PREFIXES.values() for p in ps]))
    low, _, high = prefix.partition("-")
    start = str(draw(st.integers(int(low), int(high or low))))
    length = draw(st.integers(13, 19))
    rest = draw(
        st.text("0123456789", min_size=length - len(start) - 1, max_size=length - len(start) - 1)
    )
    return with_check_digit(start + rest)


@st.composite
def written(draw: st.DrawFn, number: str) -> str:
    """``number`` in groups of 1-6 digits, each digit in any script, any run of separators
    between groups, inside text that holds no other digit."""
    out, i = [], 0
    while i < len(number):
        size = draw(st.integers(1, 6))
        if i:
            out.append("".join(draw(st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=3))))
        for digit in number[i : i + size]:
            out.append(draw(st.sampled_from(SCRIPTS))[int(digit)])
        i += size
    around = st.text(st.sampled_from("pqrxyz :,;()#"), max_size=8)
    return draw(around) + "".join(out) + draw(around)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_issuer_prefixed_luhn_number_is_found_however_it_is_written(
    data: st.DataObject,
) -> None:
    number = data.draw(card_numbers())
    text = data.draw(written(number))
    assert holds_card_number(text), repr(text)
    assert number in card_numbers_in(text), repr(text)
    redacted = redact_card_numbers(text)
    assert "[REDACTED]" in redacted
    assert not holds_card_number(redacted), repr(redacted)
    assert card_number_field({"order": {"notes": [text]}}) == "order.notes[0]"


@settings(max_examples=200, deadline=None)
@given(number=card_numbers(), digit=st.integers(1, 9))
def test_a_number_that_fails_luhn_is_not_a_card_number(number: str, digit: int) -> None:
    broken = number[:-1] + str((int(number[-1]) + digit) % 10)
    assert not holds_card_number(f"ref {broken} ok")


@settings(max_examples=200, deadline=None)
@given(
    body=st.text("0123456789", min_size=12, max_size=13),
    key=st.sampled_from(["barcode", "gtin", "upc", "ean", "Barcode"]),
)
def test_gtin_13_and_14_in_barcode_fields_are_not_refused(body: str, key: str) -> None:
    gtin = body + str(gtin_check_digit(body))
    assert card_number_field({"items": [{key: gtin, "name": "Jam"}]}) is None
    headers = Headers({"content-type": "application/json"})
    scope = {"path": "/v1/catalog/products", "query_string": f"{key}={gtin}".encode()}
    assert find_card_data(scope, headers, json.dumps({key: gtin}).encode()) is None
    csv = f"sku,name,{key},price\nA-1,Jam,{gtin},3\n".encode()
    assert find_card_data(scope, Headers({"content-type": "text/csv"}), csv) is None


def test_the_test_numbers_are_card_numbers_and_every_written_form_is_found() -> None:
    for pan in PANS.values():
        assert is_card_number(pan), pan
        for form, text in written_forms(pan).items():
            assert card_numbers_in(text) == [pan], (pan, form)


@settings(max_examples=500, deadline=None)
@given(key=st.uuids())
def test_uuids_and_hex_ids_are_not_card_numbers(key: uuid.UUID) -> None:
    assert not holds_card_number(str(key))
    assert not holds_card_number(key.hex)
    assert not holds_card_number(f"trace-{key.hex}-ab")


def test_generated_ids_are_never_card_like() -> None:
    for resource in PREFIXES:
        for _ in range(200):
            assert not holds_card_number(new_id(resource))
            assert not holds_card_number(new_monotonic_id(resource))


def test_ordinary_digits_are_not_card_numbers() -> None:
    for text in [
        "trace-1234567890123-ab",
        "4242424242424241",  # Luhn fails
        "1234567890123452",  # Luhn passes, but no issuer starts with 1
        "123456789012",  # 12 digits
        "42424242424242424242",  # 20 digits in one run
        "ord_01JD0000000000000000000000",
        "2026-01-21T14:42:18.123Z",
        "2026-01-21 14:42:18",
        "1,234,567,890,123.45",
        "v4.242.4242.4242",
        "+44 20 7946 0958",
    ]:
        assert not holds_card_number(text), text
        assert redact_card_numbers(text) == text


def test_logs_mask_card_numbers_by_the_detector_and_keep_ids_intact() -> None:
    request_id = "trace-1234567890123-ab"
    generated = uuid.uuid4().hex
    event = {
        "event": f"paid with {written_forms(PANS['amex'])['dots']}",
        "request_id": request_id,
        "generated": generated,
        "path": f"/v1/orders/{new_id('order')}",
        "count": 1234567890123452,
        "pan": int(PANS["visa"]),
        "nested": {"notes": [f"x{written_forms(PANS['visa'])['full-width digits']}y"]},
        "password": "hunter2",
    }
    out = redact_secrets(logging.getLogger("test"), "info", event)
    assert out["request_id"] == request_id
    assert out["generated"] == generated
    assert out["path"] == event["path"]
    assert out["count"] == 1234567890123452  # passes Luhn, no issuer: a number, kept
    assert out["event"] == "paid with [REDACTED]"
    assert out["pan"] == "[REDACTED]"
    assert out["nested"] == {"notes": ["x[REDACTED]y"]}
    assert out["password"] == "[REDACTED]"
    assert not card_numbers_in(str(out))


def test_the_guard_reads_every_body_encoding_the_app_would_accept() -> None:
    scope = {"path": "/v1/orders", "query_string": b""}
    as_json = Headers({"content-type": "application/json"})
    escaped = b'{"notes": "\\u0034242\\n4242\\t4242 4242"}'  # JSON escapes hide the digits
    assert find_card_data(scope, as_json, escaped) == "notes"
    utf16 = json.dumps({"lineItems": [{"notes": PANS["visa"]}]}).encode("utf-16")
    assert find_card_data(scope, as_json, utf16) == "lineItems[0].notes"
    nan = b'{"price": NaN, "ref": 42424242424242424242424, "n": "' + PANS["jcb"].encode() + b'"}'
    assert find_card_data(scope, as_json, nan) == "n"
    float_pan = f'{{"n": {PANS["visa"]}0e-1}}'.encode()
    assert find_card_data(scope, as_json, float_pan) == "n"
    form = Headers({"content-type": "application/x-www-form-urlencoded"})
    assert find_card_data(scope, form, b"a=1&note=4242%204242%204242%204242") == "note"
    text = Headers({"content-type": "text/plain"})
    assert find_card_data(scope, text, f"hello {PANS['amex']}".encode()) == "body"
    # Not JSON and no card number: nothing to say (the endpoint answers the bad body).
    assert find_card_data(scope, as_json, b'{"notes": "4242 4242",') is None
