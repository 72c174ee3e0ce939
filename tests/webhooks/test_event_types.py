"""The event-type catalog that subscriptions are checked against covers every type emitted."""

import ast
import re
from pathlib import Path

from tillpoint.webhooks.event_types import EVENT_TYPES, FAMILIES, matches, unknown_patterns

SOURCE = Path(__file__).parents[2] / "src" / "tillpoint"
EVENT_LITERAL = re.compile(r"([a-z_]+)\.([a-z_]+)")


def emitted_types() -> set[str]:
    """Every string literal shaped ``family.name`` whose family is one events use, outside the
    catalog itself — what record_event / record_change calls and their helpers are given."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        if path.name == "event_types.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                match = EVENT_LITERAL.fullmatch(node.value)
                if match and match[1] in FAMILIES and not match[2].endswith("_id"):
                    found.add(node.value)
    return found


def test_every_emitted_type_is_in_the_catalog() -> None:
    emitted = emitted_types()
    assert {"order.completed", "inventory.level_changed", "webhook.disabled"} <= emitted
    assert emitted - EVENT_TYPES == set()


def test_every_catalogued_type_is_emitted_somewhere() -> None:
    assert EVENT_TYPES - emitted_types() == set()


def test_patterns() -> None:
    assert unknown_patterns(["*", "order.*", "order.completed"]) == []
    assert unknown_patterns(["order.complete", "orders.*", "order.", "webhook.test", ""]) == [
        "order.complete",
        "orders.*",
        "order.",
        "webhook.test",
        "",
    ]
    assert matches(["order.*"], "order.completed")
    assert not matches(["order.*"], "orders.completed")
    assert not matches(["order.*"], "inventory.level_changed")
    assert matches(["*"], "inventory.level_changed")
    assert matches(["payment.captured"], "payment.captured")
    assert not matches(["payment.captured"], "payment.captured_late")
