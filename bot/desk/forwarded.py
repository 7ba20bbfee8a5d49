"""Who is really asking when a reverse proxy stands between the browser and the desk.

Behind nginx every request arrives from nginx's address. The proxy says whom it
served in X-Forwarded-For (each proxy appends the address it saw) and X-Real-IP,
and by which scheme in X-Forwarded-Proto; but anyone can write those headers, so
they are believed only from a peer in `trusted_proxies` (desk.yml). The log-in
limit counts failures per client address and the same-origin check needs the
scheme the browser used: both ask here.
"""

from __future__ import annotations

import ipaddress
from typing import Optional, Sequence, Union

from aiohttp import web

from bot.desk.settings import Network

Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]

UNKNOWN = "unknown"  # a peer without an IP address (a Unix socket): one shared bucket


def client_address(request: web.Request, trusted: Sequence[Network]) -> str:
    """The client's IP address as text: the peer, or what trusted proxies forwarded.

    X-Forwarded-For is read from the right: each address a trusted proxy reports is
    taken in turn, and the first one that is not itself a trusted proxy is the client.
    A client's own entries further left (e.g. a forged "X-Forwarded-For: 1.2.3.4"
    that nginx passed on before its own) are never reached.
    """
    address = _parse(request.remote)
    if address is None:
        return request.remote or UNKNOWN
    forwarded = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    if not forwarded and "X-Real-IP" in request.headers:
        forwarded = [request.headers["X-Real-IP"].strip()]
    for hop in reversed(forwarded):
        if not _is_trusted(address, trusted):
            break
        reported = _parse(hop)
        if reported is None:  # garbage in the header: stay with the last address a trusted proxy vouched for
            break
        address = reported
    return str(address)


def scheme(request: web.Request, trusted: Sequence[Network]) -> str:
    """The scheme the browser used: a trusted proxy's X-Forwarded-Proto, else the connection's own."""
    proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    if proto in ("http", "https") and _is_trusted(_parse(request.remote), trusted):
        return proto
    return request.scheme


def _is_trusted(address: Optional[Address], trusted: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in trusted)


def _parse(text: Optional[str]) -> Optional[Address]:
    """An IP address, with "::ffff:10.0.0.1" (IPv4 on a dual-stack socket) read as 10.0.0.1."""
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address
