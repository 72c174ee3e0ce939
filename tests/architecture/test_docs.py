"""docs/api.md lists exactly the error catalog, and routes declare their errors in OpenAPI."""

import re
from pathlib import Path

from tillpoint.core.errors import CATALOG

API_MD = Path(__file__).parents[2] / "docs" / "api.md"
ROW = re.compile(r"^\| `([A-Z_]+)` \| (\d{3}) \| (.+) \|$")


def documented() -> dict[str, tuple[int, str]]:
    text = API_MD.read_text()
    table = text.split("<!-- error-codes:start -->")[1].split("<!-- error-codes:end -->")[0]
    rows = [ROW.match(line) for line in table.splitlines()]
    return {m[1]: (int(m[2]), m[3]) for m in rows if m}


def test_error_table_matches_the_catalog() -> None:
    assert documented() == {c.code: (c.status, c.message) for c in CATALOG.values()}


def test_every_operation_declares_its_error_responses(app) -> None:
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"400", "401", "404", "429"} <= declared, f"{method.upper()} {path}: {declared}"
            assert "ErrorEnvelope" in str(operation["responses"]["404"]), f"{method} {path}"
