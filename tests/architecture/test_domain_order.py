"""The order of the domains (docs/adr/0008-domain-dependencies.md), checked over the imports:
a domain imports only ``config`` and the domains of the layers below its own, so no two domains
import each other and the domains' import graph has no circle. Function-level and
``TYPE_CHECKING`` imports count too."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "src" / "tillpoint"

# Lowest first. Domains in one layer may not import each other.
LAYERS: list[set[str]] = [
    {"core"},
    {"identity", "events"},
    {"stores"},
    {"catalog"},
    {"inventory"},
    {"sales", "webhooks"},
]
# Below every layer: the settings.
BENEATH = {"config"}
# Above every layer: they put the domains together, and no domain imports them.
COMPOSITION = {"app", "cli", "job_handlers", "provisioning", "demo", "migrations"}

RANK = {name: rank for rank, layer in enumerate(LAYERS) for name in layer}


def packages() -> set[str]:
    """Every first-level module or package under ``tillpoint``."""
    return {
        p.stem if p.is_file() else p.name
        for p in PACKAGE.iterdir()
        if (p.is_file() and p.suffix == ".py" and p.stem != "__init__")
        or (p.is_dir() and (p / "__init__.py").exists())
    }


def imported_packages(path: Path) -> set[str]:
    """The first-level ``tillpoint`` modules ``path`` imports (at any depth of the file)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "tillpoint":
                names.update(f"tillpoint.{alias.name}" for alias in node.names)
    return {n.split(".")[1] for n in names if n.startswith("tillpoint.")}


def test_every_module_has_its_place() -> None:
    placed = set(RANK) | BENEATH | COMPOSITION
    unplaced = packages() - placed
    assert not unplaced, (
        f"{sorted(unplaced)}: give each a layer in docs/adr/0008-domain-dependencies.md "
        "and in LAYERS here (or list it as a composition module)"
    )


def test_a_domain_imports_only_the_layers_below_it() -> None:
    wrong = []
    for domain, rank in sorted(RANK.items()):
        for path in sorted((PACKAGE / domain).rglob("*.py")):
            for target in imported_packages(path) - {domain}:
                if target in BENEATH or RANK.get(target, len(LAYERS)) < rank:
                    continue
                wrong.append(f"{path.relative_to(PACKAGE)} imports tillpoint.{target}")
    assert not wrong, "against the order of ADR 0008:\n" + "\n".join(wrong)


def test_the_order_is_what_the_adr_says() -> None:
    adr = (PACKAGE.parents[1] / "docs" / "adr" / "0008-domain-dependencies.md").read_text()
    for rank, layer in enumerate(LAYERS):
        line = f"{rank}. " + ", ".join(f"`{name}`" for name in sorted(layer))
        assert line in adr, f"ADR 0008 should list layer {line!r}"
