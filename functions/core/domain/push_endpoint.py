"""Which push endpoints we will ever send to: the one rule, used when a browser subscribes and again
before every send.

A push endpoint is a URL a browser hands us; the status function then POSTs to it. Unchecked, that is a
request-forgery channel (cloud metadata, the VPC, loopback). So an endpoint must be `https` on port 443, on
the host of a real push service (`MOTCUA_PUSH_HOSTS`), with no user info and no IP literal; and every
address its host resolves to at send time must be globally routable. Local and test runs may also allow
the loopback push fake (`MOTCUA_PUSH_ALLOW_LOOPBACK`): http or https on 127.0.0.1, ::1 or localhost.

Pure: resolving names is the push adapter's job; this module only judges names and addresses.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from functions.core.errors import PushEndpointNotAllowed

# Chrome, Edge-on-Android, Opera and Samsung Internet: FCM (`/fcm/send/...`, `/wp/...`); Firefox: autopush;
# Safari: Apple (`web.push.apple.com`, Apple asks servers to allow `*.push.apple.com`); Edge: WNS.
DEFAULT_HOSTS = ("fcm.googleapis.com", "updates.push.services.mozilla.com", ".push.apple.com",
                 ".notify.windows.com")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
HTTPS_PORT = 443
# Printable ASCII without spaces; a backslash is refused because parsers disagree on it (WHATWG reads "/").
_URL = re.compile(r"[!-\[\]-~]+")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*")
# WHATWG URL reads a host whose last label is a number (decimal, 0x hex, or octal) as IPv4.
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)")
# NAT64's well-known prefix carries an IPv4 address in its last 32 bits; judge that address.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

BAD_URL, SCHEME, USERINFO, PORT = "bad_url", "scheme", "userinfo", "port"
IP_LITERAL, HOST_NOT_ALLOWED, ADDRESS_NOT_GLOBAL = "ip_literal", "host_not_allowed", "address_not_global"


@dataclass(frozen=True)
class Target:
    """Where an accepted endpoint sends: scheme, lower-case host, port, and whether it is the loopback fake."""

    scheme: str
    host: str
    port: int
    loopback: bool


def refuse(reason: str) -> PushEndpointNotAllowed:
    """The typed error for an endpoint refused for `reason` (one of the constants above)."""
    return PushEndpointNotAllowed(details={"reason": reason})


def host_entry(raw: str) -> str:
    """One MOTCUA_PUSH_HOSTS entry, normalised: "*.x" and ".x" mean any subdomain of x; ValueError if bad."""
    entry = raw.strip().lower()
    entry = "." + entry[2:] if entry.startswith("*.") else entry
    name = entry.removeprefix(".")
    if not _HOSTNAME.fullmatch(name) or _is_ip_literal(name) or name in LOOPBACK_HOSTS:
        raise ValueError(f"not a push service host name: {raw!r}")
    return entry


def host_allowed(host: str, hosts: Iterable[str]) -> bool:
    """Whether a lower-case host name is on the list (an entry starting with "." matches subdomains)."""
    return any(host.endswith(entry) if entry.startswith(".") else host == entry for entry in hosts)


def check(url: str, hosts: Iterable[str], allow_loopback: bool = False) -> Target:
    """The target of an endpoint we may send to, or PushEndpointNotAllowed with `details.reason`."""
    parts = _split(url)
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None:
        raise refuse(USERINFO)
    port = _port(parts)
    if allow_loopback and host in LOOPBACK_HOSTS:
        if parts.scheme not in ("http", "https"):
            raise refuse(SCHEME)
        return Target(parts.scheme, host, port or (HTTPS_PORT if parts.scheme == "https" else 80), True)
    if parts.scheme != "https":
        raise refuse(SCHEME)
    if _is_ip_literal(host):
        raise refuse(IP_LITERAL)
    if not _HOSTNAME.fullmatch(host) or not host_allowed(host, hosts):
        raise refuse(HOST_NOT_ALLOWED)
    if port not in (None, HTTPS_PORT):
        raise refuse(PORT)
    return Target("https", host, HTTPS_PORT, False)


def check_addresses(target: Target, addresses: Iterable[str]) -> str:
    """The address to connect to: the first one, once every address the host resolved to is acceptable
    (globally routable; for the loopback fake, loopback). PushEndpointNotAllowed otherwise."""
    found = [ipaddress.ip_address(a.split("%", 1)[0]) for a in addresses]
    usable = _loopback if target.loopback else _global
    if not found or not all(usable(a) for a in found):
        raise refuse(ADDRESS_NOT_GLOBAL)
    return str(found[0])


def _split(url: str) -> SplitResult:
    if not _URL.fullmatch(url):
        raise refuse(BAD_URL)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number in range)
    except ValueError as exc:
        raise refuse(BAD_URL) from exc
    if not parts.hostname:
        raise refuse(BAD_URL)
    return parts


def _port(parts: SplitResult) -> int | None:
    # urlsplit reads "host:" as no port; an explicit port must be digits only (no "+443" or " 443").
    raw = parts.netloc.rpartition("]")[2].rpartition(":")
    if raw[1] and raw[2] and not raw[2].isdigit():
        raise refuse(BAD_URL)
    return parts.port


def _is_ip_literal(host: str) -> bool:
    """IPv4 or IPv6 in any spelling a URL parser or the C library accepts (2852039166, 0x7f.1, 0177.0.0.1)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    if ":" in host:
        return True
    try:
        socket.inet_aton(host)  # pure parsing: accepts the decimal, octal, hex and short forms
    except OSError:
        return bool(_NUMERIC_LABEL.fullmatch(host.rstrip(".").rpartition(".")[2]))
    return True


def _global(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
                                           if address in _NAT64 else None)
        if embedded is not None:
            return _global(embedded)
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_loopback
                                      or address.is_link_local or address.is_unspecified or address.is_private)


def _loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return (mapped or address).is_loopback
