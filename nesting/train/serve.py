"""Run the trainer: bind the port, start the engine, serve with uvicorn until Ctrl-C.

The socket is bound here, before uvicorn starts, so that a port in use is a clear
:class:`~leathernest.errors.InputError` (exit 2) and ``--port 0`` can pick a free port whose
address is known before the first request.
"""

from __future__ import annotations

import errno
import socket
import threading
import webbrowser
from collections.abc import Callable

from leathernest.errors import InputError
from leathernest.train.session import Trainer


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
    sock.listen(128)
    sock.setblocking(False)
    return sock


def url_of(sock: socket.socket) -> str:
    """The page's address for a bound socket."""
    host, port = sock.getsockname()[:2]
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/"


def serve(trainer: Trainer, host: str, port: int, open_browser: bool,
          say: Callable[[str], None]) -> None:
    """Serve the session until Ctrl-C (a normal end: returns); the engine stops with the server."""
    import uvicorn

    # Lazy, with uvicorn: the app pulls Starlette, which only serving needs.
    from leathernest.train.app import create_app

    sock = bind(host, port)
    url = url_of(sock)
    config = uvicorn.Config(create_app(trainer), log_level="warning", access_log=False,
                            lifespan="off")
    server = uvicorn.Server(config)
    trainer.engine.start()
    trainer.write_session_files()
    say(f"leathernest trainer: {url} (Ctrl-C to stop)")
    if host in ("0.0.0.0", "::"):
        say("  the page is open to every machine on this network (tablets); there is no login")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its graceful shutdown
        pass
    finally:
        trainer.engine.cancel()
        sock.close()
