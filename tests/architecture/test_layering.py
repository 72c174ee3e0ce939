"""The layering of DESIGN.md §3 and the order of the domains (docs/adr/0008), checked over
the imports rather than remembered.

Every top-level module of ``tillpoint`` is placed: ``core`` (mechanisms), a domain in its layer,
or one of the modules above the domains (the app, the CLI, provisioning, the demo, the
migrations). A domain imports only ``config`` and the layers below its own — so ``core``
imports no domain, no two domains import each other and nothing imports the modules above —
and no other domain's ``api`` or ``deps`` modules; and no module takes part in an import
circle. Every import counts, also one inside a function or under ``TYPE_CHECKING``: a circle
dodged by a late import is still a circle.
"""

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "src" / "tillpoint"
CORE = "core"
# The layers of ADR 0008, lowest first. Domains in one layer may not import each other.
LAYERS: list[set[str]] = [
    {CORE},
    {"identity", "events"},
    {"stores"},
    {"catalog"},
    {"customers", "inventory", "promotions"},
    # Stored value: balances that sales draws on and refunds to.
    {"giftcards", "storecredit"},
    {"sales", "webhooks"},
    {"reports"},
]
RANK = {name: rank for rank, layer in enumerate(LAYERS) for name in layer}
DOMAINS = set(RANK) - {CORE}
# Below every layer: the settings, read by all.
BENEATH = {"config"}
# Above every layer: they put the domains together, and no domain imports them.
COMPOSITION = {"app", "cli", "job_handlers", "provisioning", "demo", "migrations", "webapp"}
TOP_LEVEL = BENEATH | COMPOSITION
MAX_LINES = 400


@dataclass(frozen=True)
class Module:
    name: str  # tillpoint.sales.refunds.api
    path: Path
    imports: frozenset[str]  # the tillpoint modules it imports, wherever the import statement is
    foreign: frozenset[str]  # every other module it names (fastapi, sqlalchemy.orm, …)

    @property
    def top(self) -> str:
        """Its top-level module or package under tillpoint: ``sales`` for the one above."""
        return self.name.split(".")[1]

    def __str__(self) -> str:
        return str(self.path.relative_to(PACKAGE))


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Module]:
    names = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    found = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package, one level up per extra dot
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                # ``from pkg import mod`` imports the module pkg.mod; ``from mod import name``
                # imports mod.
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    imported.add(full if full in names else base)
        ours = frozenset(i for i in imported if i in names and i != name)
        found[name] = Module(name, path, ours, frozenset(imported - set(names)))
    return found


def modules_in(top: str) -> list[Module]:
    """The modules of one top-level package (core, a domain, demo, …)."""
    return [m for m in modules().values() if m.name.count(".") and m.top == top]


def test_every_top_level_module_is_placed() -> None:
    present = {
        p.stem if p.is_file() else p.name
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").exists()
    }
    placed = {CORE, *DOMAINS, *TOP_LEVEL}
    assert not present - placed, (
        f"{sorted(present - placed)}: give each a layer in docs/adr/0008-domain-dependencies.md "
        "and in LAYERS here (or list it as a composition module)"
    )
    assert not placed - present, f"{sorted(placed - present)} no longer exist: unlist them"


def test_core_imports_no_domain() -> None:
    allowed = {CORE, "config"}
    for module in modules_in(CORE):
        bad = sorted(i for i in module.imports if i.split(".")[1] not in allowed)
        assert not bad, f"{module} imports {bad}"


def test_domains_import_nothing_above_them() -> None:
    allowed = {CORE, "config", *DOMAINS}
    for domain in sorted(DOMAINS):
        for module in modules_in(domain):
            bad = sorted(i for i in module.imports if i.split(".")[1] not in allowed)
            assert not bad, f"{module} imports {bad}"


def test_a_domain_imports_only_the_layers_below_it() -> None:
    wrong = []
    for domain, rank in sorted(RANK.items()):
        for module in sorted(modules_in(domain), key=str):
            for target in sorted({i.split(".")[1] for i in module.imports} - {domain}):
                if target in BENEATH or RANK.get(target, len(LAYERS)) < rank:
                    continue
                wrong.append(f"{module} imports tillpoint.{target}")
    assert not wrong, "against the order of ADR 0008:\n" + "\n".join(wrong)


