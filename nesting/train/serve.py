"""Run the class server: bind the port, start the workers and engine runs, serve until Ctrl-C.

The socket is bound here, before uvicorn starts, so that a port in use is a clear
:class:`~leathernest.errors.InputError` (exit 2) and ``--port 0`` can pick a free port whose
address is known before the first request. 127.0.0.1 unless told otherwise: the class's
tablets reach the server only when the trainer passes ``--host 0.0.0.0`` (or this machine's
address on the workshop network).
"""

from __future__ import annotations

import errno
import socket
import threading
import webbrowser
from collections.abc import Callable

from leathernest.errors import InputError
from leathernest.train.classapp import Classroom, create_app


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0: any free port)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"cannot use host {host!r} ({exc.strerror})",
                         hint="pass --host 127.0.0.1, or an address of this machine") from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        what = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
        raise InputError(f"port {port} on {host} {what}",
                         hint="pass another --port, or --port 0 for any free one") from None
    sock.listen(512)
    sock.setblocking(False)
    return sock


def url_of(sock: socket.socket) -> str:
    """The page's address for a bound socket."""
    host, port = sock.getsockname()[:2]
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/"


def serve(room: Classroom, host: str, port: int, say: Callable[[str], None],
          open_path: str | None = None, code: str | None = None) -> None:
    """Serve the class until Ctrl-C or SIGTERM (a normal end: returns), then stop everything.

    ``open_path`` (e.g. ``"?code=ABC123"``) is opened in a browser once serving.
    """
    import uvicorn

    sock = bind(host, port)
    url = url_of(sock)
    config = uvicorn.Config(create_app(room), log_level="warning", access_log=False,
                            lifespan="on", timeout_keep_alive=30)
    server = uvicorn.Server(config)
    try:
        room.start()
        join = f"{url}?code={code}" if code else url
        say(f"leathernest classroom: trainees open {join}")
        say(f"  trainer's page: {url}trainer#key={room.key}  (key {room.key})")
        if host in ("0.0.0.0", "::"):
            say("  open to the workshop network: tablets use this machine's address instead of "
                "127.0.0.1")
        say("  Ctrl-C to stop; every attempt is already in the database")
        if open_path is not None:
            threading.Timer(0.5, webbrowser.open, [url + open_path]).start()
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its graceful shutdown
        pass
    finally:
        room.close()
        sock.close()
