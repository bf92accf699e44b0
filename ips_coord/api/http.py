"""The HTTP conventions every API endpoint shares, applied in one place (register_api installs
them for everything under /api/v1, so a blueprint added later follows them without a line):

- the case's version after every request on one case: `ETag: "<version>"` and `Case-Version`;
  `If-Match` on a write to a case is checked against it (409 stale_version with current_version,
  as for a stale body version);
- `Idempotency-Key` on every POST: a retry with the same key and body returns the first
  response (with `Idempotent-Replayed: true`), never a second row;
- `Location` on every 201;
- `Link` (first, prev, next, last) and `X-Total-Count` on every paginated list;
- the per-caller limit (API_RATE_LIMIT per token, per session user, or per address, one count
  across the whole API): 429 `too_many_requests` with `Retry-After` past it, and
  `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy` on every answer.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
import time
from functools import lru_cache
from typing import ClassVar

from flask import Flask, current_app, g, request
from flask.wrappers import Response
from flask_login import current_user
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.urls import iri_to_uri

from ..clock import system_epoch, utcnow
from ..extensions import db, limiter
from ..models import IpsCase
from ..services import idempotency
from ..text import Text
from .errors import problem

API_PREFIX = "/api/v1"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Replayed with a stored response (the body and the status are stored anyway).
REPLAYED_HEADERS = ("Location", "ETag", "Case-Version")
IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # visible ASCII, as the IETF draft's examples


def _in_api() -> bool:
    return request.path.startswith(API_PREFIX + "/") or request.path == API_PREFIX


def caller_key() -> str:
    """Who is asking, for the rate limit and the idempotency keys: the token, the user, the address."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return "token:" + hashlib.sha256(header[len("Bearer ") :].strip().encode()).hexdigest()[:32]
    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return "addr:" + (request.remote_addr or "-")


# ---------------------------------------------------------------- the rate limit

# Every API request pays the limit, so it is checked with the `limits` library itself (the one
# beneath Flask-Limiter, on the same storage): ~0.04 ms a request in memory, against ~0.2 ms for
# Flask-Limiter's per-request resolution of which decorated limits apply (bench.hooks).
# Flask-Limiter keeps the pages' sign-in throttles.
API_LIMIT = "ips_api_limit"
log = logging.getLogger(__name__)


@limiter.request_filter
def _counted_here() -> bool:
    """Flask-Limiter's decorated limits are the pages' (sign-in throttles): it skips the API's
    requests at once instead of resolving, for each, that none applies (~0.08 ms)."""
    return _in_api()


class SweptMemoryStorage(MemoryStorage):
    """The limits library's in-memory storage (no REDIS_URL), sweeping expired keys at most once
    a second. Its own sweep starts a thread 10 ms after a hit whenever none is waiting: at
    hundreds of API requests a second, a thread every few requests (~0.1 ms of CPU a request).
    A window's key is expired when it is next read anyway; the sweep only drops keys that are
    never read again, so a second is soon enough."""

    SWEEP_SECONDS = 1.0

    # The library calls its private hook after each hit (self.__schedule_expiry, mangled).
    def _MemoryStorage__schedule_expiry(self) -> None:
        if not self.timer.is_alive():
            self.timer = threading.Timer(self.SWEEP_SECONDS, self._MemoryStorage__expire_events)  # type: ignore[attr-defined]
            self.timer.daemon = True  # a process's exit does not wait for the next sweep
            self.timer.start()


@lru_cache(maxsize=8)
def _parsed(limit: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limit))  # "10 per second; 1000 per hour": every one applies


Counted = tuple[RateLimitItem, float, int, bool]  # the limit shown, its window's reset, what is left, allowed


