"""The one way out: every outbound HTTP request of the application goes through `session()`.

An administrator chooses a webhook's address, so a request the application makes on its own
must never become a way into the networks behind it (the database, Redis, a cloud's metadata
service, the admin pages on localhost). The guard, in two places:

- on the address (`check_url`, at registration and again before every request): `https` only,
  a port from EGRESS_PORTS (443 by default), a host that is a DNS name or a public IP literal,
  no user name or password, none of the numeric spellings of an address that resolvers accept
  (`127.1`, `0x7f.0.0.1`, `2130706433`);
- on the connection (`GuardedConnection`): the name is resolved when the connection is made,
  every address it resolves to must be public (not loopback, private, link-local, unique-local,
  carrier-grade NAT, multicast, reserved, unspecified, nor an IPv6 form that carries an IPv4
  address: mapped, 6to4, Teredo, NAT64), and the socket connects to exactly the address that was
  checked: there is no second lookup a rebinding DNS server could answer differently. The Host
  header and the TLS server name and certificate check stay on the name.

Proxies from the environment and redirects are not followed. EGRESS_ALLOW_LOOPBACK (development
and tests, refused in production) lets `http://` and any port through to loopback addresses only,
for receivers running on the same machine. Whatever the reason a request could not be made, its
caller records only "could not connect": which internal ports are open is nobody's business.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

COULD_NOT_CONNECT = "could not connect"
LOOPBACK_NAMES = ("localhost",)
# An IPv6 prefix that embeds an IPv4 address and is not flagged by `ipaddress` on every
# Python version: the well-known NAT64 prefix (RFC 6052).
NAT64 = ipaddress.ip_network("64:ff9b::/96")
DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class EgressRefused(ValueError):
    """The address may not be reached. `reason` is for the caller's form (`scheme`, `host`,
    `port`, `address`); the message is never shown to whoever chose the address."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


@dataclass(frozen=True)
class Policy:
    ports: frozenset[int]
    allow_loopback: bool

    @classmethod
    def from_config(cls, config: Any) -> Policy:
        return cls(frozenset(config.get("EGRESS_PORTS") or (443,)), bool(config.get("EGRESS_ALLOW_LOOPBACK")))


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Routable on the internet and nothing else: no internal, special or IPv4-carrying form."""
    if isinstance(address, ipaddress.IPv6Address) and (
        address.ipv4_mapped or address.sixtofour or address.teredo or address in NAT64 or address.scope_id
    ):
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
        or address.is_private
    )


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address, policy: Policy) -> bool:
    return public(address) or (
        policy.allow_loopback
        and address.is_loopback
        and not (isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped)
    )


def _loopback_host(host: str) -> bool:
    literal = _literal(host)
    return host in LOOPBACK_NAMES or (literal is not None and literal.is_loopback)


def _dns_name(host: str) -> bool:
    """A name a resolver looks up, not a number it would read as an address (`127.1`)."""
    labels = host.split(".")
    return (
        len(host) <= 253
        and len(labels) >= 2
        and all(DNS_LABEL.match(label) for label in labels)
        and not labels[-1].isdigit()
        and not re.fullmatch(r"0x[0-9a-f]*", labels[-1])
    )


def check_url(url: str, policy: Policy) -> SplitResult:
    """The parts of an address that may be requested; EgressRefused says what is wrong."""
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError: not a number, or out of range
        host = parts.hostname
    except ValueError as exc:
        raise EgressRefused("port" if "port" in str(exc).lower() else "scheme", str(exc)) from None
    if (
        parts.scheme not in ("https", "http")
        or not host
        or parts.username is not None
        or parts.password is not None
        or "@" in parts.netloc
        or parts.fragment
        or any(c.isspace() for c in url)
        or not url.isascii()
    ):
        raise EgressRefused("scheme", "not an https:// address")
    local = policy.allow_loopback and _loopback_host(host)
    if parts.scheme == "http" and not local:
        raise EgressRefused("scheme", "plain http")
    literal = _literal(host)
    bracketed = parts.netloc.rpartition("@")[2].startswith("[")
    if literal is not None:
        if isinstance(literal, ipaddress.IPv6Address) != bracketed or not _allowed(literal, policy):
            raise EgressRefused("host", "not a public address")
    elif (
        bracketed
        or not (_dns_name(host) or local)
        or ((host.endswith(".localhost") or host in LOOPBACK_NAMES) and not local)
    ):
        raise EgressRefused("host", "not a public host name")
    if port == 0 or (not local and (port or (443 if parts.scheme == "https" else 80)) not in policy.ports):
        raise EgressRefused("port", f"port {port} is not allowed")
    return parts


def vetted_addresses(host: str, port: int, policy: Policy) -> list[str]:
    """The addresses `host` resolves to now, if every one of them may be reached."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise EgressRefused("address", f"no address: {exc}") from None
    found: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0])
        address = _literal(text.split("%", 1)[0])
        if address is None or "%" in text or not _allowed(address, policy):
            raise EgressRefused("address", "resolves to an address that may not be reached")
        if text not in found:
            found.append(text)
    if not found:
        raise EgressRefused("address", "no address")
    return found


class _Guarded:
    """Mixed into urllib3's connections: resolve, check, connect to the checked address."""

    policy: Policy
    _dns_host: str
    port: int

    def _new_conn(self) -> socket.socket:
        name = self._dns_host
        addresses = vetted_addresses(name, self.port, self.policy)
        last: Exception | None = None
        for address in addresses:
            # urllib3 connects to `_dns_host`; the Host header and the TLS server name use `host`.
            self._dns_host = address
            try:
                return super()._new_conn()  # type: ignore[misc]
            except NewConnectionError as exc:
                last = exc
            finally:
                self._dns_host = name
        raise last or EgressRefused("address", "no address")


def _adapter(policy: Policy) -> HTTPAdapter:
    http_conn = type("GuardedHTTPConnection", (_Guarded, HTTPConnection), {"policy": policy})
    https_conn = type("GuardedHTTPSConnection", (_Guarded, HTTPSConnection), {"policy": policy})
    http_pool = type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
    https_pool = type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
    adapter = HTTPAdapter(max_retries=0, pool_maxsize=4)
    adapter.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}
    return adapter


class GuardedSession(requests.Session):
    """A requests session that reaches only what the policy allows."""

    def __init__(self, policy: Policy):
        super().__init__()
        self.policy = policy
        self.trust_env = False  # no proxies, .netrc or CA bundles from the environment
        self.max_redirects = 0
        adapter = _adapter(policy)
        self.adapters.clear()
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        text = url.decode() if isinstance(url, bytes) else url
        check_url(text, self.policy)
        kwargs["allow_redirects"] = False
        return super().request(method.decode() if isinstance(method, bytes) else method, text, *args, **kwargs)


_sessions: dict[Policy, GuardedSession] = {}


def session(config: Any) -> GuardedSession:
    """The process's session for the configured policy (connections are kept between requests)."""
    policy = Policy.from_config(config)
    if policy not in _sessions:
        _sessions[policy] = GuardedSession(policy)
    return _sessions[policy]


__all__ = [
    "COULD_NOT_CONNECT",
    "EgressRefused",
    "GuardedSession",
    "Policy",
    "check_url",
    "public",
    "session",
    "vetted_addresses",
]
