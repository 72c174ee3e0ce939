"""Phone numbers in E.164, by the phonenumbers library (Google's libphonenumber metadata).

A number written without a country code is read as a number of the tenant's *home country*:
the country of its first location (by creation) that has one in its address. A tenant has no
country of its own, and its currency does not name one (EUR is many countries, USD several);
its locations do, and a shop's customers mostly share its first shop's country. With no such
location, a number must carry its country code (+…).
"""

import phonenumbers
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.errors import field_error
from tillpoint.stores.models import Location


async def home_region(session: AsyncSession) -> str | None:
    """The country (ISO 3166-1 alpha-2) of the tenant's first location that has one."""
    countries = await session.execute(select(Location.id, Location.address).order_by(Location.id))
    for _, address in countries:
        country = (address or {}).get("country")
        if country:
            return str(country)
    return None


def normalise_phone(raw: str, region: str | None, field: str = "phone") -> tuple[str, str]:
    """(E.164, national significant number) of ``raw``; 400 on ``field`` when it is not a
    valid number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        hint = "" if region else " (no location has a country: start with + and the country code)"
        raise field_error(field, f"not a phone number{hint}") from None
    if not phonenumbers.is_valid_number(number):
        raise field_error(field, "not a valid phone number for its country")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, phonenumbers.national_significant_number(number)
