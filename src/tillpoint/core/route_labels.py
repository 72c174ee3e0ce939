"""The route a request is counted and logged under: its route's full template
(``/v1/orders/{order_id}/payments``), never the raw path (ids would make every request its own
label) and never a template without the prefixes of the routers that include it.

A request the pipeline answers itself — an idempotent replay, a refused key, a rate limit, a
body too large — never reaches routing, so its template is found by matching the method and
path against the app's routes, in the order routing tries them. Only a path that no route
serves is ``unmatched``.
"""

import re
from dataclasses import dataclass

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Mount, compile_path
from starlette.types import Scope

UNMATCHED = "unmatched"


@dataclass(frozen=True)
class _Template:
    label: str
    pattern: re.Pattern[str]
    methods: frozenset[str] | None  # None: any method (a mount)


class RouteLabels:
    """Full route templates of one app, read from its routes on first use (every router is
    included by then)."""

    def __init__(self) -> None:
        self._templates: list[_Template] | None = None
        # Route object → its full template. FastAPI puts the original route in the scope, and
        # its own ``path`` lacks the prefixes of the routers that include it.
        self._by_route: dict[int, str | None] = {}

    def label(self, scope: Scope) -> str:
        if self._templates is None:
            app = scope.get("app")
            if app is None:
                return UNMATCHED
            self._read(app.routes)
        route = scope.get("route")
        if route is not None:
            known = self._by_route.get(id(route))
            if known is not None:
                return known
        return self._search(scope["method"], _route_path(scope))

    def _read(self, routes: list[BaseRoute]) -> None:
        templates: list[_Template] = []
        for context in iter_route_contexts(routes):
            path = context.path
            if path is None:
                continue
            label = context.path_format or path
            if isinstance(context.original_route, Mount):
                pattern = compile_path(path.rstrip("/") + "/{path:path}")[0]
                label = path.rstrip("/") + "/{path}"
            else:
                pattern = compile_path(path)[0]
            methods = context.methods
            templates.append(
                _Template(label, pattern, frozenset(methods) if methods is not None else None)
            )
            key = id(context.original_route)
            # A route included twice (under two prefixes) has no single template: search.
            self._by_route[key] = label if key not in self._by_route else None
        self._templates = templates

    def _search(self, method: str, path: str) -> str:
        for template in self._templates or []:
            if template.pattern.match(path) and (
                template.methods is None or method in template.methods
            ):
                return template.label
        return UNMATCHED


def _route_path(scope: Scope) -> str:
    """The path routing matches: without the root path a proxy mounted the app under."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        return path[len(root_path) :] or "/"
    return path
