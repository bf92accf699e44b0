"""Named crash points on the delivery path, for the fault tests.

Off unless the environment names them: `IPS_FAILPOINTS=delivery.after_data_end:once` (a
comma-separated list; `:once` is the default and the only mode). A named point kills its own
process with SIGKILL the first time any process reaches it, and never again: the first one
creates a marker file in `IPS_FAILPOINTS_DIR` (default: instance/failpoints) before it dies,
so the restarted worker runs on. Production refuses the setting at start-up
(config.validate), and a production app ignores it here as well.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from functools import lru_cache

from flask import current_app

log = logging.getLogger(__name__)

POINTS = {
    "delivery.after_claim": "the worker's claim of a row is committed; nothing sent yet",
    "delivery.before_data_end": "the whole message is with the server, the final '.' is not",
    "delivery.after_data_end": "the server answered 250 to the final '.'; the row is not recorded yet",
    "sweep.after_claim": "the sweep's claim of due rows is committed; nothing enqueued yet",
    "sweep.after_enqueue": "the sweep enqueued its delivery tasks; its own task is not acknowledged",
}
# The same kind of points on the webhook path (tests/worker/test_webhook_worker.py).
WEBHOOK_POINTS = {
    "webhook.after_claim": "a worker's claim of a webhook delivery is committed; nothing posted yet",
    "webhook.after_response": "the receiver answered 2xx; the delivery is not recorded yet",
}


@lru_cache(maxsize=8)
def parse(raw: str | None) -> dict[str, str]:
    """`a:once,b` -> {"a": "once", "b": "once"}; ValueError names what is wrong."""
    points: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in (raw or "").split(","))):
        name, _, mode = item.partition(":")
        if name not in POINTS and name not in WEBHOOK_POINTS:
            raise ValueError(f"unknown point {name!r} (known: {', '.join([*POINTS, *WEBHOOK_POINTS])})")
        if mode not in ("", "once"):
            raise ValueError(f"unknown mode {mode!r} for {name} (only 'once')")
        points[name] = "once"
    return points


def failpoint(name: str) -> None:
    """Die here if the environment named this point and no process has died here yet."""
    cfg = current_app.config
    if not cfg.get("FAILPOINTS") or name not in parse(cfg["FAILPOINTS"]) or cfg.get("ENV_NAME") == "production":
        return
    folder = cfg.get("FAILPOINTS_DIR") or os.path.join(current_app.instance_path, "failpoints")
    os.makedirs(folder, exist_ok=True)
    try:  # O_EXCL: of all processes that reach the point, exactly one dies
        os.close(os.open(os.path.join(folder, name), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    log.warning("failpoint %s: killing process %d", name, os.getpid())
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)
