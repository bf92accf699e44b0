"""`make run`: the web server on embedded defaults, plus the background worker once there is one.

Kept as a module so the README's single run command starts the whole system.
"""
from __future__ import annotations

import argparse

import sys

from config import ConfigError

from . import create_app


def app_or_exit():
    """Create the app, or stop with one line naming the wrong setting."""
    try:
        return create_app()
    except ConfigError as exc:
        print(f"ips-coord: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def main() -> None:
    parser = argparse.ArgumentParser(description="Run ips-coord on embedded defaults")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    app = app_or_exit()
    print(f"ips-coord on http://{args.host}:{args.port}  (Ctrl-C stops it)")
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False)


if __name__ == "__main__":
    main()
