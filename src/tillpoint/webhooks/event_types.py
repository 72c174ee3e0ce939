"""Every event type Tillpoint emits, and the patterns a subscription may name.

A test scans the source for ``"family.name"`` literals and checks each is listed here, so a
new event type cannot be emitted without subscribers being able to ask for it.
"""

EVENT_TYPES: frozenset[str] = frozenset(
    f"{family}.{name}"
    for family, names in {
        "tenant": "created updated",
        "user": "created updated deactivated mfa_enabled mfa_disabled session_revoked",
        "role": "created updated archived",
        "api_key": "created revoked",
        "location": "created updated",
        "register": "created updated archived paired unpaired",
        "employee": "created updated deactivated",
        "tax_class": "created updated archived",
        "tax_rate": "created updated archived",
        "product": "created updated archived",
        "category": "created updated archived",
        "modifier_group": "created updated archived",
        "inventory": (
            "level_changed adjustment_posted level_settings_changed reservation_changed "
            "count_opened count_lines_recorded count_committed count_cancelled "
            "transfer_created transfer_updated transfer_shipped transfer_receipt_posted "
            "transfer_received transfer_cancelled"
        ),
        "order": "created updated completed refunded voided",
        "payment": "captured",
        "gift_card": "created activated redeemed reloaded refunded returned deactivated",
        "store_credit": "issued spent refunded adjusted merged",
        "loyalty": "program_updated earned reversed redeemed returned adjusted expired merged",
        "promotion": "created updated archived codes_created",
        "shift": "opened cash_movement closed",
        "printer": "created updated archived",
        "webhook": "created updated deleted disabled",
        "customer": "created updated archived merged erased",
        "accounting": "day_closed",
    }.items()
    for name in names.split()
)
# Sent only by POST /v1/webhooks/{id}/test, to that subscription; never in the feed.
TEST_EVENT_TYPE = "webhook.test"
FAMILIES: frozenset[str] = frozenset(t.split(".", 1)[0] for t in EVENT_TYPES)


def unknown_patterns(patterns: list[str]) -> list[str]:
    """The patterns that match no event type: not ``*``, ``<family>.*`` or a listed type."""
    return [
        p
        for p in patterns
        if not (p == "*" or p in EVENT_TYPES or (p.endswith(".*") and p[:-2] in FAMILIES))
    ]


def matches(patterns: list[str], event_type: str) -> bool:
    """Whether a subscription with these ``eventTypes`` wants an event of ``event_type``."""
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False
