"""Request and response model conventions: camelCase JSON, unknown fields rejected."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer
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


def _utc_z(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must include a timezone, e.g. 2026-01-21T14:42:18Z")
    return value.astimezone(UTC)


# Timestamps go out as ISO 8601 UTC with a Z; incoming ones must carry an offset.
Timestamp = Annotated[datetime, PlainSerializer(_utc_z, return_type=str, when_used="json")]
AwareDatetime = Annotated[datetime, AfterValidator(_require_aware)]


def _decimal_number(value: Decimal) -> Any:
    # JSON numbers: exact Decimals become the shortest float that prints the same digits.
    return int(value) if value == value.to_integral_value() else float(value)


# A decimal that serialises as a JSON number (money, percentages, quantities).
DecimalNumber = Annotated[
    Decimal, PlainSerializer(_decimal_number, return_type=float, when_used="json")
]

Name = Annotated[str, Field(min_length=1, max_length=200)]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]
