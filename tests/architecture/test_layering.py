"""The layering of DESIGN.md §3, checked over the imports rather than remembered:
``core`` imports no domain, and no domain imports another domain's ``api`` or ``deps``
modules."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "src" / "tillpoint"
TOP_LEVEL = {"app", "cli", "config", "demo", "migrations", "job_handlers"}


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n.startswith("tillpoint.")}


def domains() -> list[str]:
    return sorted(
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in {"core", *TOP_LEVEL}
    )


def _sees_http(module: str) -> bool:
    """The routing modules: routers (``api``, ``*_api``) and the dependencies they share
    (``deps``: a domain's permission aliases and the rows its routes act on)."""
    return module.endswith("api") or module == "deps"


def test_there_are_domains_to_check() -> None:
    assert {"identity", "stores"} <= set(domains())


def test_core_imports_no_domain() -> None:
    # Settings (tillpoint.config) are shared by everything; nothing else above core is.
    above_core = TOP_LEVEL - {"config"}
    forbidden = {f"tillpoint.{d}" for d in domains()} | {f"tillpoint.{t}" for t in above_core}
    for path in (PACKAGE / "core").rglob("*.py"):
        bad = {
            i for i in imports_of(path) if any(i == f or i.startswith(f + ".") for f in forbidden)
        }
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_no_domain_imports_another_domains_api() -> None:
    for domain in domains():
        for path in (PACKAGE / domain).rglob("*.py"):
            for name in imports_of(path):
                parts = name.split(".")
                if len(parts) >= 3 and parts[1] != domain and parts[1] in domains():
                    assert not _sees_http(parts[2]), f"{domain}/{path.name} imports {name}"


def test_services_never_see_http() -> None:
    for domain in domains():
        for path in (PACKAGE / domain).rglob("*.py"):
            if _sees_http(path.stem):
                continue
            http = {
                i
                for i in imports_of(path) | _third_party(path)
                if i.split(".")[0] in {"fastapi", "starlette"}
            }
            assert not http, f"{domain}/{path.name} imports {sorted(http)}"


def _third_party(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_source_files_stay_small() -> None:
    for path in PACKAGE.rglob("*.py"):
        if "migrations/versions" in str(path):
            continue
        lines = len(path.read_text().splitlines())
        assert lines <= 450, (
            f"{path.relative_to(PACKAGE)} has {lines} lines; split it by sub-resource"
        )
