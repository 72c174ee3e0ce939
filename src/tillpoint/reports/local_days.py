"""Business days as instants: where a location's local dates begin and end in UTC.

A row belongs to the business day of its location's local date (DESIGN §4); to find the rows of
days ``first``..``last`` the query compares UTC instants with the local midnights around them.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_midnight(day: date, timezone: str) -> datetime:
    """The instant (UTC) the location's ``day`` begins. Days at the ends of the calendar, whose
    midnight falls outside what Python holds, stand at the first or last instant it holds."""
    try:
        return datetime.combine(day, time(), ZoneInfo(timezone)).astimezone(UTC)
    except OverflowError:
        return (
            datetime.min.replace(tzinfo=UTC) if day.year == 1 else datetime.max.replace(tzinfo=UTC)
        )


def day_window(first: date, last: date, timezone: str) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC: from the local midnight of ``first`` to the one after ``last``."""
    start = local_midnight(first, timezone)
    if last == date.max:
        return start, datetime.max.replace(tzinfo=UTC)
    return start, local_midnight(last + timedelta(days=1), timezone)


def local_date(moment: datetime, timezone: str) -> date:
    """The business day ``moment`` (aware) falls on at the location."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def todays(timezones: list[str], now: datetime) -> tuple[date, date]:
    """The earliest and the latest local date among the locations at ``now`` (UTC's with
    none): a report's default days, so the shop whose evening it is and the one already past
    midnight both see their today."""
    days = [local_date(now, zone) for zone in timezones] or [now.astimezone(UTC).date()]
    return min(days), max(days)
