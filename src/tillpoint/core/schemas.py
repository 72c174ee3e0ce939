"""Request and response model conventions: camelCase JSON, unknown fields rejected."""

import re
from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from tillpoint.core.timezones import iana_zones


class ApiModel(BaseModel):
    """Base of every request and response body.

    Strict: a JSON value of another type than the document names is refused, not converted
    (``true`` is not 1, ``1`` is not true, ``"5"`` is not 5). Timestamps and decimals, whose
    JSON forms are text and numbers, say so themselves (``AwareDatetime``, ``json_decimal``).
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        strict=True,
        from_attributes=True,
        ser_json_timedelta="float",
    )

    @model_validator(mode="wrap")
    @classmethod
    def _plain_json_only(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        # Only parsed JSON needs the walk; responses are built from our own objects. The
        # outermost model walks the whole document once: the models nested in it validate
        # parts of what it walked (walking again at every level made a 1,000-product batch
        # spend two thirds of its validation walking).
        if _walking.get() or not isinstance(data, dict | list):
            return handler(data)
        _check_input(data)
        token = _walking.set(True)
        try:
            return handler(data)
        finally:
            _walking.reset(token)


# Set while a document that was walked is being validated.
_walking: ContextVar[bool] = ContextVar("tillpoint_walking_input", default=False)


MAX_NESTING = 32


def _check_input(data: Any) -> None:
    """Refuse NUL characters (PostgreSQL text cannot hold U+0000) and absurd nesting.

    Walks iteratively: a body nested thousands deep must be a 400, not a RecursionError. Only
    containers go on the stack; text is checked where it is met (a response model built from a
    dict walks it too, so this runs for every product of a page: keep it lean).
    """
    stack: list[tuple[Any, int]] = [(data, 0)]  # data: a dict or a list (the caller's check)
    while stack:
        value, depth = stack.pop()
        if depth >= MAX_NESTING:
            raise ValueError(f"nested more than {MAX_NESTING} levels deep")
        items = (*value.keys(), *value.values()) if isinstance(value, dict) else value
        for item in items:
            if isinstance(item, str):
                if "\x00" in item:
                    raise ValueError("text must not contain the NUL character (U+0000)")
            elif isinstance(item, dict | list | tuple):
                stack.append((item, depth + 1))


def utc_z(value: datetime) -> str:
    """ISO 8601 UTC to the millisecond with a ``Z``. ``isoformat`` rather than ``strftime``:
    half the cost (a page of 200 products writes 1,600 of these), and a year below 1000 keeps
    its four digits (``0001-01-01T00:00:00.000Z``; strftime wrote ``1-01-01…``)."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


# RFC 3339, what the document's `format: date-time` promises: a date, `T`, a time and an offset.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _iso_text(value: Any) -> Any:
    # Pydantic alone would read 1700000000 (or "0.5" in a query) as Unix seconds, and a date
    # without a time as midnight: neither is the documented form.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise PydanticCustomError(
            "datetime_type",
            "Input should be an ISO 8601 date-time with an offset, e.g. 2026-01-21T14:42:18Z",
        )
    return value


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must include a timezone, e.g. 2026-01-21T14:42:18Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00+01:00 is a valid date-time whose instant is before the first one
        # Python holds (9999-12-31T23:59-01:00 after the last): the nearest one stands for it.
        if value.year == 1:
            return datetime.min.replace(tzinfo=UTC)
        return datetime.max.replace(tzinfo=UTC)


# Timestamps go out as ISO 8601 UTC with a Z; incoming ones are RFC 3339 text with an offset.
# Response-side types are lax (``strict=False``): they are built from our own rows and stored
# JSON, where a quantity may be kept as text.
Timestamp = Annotated[
    datetime, PlainSerializer(utc_z, return_type=str, when_used="json"), Field(strict=False)
]
AwareDatetime = Annotated[
    datetime, BeforeValidator(_iso_text), AfterValidator(_require_aware), Field(strict=False)
]


def json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number, at the JSON boundary only: whole values as integers, others
    as the shortest float that prints the same digits (money and quantities stay exact inside)."""
    return int(value) if value == value.to_integral_value() else float(value)


# A decimal that serialises as a JSON number (money, percentages, quantities).
DecimalNumber = Annotated[
    Decimal,
    PlainSerializer(json_number, return_type=float, when_used="json"),
    Field(strict=False),
]


def _given(*fields: str) -> dict[str, Any]:
    # Each of these camelCase fields present and not null (a null is the field left out).
    return {"required": list(fields), "properties": {f: {"not": {"type": "null"}} for f in fields}}


def exactly_one_of(*fields: str) -> dict[str, Any]:
    """A model's rule "give exactly one of these fields", in the document (its
    ``json_schema_extra``); the model's own validator enforces it with its message."""
    return {"oneOf": [_given(field) for field in fields]}


def percentage_at_most_100() -> dict[str, Any]:
    """A discount's or service charge's rule, in the document: a ``percentage`` value is at most
    100 (``fixed`` ones are amounts, bounded as money)."""
    return {
        "if": {"properties": {"type": {"const": "percentage"}}, "required": ["type"]},
        "then": {"properties": {"value": {"maximum": 100}}},
    }


