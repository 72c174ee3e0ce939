"""docs/api.md lists every permission of the catalog, with what it allows, and nothing else."""

import re
from pathlib import Path

from tillpoint.identity.permissions import PERMISSIONS

API_MD = Path(__file__).parents[2] / "docs" / "api.md"
ROW = re.compile(r"^\| `([a-z_]+:[a-z_]+)` \| (.+) \|$")


def documented() -> dict[str, str]:
    text = API_MD.read_text()
    table = text.split("<!-- permissions:start -->")[1].split("<!-- permissions:end -->")[0]
    rows = [ROW.match(line) for line in table.splitlines()]
    return {m[1]: m[2] for m in rows if m}


def test_every_permission_is_documented_as_the_catalog_describes_it() -> None:
    assert documented() == PERMISSIONS


def test_no_permission_is_written_in_shorthand() -> None:
    """No ``orders:read|write``: a reader searching for a permission finds it written whole."""
    assert not re.search(r"`[a-z_]+:[a-z_]+\|", API_MD.read_text())
