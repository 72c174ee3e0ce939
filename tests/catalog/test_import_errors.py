"""An import keeps the first errors by line and counts them all, in bounded memory."""

from hypothesis import given
from hypothesis import strategies as st

from tillpoint.catalog.csv_io import RowError, RowErrors


@given(
    lines=st.lists(st.integers(min_value=1, max_value=50), max_size=200),
    keep=st.integers(min_value=1, max_value=40),
)
def test_the_first_errors_by_line_are_kept_in_the_order_found(lines: list[int], keep: int) -> None:
    found = [RowError(line, f"sku-{n}", "price", f"error {n}") for n, line in enumerate(lines)]
    errors = RowErrors(keep=keep)
    half = len(found) // 2
    errors.extend(found[:half])
    errors += found[half:]

    assert len(errors) == len(found)
    assert bool(errors) == bool(found)
    # What a list sorted stably by line, then cut, would give: the reference.
    assert list(errors) == sorted(found, key=lambda e: e.line)[:keep]
    assert len(errors._heap) == min(keep, len(found))
