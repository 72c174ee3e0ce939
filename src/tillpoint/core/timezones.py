"""IANA timezone names, checked against the tz database."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tillpoint.core.errors import field_error


def valid_timezone(name: str, field: str = "timezone") -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise field_error(field, f"unknown IANA timezone {name!r}") from None
    return name