class ApiRateLimit:
    """The API's windows in the shared storage (Redis, or memory without REDIS_URL). While Redis
    does not answer, the worker counts in its own memory, tries Redis again after RETRY_SECONDS,
    and says so in the log once each way, as Flask-Limiter's fallback does for the sign-in throttles."""

    RETRY_SECONDS = 30.0
    # A Redis that drops packets must not hold a request for the system's TCP timeout.
    REDIS_OPTIONS: ClassVar[dict[str, float]] = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}

    def __init__(self, uri: str) -> None:
        self.own = FixedWindowRateLimiter(SweptMemoryStorage())
        redis = uri.startswith(("redis://", "rediss://"))
        self.shared = (
            self.own
            if uri.startswith("memory://")
            else FixedWindowRateLimiter(storage_from_string(uri, **(self.REDIS_OPTIONS if redis else {})))
        )
        self.down_until = 0.0

    def count(self, items: tuple[RateLimitItem, ...], key: str) -> Counted:
        if self.shared is not self.own and self.down_until <= time.monotonic():
            try:
                counted = self._count(self.shared, items, key)
            except Exception:  # noqa: BLE001 - whatever the storage's client raised
                if not self.down_until:
                    log.warning("the API rate limit's storage did not answer: counted in each worker's memory")
                self.down_until = time.monotonic() + self.RETRY_SECONDS
            else:
                if self.down_until:
                    log.warning("the API rate limit's storage answers again")
                    self.down_until = 0.0
                return counted
        return self._count(self.own, items, key)

    @staticmethod
    def _count(strategy: FixedWindowRateLimiter, items: tuple[RateLimitItem, ...], key: str) -> Counted:
        """Each limit in turn, up to the first one past; the headers show that one, or else the
        one with the fewest requests left."""
        counts: list[Counted] = []
        for item in items:
            allowed = strategy.hit(item, "api", key)
            reset_at, remaining = strategy.get_window_stats(item, "api", key)
            if not allowed:
                return (item, reset_at, remaining, False)
            counts.append((item, reset_at, remaining, True))
        return min(counts, key=lambda counted: counted[2])


def _check_rate_limit() -> Response | None:
    """Counts this request against its caller's windows; past a limit, 429."""
    limit: ApiRateLimit = current_app.extensions[API_LIMIT]
    item, reset_at, remaining, allowed = limit.count(_parsed(current_app.config["API_RATE_LIMIT"]), caller_key())
    g.api_rate = (item, reset_at, remaining)
    if allowed:
        return None
    return problem(
        429,
        Text(
            "Too many requests: the limit is %(amount)s per %(seconds)s seconds.",
            amount=item.amount,
            seconds=item.get_expiry(),
        ),
    )


# ---------------------------------------------------------------- versions and If-Match


def if_match_version() -> int | None:
    """The version an If-Match header names ("7", W/"7" or 7), or None without the header."""
    value = request.headers.get("If-Match")
    if not value:
        return None
    found = re.fullmatch(r'\s*(?:W/)?"?(\d{1,10})"?\s*', value)
    if not found:
        return -1  # matches no version: 409
    return int(found.group(1))


def check_if_match(case: IpsCase) -> None:
    """A write to a case with If-Match: the case must still be at that version (else 409).

    409 rather than 412: a stale version is one answer however the client sent it, and it comes
    before the body is read, so it must be a status that also suits a body that is wrong too."""
    wanted = if_match_version()
    if wanted is not None and request.method in WRITE_METHODS and wanted != case.version:
        from flask_smorest import abort

        abort(
            409,
            message="The case was changed by someone else; reload it and try again.",
            code="stale_version",
            current_version=case.version,
            errors={"If-Match": ["The case is at another version now."]},
        )


def _case_version_headers(response: Response) -> None:
    case = g.get("case")
    if case is None or response.status_code >= 400:
        return
    # A read changed nothing: the loaded case has the version; after a write, read it afresh.
    version = (
        case.version
        if request.method == "GET"
        else db.session.scalar(select(IpsCase.version).where(IpsCase.id == case.id))
    )
    if version is not None:
        response.headers["ETag"] = f'"{version}"'
        response.headers["Case-Version"] = str(version)


# ---------------------------------------------------------------- Idempotency-Key