def not_both(first: str, second: str) -> dict[str, Any]:
    """A model's rule "not both of these fields", in the document, as ``exactly_one_of``."""
    return {"not": _given(first, second)}


def _integral(value: Any) -> Any:
    # JSON Schema's integer is a number without a fraction, so 1.0 is the integer 1 (and what
    # the document's `type: integer` admits); text and booleans stay refused, as `strict` says.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer in a request body takes 3 or 3.0, not 3.5, "3" or true:
# ``Annotated[int, Field(ge=…), INTEGRAL]`` (after the bounds, which then stay in the document).
INTEGRAL = BeforeValidator(_integral)
# Optimistic-concurrency version named by a client (fits the database's integer).
Version = Annotated[int, Field(ge=1, le=2**31 - 1), INTEGRAL]
# Names may not be blank. Text is kept as sent (nothing is trimmed before or after the length
# check), so what the document says of a string is what the server does with it.
# Text that is not blank: one character that is not whitespace to the server's regex engine
# (Rust's, where U+0085 is whitespace) nor to a client's JSON Schema one (ECMAScript's, where
# U+FEFF is), so the document and the server agree on every string.
NOT_BLANK = r"[^\s\u0085\ufeff]"
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
ShortText = Annotated[str, Field(max_length=200)]


def _known_zone(value: str) -> str:
    if value not in iana_zones():
        raise ValueError(f"unknown IANA timezone {value!r}")
    return value


# An IANA timezone name; the document lists the zones of the server's tz database, so a name
# it admits is one the server knows.
Timezone = Annotated[
    str,
    Field(max_length=64),
    AfterValidator(_known_zone),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": 64,
            "enum": sorted(iana_zones()),
            "description": "An IANA timezone",
        },
        mode="validation",
    ),
]
LongText = Annotated[str, Field(max_length=4000)]


def _number_only(value: Any) -> Any:
    # An amount is a JSON number: "12.50", "" and true are not (the document says `number`).
    if isinstance(value, bool | str):
        raise PydanticCustomError("decimal_type", "Input should be a number")
    return value


def _bound(value: Decimal | int) -> int | float:
    return json_number(Decimal(value))


def json_decimal(
    *,
    places: int,
    le: Decimal | int,
    ge: Decimal | int | None = None,
    gt: Decimal | int | None = None,
    enforce_places: bool = True,
) -> Any:
    """A decimal sent as a JSON number with at most ``places`` decimals, documented as a number
    with ``multipleOf``; ``enforce_places=False`` leaves the decimals to the caller (money: the
    tenant's currency decides)."""
    step = Decimal(1).scaleb(-places)
    # The float is only the number written into the OpenAPI document (JSON has no decimals);
    # the value itself is validated and kept as a Decimal.
    schema: dict[str, Any] = {"type": "number", "maximum": _bound(le), "multipleOf": float(step)}
    if ge is not None:
        schema["minimum"] = _bound(ge)
    if gt is not None:
        schema["exclusiveMinimum"] = _bound(gt)
    return Annotated[
        Decimal,
        BeforeValidator(_number_only),
        Field(
            ge=ge,
            gt=gt,
            le=le,
            decimal_places=places if enforce_places else None,
            allow_inf_nan=False,
            strict=False,
        ),
        WithJsonSchema(schema, mode="validation"),
        PlainSerializer(json_number, return_type=float, when_used="json"),
    ]


MONEY_MAX = Decimal("999999999999")
QUANTITY_MAX = Decimal("999999999")
# Money in major units (24.00); converted to minor units with the tenant's currency precision,
# which rejects more decimal places than the currency has. The document states two places (the
# currencies of most tenants); a JPY tenant takes none, a KWD tenant three (docs/api.md).
# Money that must be above zero (a payment, a paid-in) has its own bounds, not Money's plus
# gt=0: stacked on ge=0, a negative amount would read "greater than or equal to 0" while zero
# reads "greater than 0" — one rule, two messages. Quantities: up to 3 decimal places (sold by
# weight), stored as integer thousandths.
Money = json_decimal(places=2, ge=0, le=MONEY_MAX, enforce_places=False)
PositiveMoney = json_decimal(places=2, gt=0, le=MONEY_MAX, enforce_places=False)
SignedMoney = json_decimal(places=2, ge=-QUANTITY_MAX, le=QUANTITY_MAX, enforce_places=False)
Quantity = json_decimal(places=3, ge=0, le=QUANTITY_MAX)
PositiveQuantity = json_decimal(places=3, gt=0, le=QUANTITY_MAX)
SignedQuantity = json_decimal(places=3, ge=-QUANTITY_MAX, le=QUANTITY_MAX)
# Percent numbers (tax rates): 8.875 means 8.875 %, up to 4 decimals.
Percent = json_decimal(places=4, ge=0, le=100)
# Rates finer than money (loyalty points per currency unit, a point's value), up to 6 decimals.
Rate = json_decimal(places=6, ge=0, le=1000)
PositiveRate = json_decimal(places=6, gt=0, le=1000)
