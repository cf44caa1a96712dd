"""Who is really asking, and at which address the site was reached.

X-Forwarded-For, -Proto and -Host are believed only when the connection comes from one of
`[server] trusted_proxies`; anyone else could write them. The login limit, the audit and the
absolute links (player cards, QR codes, screens) all ask here.
"""

import ipaddress
from functools import lru_cache

from litestar.connection import ASGIConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def trusted_networks(setting: str) -> tuple[Network, ...]:
    """The networks of a `trusted_proxies` setting ("127.0.0.1, 10.0.0.0/8"); a bad entry is a start-up error."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in setting.split(",") if item.strip())


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _networks(connection: ASGIConnection) -> tuple[Network, ...]:
    settings = connection.app.state.get("settings")
    return trusted_networks(settings.server.trusted_proxies) if settings is not None else ()


def _peer(connection: ASGIConnection) -> str:
    client = connection.client
    return client.host if client else ""


def via_trusted_proxy(connection: ASGIConnection) -> bool:
    return _is_trusted(_peer(connection), _networks(connection))


def client_address(connection: ASGIConnection) -> str:
    """The client's address: the peer, or, behind trusted proxies, the last X-Forwarded-For hop they did not add."""
    peer = _peer(connection)
    networks = _networks(connection)
    if not _is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for header in connection.headers.getall("x-forwarded-for", []) for hop in header.split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _is_trusted(hop, networks):
            return hop
    return peer


def request_origin(connection: ASGIConnection) -> str:
    """`scheme://host[:port]` as the browser reached the site (the proxy's X-Forwarded-Proto/Host when trusted)."""
    scheme = connection.url.scheme
    host = connection.headers.get("host", "")
    if via_trusted_proxy(connection):
        scheme = connection.headers.get("x-forwarded-proto", scheme).split(",")[0].strip() or scheme
        host = connection.headers.get("x-forwarded-host", host).split(",")[0].strip() or host
    if not host:
        server = connection.scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}"
