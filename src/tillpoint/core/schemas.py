"""Request and response model conventions: camelCase JSON, unknown fields rejected."""

from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PlainSerializer,
    model_validator,
)
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """Base of every request and response body."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        from_attributes=True,
        str_strip_whitespace=True,
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

    Walks iteratively: a body nested thousands deep must be a 400, not a RecursionError.
    """
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("text must not contain the NUL character (U+0000)")
        elif isinstance(value, dict | list | tuple):
            if depth >= MAX_NESTING:
                raise ValueError(f"nested more than {MAX_NESTING} levels deep")
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)


def _utc_z(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must include a timezone, e.g. 2026-01-21T14:42:18Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("out of range") from None


# Timestamps go out as ISO 8601 UTC with a Z; incoming ones must carry an offset.
Timestamp = Annotated[datetime, PlainSerializer(_utc_z, return_type=str, when_used="json")]
AwareDatetime = Annotated[datetime, AfterValidator(_require_aware)]


def json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number, at the JSON boundary only: whole values as integers, others
    as the shortest float that prints the same digits (money and quantities stay exact inside)."""
    return int(value) if value == value.to_integral_value() else float(value)


# A decimal that serialises as a JSON number (money, percentages, quantities).
DecimalNumber = Annotated[
    Decimal, PlainSerializer(json_number, return_type=float, when_used="json")
]

# Optimistic-concurrency version named by a client (fits the database's integer).
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]

# Money in major units (24.00); converted to minor units with the tenant's currency precision,
# which rejects more decimal places than the currency has.
Money = Annotated[
    Decimal,
    Field(ge=0, le=Decimal("999999999999"), allow_inf_nan=False),
    PlainSerializer(json_number, return_type=float, when_used="json"),
]
# Money that must be above zero (a payment, a paid-in). Its own bounds, not Money's plus gt=0:
# stacked on Money's ge=0, a negative amount would fail ge first and read "greater than or equal
# to 0" while zero reads "greater than 0" — one rule, two messages.
PositiveMoney = Annotated[
    Decimal,
    Field(gt=0, le=Decimal("999999999999"), allow_inf_nan=False),
    PlainSerializer(json_number, return_type=float, when_used="json"),
]
# Quantities: up to 3 decimal places (sold by weight), stored as integer thousandths.
Quantity = Annotated[
    Decimal,
    Field(ge=0, le=Decimal("999999999"), decimal_places=3, allow_inf_nan=False),
    PlainSerializer(json_number, return_type=float, when_used="json"),
]
# A quantity above zero (a line, a refund, a transfer), bounded on its own as PositiveMoney is.
PositiveQuantity = Annotated[
    Decimal,
    Field(gt=0, le=Decimal("999999999"), decimal_places=3, allow_inf_nan=False),
    PlainSerializer(json_number, return_type=float, when_used="json"),
]
SignedQuantity = Annotated[
    Decimal,
    Field(ge=Decimal("-999999999"), le=Decimal("999999999"), decimal_places=3, allow_inf_nan=False),
    PlainSerializer(json_number, return_type=float, when_used="json"),
]
