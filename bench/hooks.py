"""Where an API case read's CPU goes beyond a constant answer, hook by hook.

    python -m bench.hooks --database-url postgresql+psycopg://postgres@127.0.0.1/ips_bench \
        [--requests 2000] [--rounds 5]

bench.api's ratio compares a case read with a constant answer that passes the same app-wide
hooks; this says which steps make the difference. In one process, through Flask's test client,
every before_request, after_request and teardown function of the application and the two views
are wrapped with a process-time clock; a consultant's token reads that consultant's cases
--requests times a round, and the constant route (/bench/constant, the same bytes) is read as
often. It prints the round with the least CPU for each: the request's CPU ms and each hook's
share (a hook that loads the signed-in user pays for the token's statement, the first to touch
`current_user`). The rest is Flask's and werkzeug's own work and the test client's.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections import Counter
from collections.abc import Callable
from typing import Any


def _clocked(name: str, fn: Callable[..., Any], spent: Counter[str]) -> Callable[..., Any]:
    def clocked(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - start

    return clocked


def _hook_name(kind: str, blueprint: str | None, fn: Callable[..., Any]) -> str:
    name = getattr(fn, "__qualname__", None) or getattr(getattr(fn, "func", None), "__qualname__", repr(fn))
    return f"{kind} {blueprint or 'app'}: {name.replace('.<locals>', '')}"


def _least(client: Any, path_of: Callable[[int], str], headers: dict, spent: Counter[str], requests: int, rounds: int):
    """The round with the least CPU: its ms a request, and each hook's."""
    best: tuple[float, dict[str, float]] = (float("inf"), {})
    for _ in range(rounds):
        spent.clear()
        start = time.process_time()
        for i in range(requests):
            client.get(path_of(i), headers=headers)
        total = (time.process_time() - start) / requests * 1000
        if total < best[0]:
            best = (total, {k: v / requests * 1000 for k, v in spent.items()})
    return best


def _report(label: str, total: float, parts: dict[str, float], args: argparse.Namespace) -> None:
    print(f"{label}: {total:.3f} ms CPU a request (the least of {args.rounds} rounds of {args.requests})")
    for name, ms in sorted(parts.items(), key=lambda kv: -kv[1]):
        if ms >= 0.005:
            print(f"  {ms:6.3f}  {name}")
    print(f"  {total - sum(parts.values()):6.3f}  the rest: Flask, werkzeug, the test client")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=2000, help="of each kind, a round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from sqlalchemy import select

    from bench.api import add_baseline_routes, first_read
    from ips_coord import create_app
    from ips_coord.auth import create_token
    from ips_coord.extensions import db
    from ips_coord.models import IpsCase, User
    from ips_coord.workflows.phases import Role

    # As bench.api serves it: the per-token limit raised for a bulk reader, still counted.
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "API_RATE_LIMIT": "10000000 per minute"})
    with app.app_context():
        user = db.session.scalars(select(User).where(User.role == Role.IPS_CONSULTANT).order_by(User.id)).first()
        case_ids = list(db.session.scalars(select(IpsCase.id).where(IpsCase.consultant_id == user.id)))
        token, _ = create_token(user, f"bench.hooks {time.time():.0f}")
    add_baseline_routes(app, first_read(case_ids[0], token, {"DATABASE_URL": args.database_url}))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    spent: Counter[str] = Counter()
    for kind, hooks in (("before", app.before_request_funcs), ("after", app.after_request_funcs)):
        for blueprint, fns in hooks.items():
            hooks[blueprint] = [_clocked(_hook_name(kind, blueprint, fn), fn, spent) for fn in fns]
    for blueprint, fns in app.teardown_request_funcs.items():
        app.teardown_request_funcs[blueprint] = [_clocked(_hook_name("teardown", blueprint, f), f, spent) for f in fns]
    app.teardown_appcontext_funcs[:] = [
        _clocked(_hook_name("teardown", "appcontext", f), f, spent) for f in app.teardown_appcontext_funcs
    ]
    # The two views themselves (wraps keeps what is read off a view: its class and case part).
    for endpoint in ("api_cases.CaseDetail", "constant"):
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = functools.wraps(view)(_clocked(f"view {endpoint}", view, spent))

    def read(i: int) -> str:
        return f"/api/v1/cases/{case_ids[i % len(case_ids)]}"

    def fixed(_i: int) -> str:
        return "/bench/constant"  # the baseline of bench.api

    for path_of in (read, fixed):  # warm: statements prepared, caches filled
        for i in range(200):
            assert client.get(path_of(i), headers=headers).status_code == 200
    for label, path_of in (("API case read", read), ("constant answer", fixed)):
        _report(label, *_least(client, path_of, headers, spent, args.requests, args.rounds), args)


if __name__ == "__main__":
    main()
