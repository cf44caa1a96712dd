"""The listening sockets `xpo serve` opens first, before it imports the application (issue 19, restarts).

Importing the application and building it (its models, 220 routes) takes seconds. A port that is not
listening meanwhile refuses every screen that tries to come back, and each refused screen waits for its
next try (board.js: up to 2 s). A socket bound and listening from the first moments of the process lets
the kernel accept the connections meanwhile and keep them queued (up to `BACKLOG`): each screen's
handshake waits in the queue and is answered as soon as the boards are served, without a retry. The
HTTP port is bound the same way, so a desk's result posted during a restart waits instead of failing.

Stdlib only, and imported before anything heavy: that is the point.
"""

import socket

BACKLOG = 4096
"""Connections the kernel queues before the process accepts them (capped by net.core.somaxconn).
When a worker stops, its thousands of screens come back at once: asyncio's default of 100 dropped
most of them, and each retried after its backoff (seconds)."""


def bind(host: str, port: int, *, reuse_port: bool = False, backlog: int = BACKLOG) -> socket.socket:
    """A TCP socket bound to (host, port) and listening, non-blocking, ready for asyncio's `create_server(sock=)`.

    `reuse_port`: several workers share the port (`SO_REUSEPORT`); the kernel spreads connections among them.
    """
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock
