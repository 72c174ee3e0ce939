"""The isolation walk: one tenant asks for every other tenant's resource it can name.

    python -m probe.isolation --base-url http://127.0.0.1:8000

Tenant A is the demo store (`make run` seeds it; or ``--owner EMAIL PASSWORD``); the intruder is
a new tenant made with `tillpoint create-tenant` on the server's database (run it with the
server's ``TILLPOINT_*`` settings). For every operation with a path id, and every method, the
intruder sends A's id of that type: the answer must be 404 ``NOT_FOUND``. Then every list the
intruder can read must mention none of A's ids. Exit status 1 on any leak.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from probe.target import DEMO_OWNER, Target, error_code, fill_path, probe_arguments, run_probe


@dataclass
class IsolationReport:
    probes: int = 0
    leaks: list[str] = field(default_factory=list)
    untested: list[str] = field(default_factory=list)


def walk(target: Target, owner: tuple[str, str]) -> IsolationReport:
    report = IsolationReport()
    a_ids = target.visible_ids(target.login(*owner))
    intruder = target.login(*target.create_tenant("Isolation probe intruder"))
    with target.client(intruder) as client:
        for operation in target.operations():
            if not operation.path_params:
                continue
            path = fill_path(operation, a_ids)
            if path is None:
                report.untested.append(f"{operation.method} {operation.path}")
                continue
            writes = operation.method in {"POST", "PUT", "PATCH"}
            body: dict[str, object] | None = {} if writes else None
            response = client.request(operation.method, path, json=body)
            report.probes += 1
            code = error_code(response)
            if response.status_code != 404 or code != "NOT_FOUND":
                report.leaks.append(f"{operation.method} {path}: {response.status_code} {code}")

        a_id_set = {i for ids in a_ids.values() for i in ids}
        for ids in target.visible_ids(intruder).values():
            for leaked in ids & a_id_set:
                report.leaks.append(f"the intruder's lists show {leaked}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = probe_arguments(__doc__)
    parser.add_argument("--owner", nargs=2, metavar=("EMAIL", "PASSWORD"), default=DEMO_OWNER)
    args = parser.parse_args(argv)

    def probe() -> tuple[list[str], list[str]]:
        report = walk(Target(args.base_url.rstrip("/")), tuple(args.owner))
        lines = [f"isolation walk: {report.probes} requests for another tenant's resources"]
        lines += [f"  not probed (tenant A has no such resource): {u}" for u in report.untested]
        return lines, report.leaks

    return run_probe("isolation", probe)


if __name__ == "__main__":
    sys.exit(main())
