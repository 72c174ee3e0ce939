"""IANA timezone names, checked against the tz database."""

from functools import lru_cache
from zoneinfo import available_timezones

from tillpoint.core.errors import field_error


@lru_cache(maxsize=1)
def iana_zones() -> frozenset[str]:
    """The zone names of the server's tz database: the document's ``Timezone`` enum."""
    return frozenset(available_timezones())


def valid_timezone(name: str, field: str = "timezone") -> str:
    # Membership, not ZoneInfo(name): a directory such as "America" is no zone.
    if name not in iana_zones():
        raise field_error(field, f"unknown IANA timezone {name!r}")
    return name