def _idempotency_start() -> Response | None:
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or key is None or not getattr(current_user, "is_authenticated", False):
        return None
    if not IDEMPOTENCY_KEY.match(key):
        return problem(
            422,
            "The Idempotency-Key header must be 1 to 200 visible ASCII characters.",
            {"Idempotency-Key": ["Not a valid idempotency key."]},
        )
    found = idempotency.claim(
        caller_key(),
        key,
        request.method,
        request.path[:500],
        hashlib.sha256(request.get_data()).hexdigest(),
        utcnow(),
        float(current_app.config["IDEMPOTENCY_KEY_HOURS"]),
    )
    if found.mismatch:
        return problem(
            422,
            "This Idempotency-Key was used for another request.",
            {"Idempotency-Key": ["Use a new key for a new request."]},
            code="idempotency_key_reused",
        )
    if found.in_progress:
        return problem(
            409,
            "A request with this Idempotency-Key is still running; try again shortly.",
            code="idempotency_key_in_use",
        )
    if found.id is not None:
        g.idempotency_claim = found.id
        return None
    response = current_app.response_class(found.body or "", status=found.status or 200, mimetype="application/json")
    for name, value in (found.headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _idempotency_finish(response: Response) -> None:
    claim_id = g.pop("idempotency_claim", None)
    if claim_id is None:
        return
    if 200 <= response.status_code < 300:
        headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
        idempotency.complete(claim_id, response.status_code, response.get_data(as_text=True), headers)
    else:
        idempotency.release(claim_id)


def _idempotency_teardown(_exc: BaseException | None) -> None:
    claim_id = g.pop("idempotency_claim", None)
    if claim_id is not None:  # the request ended without a response (an exception propagated)
        db.session.rollback()
        idempotency.release(claim_id)


# ---------------------------------------------------------------- Location, Link, RateLimit


def _location(response: Response) -> None:
    if response.status_code != 201 or "Location" in response.headers:
        return
    body = response.get_json(silent=True)
    item_id = body.get("id") if isinstance(body, dict) else None
    adapter = current_app.url_map.bind("")
    if item_id is not None:
        candidate = f"{request.path.rstrip('/')}/{item_id}"
        try:
            adapter.match(candidate, method="GET")
            response.headers["Location"] = candidate
            return
        except (NotFound, MethodNotAllowed):
            pass
    # No URL of its own: the list (or the current version) it can be read from.
    response.headers["Location"] = request.path


def remember_page(page: int, size: int, total: int) -> int:
    """Called by paginate(): the page's numbers for the Link header; returns the last page."""
    last = max(1, math.ceil(total / size))
    g.api_page = (page, size, last, total)
    return last


def _links(response: Response) -> None:
    numbers = g.get("api_page")
    if numbers is None:
        return
    page, size, last, total = numbers
    args = request.args.to_dict(flat=True)

    def url(n: int) -> str:
        query = "&".join(f"{k}={v}" for k, v in {**args, "page": n, "page_size": size}.items())
        return iri_to_uri(f"{request.path}?{query}")

    links = [f'<{url(1)}>; rel="first"', f'<{url(last)}>; rel="last"']
    if 1 < page <= last + 1:
        links.append(f'<{url(min(page - 1, last))}>; rel="prev"')
    if page < last:
        links.append(f'<{url(page + 1)}>; rel="next"')
    response.headers["Link"] = ", ".join(links)
    response.headers["X-Total-Count"] = str(total)


def _rate_limit_headers(response: Response) -> None:
    counted = g.get("api_rate")
    if counted is None:
        return
    item, reset_at, remaining = counted
    response.headers["RateLimit-Limit"] = str(item.amount)
    response.headers["RateLimit-Remaining"] = str(max(0, remaining))
    response.headers["RateLimit-Reset"] = str(max(0, math.ceil(reset_at - system_epoch())))
    response.headers["RateLimit-Policy"] = f"{item.amount};w={item.get_expiry()}"
    if response.status_code == 429:
        response.headers["Retry-After"] = response.headers["RateLimit-Reset"]


def install(app: Flask) -> None:
    app.extensions[API_LIMIT] = ApiRateLimit(app.config["RATELIMIT_STORAGE_URI"])

    @app.before_request
    def _api_before() -> Response | None:
        if not _in_api():
            return None
        return _check_rate_limit() or _idempotency_start()

    @app.after_request
    def _api_after(response: Response) -> Response:
        if not _in_api():
            return response
        _case_version_headers(response)
        _location(response)
        _links(response)
        _rate_limit_headers(response)
        _idempotency_finish(response)  # last: it stores the headers set above
        return response

    app.teardown_request(_idempotency_teardown)
