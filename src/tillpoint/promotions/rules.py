"""The rules a promotion checks before the engine prices it: when (local dates, weekdays and
hours), where (locations, sources), how often (uses overall and per customer) and for whom
(first orders). Pure: the caller reads the facts; ``refusal`` names the first rule that fails,
as the error code a coupon is refused with.

Dates and times are read in the order's location's timezone at the moment of the sale
(the order's ``occurredAt``): a promotion starting on 5 December starts at midnight there.
``startTime``–``endTime`` is a half-open window (an ``endTime`` before the ``startTime`` runs
past midnight, so 22:00–02:00 is the late shift of one evening and the small hours of the
next day's date).
"""

from dataclasses import dataclass
from datetime import datetime

from tillpoint.promotions.models import Promotion


@dataclass(frozen=True)
class OrderFacts:
    """What the rules need to know about the order being priced."""

    location_id: str
    source: str
    local_time: datetime  # occurredAt in the location's timezone
    customer_id: str | None
    customer_has_orders: bool  # a completed order of this customer other than this one


def _in_window(promotion: Promotion, local: datetime) -> bool:
    day = local.date()
    if promotion.start_date is not None and day < promotion.start_date:
        return False
    if promotion.end_date is not None and day > promotion.end_date:
        return False
    if promotion.weekdays and local.isoweekday() not in promotion.weekdays:
        return False
    if promotion.start_time is None or promotion.end_time is None:
        return True
    clock = local.strftime("%H:%M")
    if promotion.start_time <= promotion.end_time:
        return promotion.start_time <= clock < promotion.end_time
    return clock >= promotion.start_time or clock < promotion.end_time


def refusal(
    promotion: Promotion,
    facts: OrderFacts,
    *,
    customer_uses: int,
    coupon_uses: int | None = None,
    coupon_max_uses: int | None = None,
) -> str | None:
    """The error code of the first rule ``promotion`` fails for this order, or None.
    ``customer_uses``: the customer's counted uses of it; ``coupon_*``: of the code entered."""
    if not promotion.active or promotion.archived_at is not None:
        return "COUPON_NOT_FOUND"
    if promotion.location_ids and facts.location_id not in promotion.location_ids:
        return "DISCOUNT_NOT_APPLICABLE"
    if promotion.sources and facts.source not in promotion.sources:
        return "DISCOUNT_NOT_APPLICABLE"
    if not _in_window(promotion, facts.local_time):
        return "INVALID_DISCOUNT_DATES"
    if promotion.max_uses is not None and promotion.uses >= promotion.max_uses:
        return "DISCOUNT_MAX_USAGES_REACHED_LIMIT"
    if coupon_max_uses is not None and (coupon_uses or 0) >= coupon_max_uses:
        return "DISCOUNT_MAX_USAGES_REACHED_LIMIT"
    if promotion.max_uses_per_customer is not None:
        if facts.customer_id is None:
            return "DISCOUNT_NOT_APPLICABLE"  # a per-customer limit needs a customer
        if customer_uses >= promotion.max_uses_per_customer:
            return "DISCOUNT_MAX_USAGES_REACHED_LIMIT"
    if promotion.first_order_only and (facts.customer_id is None or facts.customer_has_orders):
        return "DISCOUNT_ONLY_ALLOW_FIRST_ORDER"
    return None
