"""`make run`: the whole system on embedded defaults in one command.

The web server runs here; a real Celery worker with exactly one embedded beat runs as a
child process (kombu's filesystem transport when REDIS_URL is unset, so no server is needed).
Emails go to instance/mailbox/ as .eml files unless SMTP_HOST is set.
"""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import subprocess
import sys

from . import app_or_exit


def start_worker(app) -> subprocess.Popen:
    """One worker process with the beat embedded (-B): exactly one beat, by construction."""
    schedule = os.path.join(app.instance_path, "celerybeat-schedule")
    log_path = os.path.join(app.instance_path, "worker.log")
    log = open(log_path, "a")  # noqa: SIM115 - lives as long as the child
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker",
            "worker",
            "-B",
            "--schedule",
            schedule,
            "--loglevel",
            "INFO",
            "--concurrency",
            "1",
            "--pool",
            "solo",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def stop():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    atexit.register(stop)
    print(f"worker + beat started (log: {log_path})")
    return proc


def dev_base_url(host: str, port: int) -> str:
    """The address a browser on this machine uses: listening on every interface is reached on loopback."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def dev_settings(host: str, port: int) -> dict[str, str]:
    """What `make run` sets unless the environment does: links in e-mails lead to where this
    server listens, and the first sweep after start sends today's digests (not at 05 UTC)."""
    return {"BASE_URL": dev_base_url(host, port), "DIGEST_HOUR_UTC": "0"}


def main() -> None:
    parser = argparse.ArgumentParser(description="Run ips-coord on embedded defaults")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--no-worker", action="store_true", help="web only")
    args = parser.parse_args()
    # The worker child inherits these; a value set in the environment wins.
    for key, value in dev_settings(args.host, args.port).items():
        os.environ.setdefault(key, value)
    app = app_or_exit()
    if not args.no_worker:
        start_worker(app)
    smtp_host = app.config.get("SMTP_HOST")
    mailbox = f"SMTP {smtp_host}" if smtp_host else os.path.join(app.instance_path, "mailbox")
    print(f"ips-coord on {app.config['BASE_URL']}  (emails: {mailbox}; Ctrl-C stops it)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False)


if __name__ == "__main__":
    main()