def test_the_order_is_what_the_adr_says() -> None:
    adr = (PACKAGE.parents[1] / "docs" / "adr" / "0008-domain-dependencies.md").read_text()
    for rank, layer in enumerate(LAYERS):
        line = f"{rank}. " + ", ".join(f"`{name}`" for name in sorted(layer))
        assert line in adr, f"ADR 0008 should list layer {line!r}"


def _sees_http(module: str) -> bool:
    """The routing modules: routers (``api``, ``*_api``) and the dependencies they share
    (``deps``: a domain's permission aliases and the rows its routes act on)."""
    return module == "api" or module.endswith("_api") or module == "deps"


def _is_api(name: str) -> bool:
    return any(_sees_http(part) for part in name.split(".")[2:])


def test_no_domain_imports_another_domains_api() -> None:
    for domain in sorted(DOMAINS):
        for module in modules_in(domain):
            bad = sorted(
                i for i in module.imports if i.split(".")[1] in DOMAINS - {domain} and _is_api(i)
            )
            assert not bad, f"{module} imports {bad}"


def domain_imports() -> dict[tuple[str, str], list[str]]:
    """(a, b) → the modules of domain a that import domain b."""
    edges: dict[tuple[str, str], list[str]] = {}
    for domain in sorted(DOMAINS):
        for module in modules_in(domain):
            for other in {i.split(".")[1] for i in module.imports} & (DOMAINS - {domain}):
                edges.setdefault((domain, other), []).append(str(module))
    return {edge: sorted(importers) for edge, importers in edges.items()}


def test_no_two_domains_import_each_other() -> None:
    edges = domain_imports()
    pairs = [
        f"{a} -> {b} in {edges[a, b]}, {b} -> {a} in {edges[b, a]}"
        for a, b in sorted(edges)
        if a < b and (b, a) in edges
    ]
    assert not pairs, "domains importing each other:\n" + "\n".join(pairs)


def _circle(graph: dict[str, set[str]]) -> list[str] | None:
    """A circle a -> … -> a in ``graph``, or None (a depth-first search for a back edge)."""
    done: set[str] = set()

    def walk(path: list[str]) -> list[str] | None:
        for nxt in sorted(graph.get(path[-1], ())):
            if nxt in path:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in done:
                found = walk([*path, nxt])
                if found:
                    return found
        done.add(path[-1])
        return None

    for start in sorted(graph):
        found = None if start in done else walk([start])
        if found:
            return found
    return None


def _long_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """A circle through three or more nodes, or None (every simple path: small graphs only)."""

    def walk(path: list[str]) -> list[str] | None:
        for nxt in sorted(graph.get(path[-1], ())):
            if nxt == path[0] and len(path) >= 3:
                return [*path, nxt]
            if nxt not in path and nxt > path[0]:  # each circle is found from its least node
                found = walk([*path, nxt])
                if found:
                    return found
        return None

    for start in sorted(graph):
        found = walk([start])
        if found:
            return found
    return None


def test_domains_form_no_longer_circle() -> None:
    # Pairs are the test above's; this one finds a circle through three or more domains.
    edges = domain_imports()
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    circle = _long_circle(graph) or []
    assert not circle, "domains importing each other in a circle:\n" + "\n".join(
        f"{a} -> {b} in {edges[a, b]}" for a, b in zip(circle, circle[1:], strict=False)
    )


def test_no_module_import_circle() -> None:
    circle = _circle({name: set(m.imports) for name, m in modules().items()}) or []
    assert not circle, "an import circle: " + " -> ".join(circle)


def test_the_circle_searches_find_circles() -> None:
    three = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    assert _long_circle(three) == ["a", "b", "c", "a"]
    assert _circle({"x": {"a"}, **three}) == ["a", "b", "c", "a"]
    assert _long_circle({"a": {"b"}, "b": {"a"}}) is None
    assert _circle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert _circle({"a": {"b", "c"}, "b": {"c"}}) is None


def test_services_never_see_http() -> None:
    for domain in sorted(DOMAINS):
        for module in modules_in(domain):
            if _sees_http(module.path.stem):
                continue
            http = sorted(i for i in module.foreign if i.split(".")[0] in {"fastapi", "starlette"})
            assert not http, f"{module} imports {http}"


def test_source_files_stay_small() -> None:
    too_long = {}
    for path in PACKAGE.rglob("*.py"):
        name = path.relative_to(PACKAGE).as_posix()
        if name.startswith("migrations/versions/"):
            continue
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES:
            too_long[name] = lines
    assert not too_long, (
        f"over {MAX_LINES} lines: {too_long}; split them by sub-resource or responsibility"
    )
