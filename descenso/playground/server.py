"""The playground's web server: the page, two upload endpoints and one WebSocket per tab.

FastAPI on uvicorn. By default they accept any ``Host`` and ``Origin`` and bodies
of any size; this server binds to 127.0.0.1, refuses foreign hosts and origins
and requests without the page's session token (:mod:`descenso.playground.guard`),
bounds every body, message, the rate of messages and the number of sessions, and
frees a tab's session when its socket closes or its page stops reading.
"""

# No `from __future__ import annotations`: FastAPI reads the handlers' annotations, which name
# classes imported inside create_app (FastAPI is an optional extra).
import ipaddress
import logging
import secrets
import socket
import threading
import urllib.parse
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from descenso.playground.messages import translate
from descenso.playground.protocol import MAX_MESSAGE_BYTES, MAX_SESSIONS, MAX_UPLOAD_BYTES, ProtocolError

if TYPE_CHECKING:
    from descenso.playground.ratelimit import RateLimit

log = logging.getLogger("descenso.playground")
STATIC = Path(__file__).parent / "static"
MAX_UPLOADS_KEPT = 16
TOKEN_PLACEHOLDER = "__DESCENSO_TOKEN__"  # in index.html's <meta name="descenso-token">


def _fastapi() -> Any:
    try:
        import fastapi
    except ImportError:
        raise ImportError(
            "the playground needs FastAPI and uvicorn: pip install 'descenso[playground]'"
        ) from None
    return fastapi


async def _read_body(request: Any, limit: int, what: str, fix: str) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    fastapi = _fastapi()
    too_large = f"the {what} is larger than the playground accepts ({limit / 1e6:g} MB); {fix}"
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise fastapi.HTTPException(413, too_large)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise fastapi.HTTPException(413, too_large)
        chunks.append(chunk)
    if size == 0:
        raise fastapi.HTTPException(400, f"the {what} is empty")
    return b"".join(chunks)


def _filename(request: Any, default: str) -> str:
    """The uploaded file's base name from the page's ``X-Filename`` header, printable and short."""
    name = urllib.parse.unquote(request.headers.get("x-filename", default))
    name = "".join(ch for ch in Path(name).name if ch.isprintable())[:100]
    return name or default


def create_app(
    *,
    allowed_hosts: set[str] | None = None,
    max_sessions: int = MAX_SESSIONS,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    token: str | None = None,
    send_timeout: float | None = None,
    rate: "Callable[[], RateLimit] | None" = None,
) -> Any:
    """Build the playground's ASGI application.

    Parameters
    ----------
    allowed_hosts : set of str, optional
        ``Host`` header values to accept (``"127.0.0.1:8765"``); by default the loopback
        names with the port the server is bound to.
    max_sessions : int, default protocol.MAX_SESSIONS
        Tabs that may train at once; more are told to close one.
    max_upload_bytes : int, default protocol.MAX_UPLOAD_BYTES
        Largest CSV or model file accepted.
    token : str, optional
        The session token the API and the WebSocket require; by default a fresh random one
        (``secrets.token_urlsafe(32)``). The page is served with it.
    send_timeout : float, optional
        Seconds a message to a page may take to leave before the page is hung up on
        (``live.SEND_TIMEOUT_SECONDS`` by default).
    rate : callable, optional
        Makes each tab's :class:`~descenso.playground.ratelimit.RateLimit` (default: 20 messages a
        second, bursts of 40).

    Returns
    -------
    fastapi.FastAPI
        With ``app.state.sessions`` (the live sessions, by id), ``app.state.uploads`` and
        ``app.state.token``.
    """
    fastapi = _fastapi()
    from fastapi import Request, WebSocket
    from fastapi.responses import HTMLResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles

    from descenso.playground.export import open_model
    from descenso.playground.guard import OriginGuard, SecurityHeaders, TokenGuard
    from descenso.playground.live import SEND_TIMEOUT_SECONDS, LiveSession
    from descenso.playground.ratelimit import RateLimit
    from descenso.playground.uploads import UploadStore, read_csv_upload

    app = fastapi.FastAPI(title="descenso playground", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sessions = {}
    app.state.uploads = UploadStore(MAX_UPLOADS_KEPT)
    app.state.token = token or secrets.token_urlsafe(32)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(TokenGuard, token=app.state.token)
    app.add_middleware(OriginGuard, allowed_hosts=allowed_hosts)  # outermost: runs first

    @app.exception_handler(fastapi.HTTPException)
    async def http_error(request: Any, error: Any) -> Any:
        return JSONResponse({"error": error.detail, "text": translate(str(error.detail))},
                            status_code=error.status_code)  # fmt: skip

    @app.get("/")
    async def index() -> Any:
        page = (STATIC / "index.html").read_text(encoding="utf-8")
        return HTMLResponse(page.replace(TOKEN_PLACEHOLDER, app.state.token))

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.post("/api/csv")
    async def upload_csv(request: Request) -> Any:
        name = _filename(request, "data.csv")
        fix = f"upload a sample of its rows, or train on the whole file: `descenso train {name} --target COL`"
        body = await _read_body(request, max_upload_bytes, f"CSV file {name}", fix)
        try:
            table, summary = read_csv_upload(body, name)
        except ProtocolError as error:
            return JSONResponse({"error": str(error), "text": translate(str(error))}, status_code=422)
        return {"token": app.state.uploads.put("csv", name, table), **summary}

    @app.post("/api/model")
    async def upload_model(request: Request) -> Any:
        name = _filename(request, "model.descenso")
        body = await _read_body(
            request, max_upload_bytes, f"model file {name}", "open it in Python with descenso.load"
        )
        try:
            saved = open_model(body, name)
        except ProtocolError as error:
            return JSONResponse({"error": str(error), "text": translate(str(error))}, status_code=422)
        return {"token": app.state.uploads.put("model", name, saved), "name": name, "summary": saved.summary}

    @app.websocket("/ws")
    async def session_socket(websocket: WebSocket) -> None:
        # OriginGuard has already refused foreign hosts and origins before this handshake.
        await websocket.accept()
        if len(app.state.sessions) >= max_sessions:
            message = f"{max_sessions} playground tabs are already training; close one and reload this page"
            await websocket.send_json({"type": "error", "message": message, "text": translate(message)})
            await websocket.close(code=1013)
            return
        live = LiveSession(
            websocket,
            app.state.uploads,
            send_timeout=SEND_TIMEOUT_SECONDS if send_timeout is None else send_timeout,
            rate=rate() if rate is not None else RateLimit(),
        )
        app.state.sessions[id(live)] = live
        try:
            await live.run()
        finally:
            del app.state.sessions[id(live)]  # the session, its data and model go with it

    return app


def make_server(host: str = "127.0.0.1", port: int = 0) -> "tuple[Any, socket.socket, str]":
    """A uvicorn server for the playground bound to ``host:port`` (0: a free port).

    Parameters
    ----------
    host : str, default "127.0.0.1"
    port : int, default 0

    Returns
    -------
    server : uvicorn.Server
        Call ``server.run(sockets=[sock])`` (blocks) or ``server.should_exit = True`` to stop.
    sock : socket.socket
        The bound listening socket.
    url : str
        The page's address.
    """
    try:
        import uvicorn
    except ImportError:
        raise ImportError("the playground needs uvicorn: pip install 'descenso[playground]'") from None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    bound = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(), log_level="warning", ws_max_size=MAX_MESSAGE_BYTES, proxy_headers=False,
        server_header=False, limit_concurrency=64, timeout_graceful_shutdown=2,
    )  # fmt: skip
    wildcard = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}  # browsers open a loopback name
    name = wildcard.get(host) or (f"[{host}]" if ":" in host else host)
    return uvicorn.Server(config), sock, f"http://{name}:{bound}/"


def serve(host: str = "127.0.0.1", port: int = 0, open_browser: bool = False) -> None:
    """Run the playground until Ctrl-C; print its address first.

    Parameters
    ----------
    host : str, default "127.0.0.1"
        Interface to listen on. Only this machine can reach the default.
    port : int, default 0
        TCP port; 0 picks a free one.
    open_browser : bool, default False
        Open the page in the default web browser once the server listens.

    Raises
    ------
    OSError
        When the port cannot be bound (e.g. already in use).
    ImportError
        Without the ``playground`` extra.
    """
    server, sock, url = make_server(host, port)
    if not log.handlers:  # request ids of failed requests, hung-up tabs: the server's log is stderr
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s playground %(levelname)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    print(f"descenso playground: {url}  (Ctrl-C to stop)", flush=True)
    warning = exposure_warning(host, sock.getsockname()[1])
    if warning:
        print(warning, flush=True)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def _is_loopback(host: str) -> bool:
    """Whether every address ``host`` names is a loopback one (a name is resolved; a wildcard is not)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}
    except OSError:
        return False
    return bool(found) and all(ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in found)


def exposure_warning(host: str, port: int) -> str | None:
    """What listening on ``host`` exposes, and to whom; ``None`` for a loopback address.

    Parameters
    ----------
    host : str
        The address the server listens on: an IPv4 or IPv6 address, a name, or a wildcard
        (``0.0.0.0``, ``::``, ``""``).
    port : int

    Returns
    -------
    str or None

    Examples
    --------
    >>> exposure_warning("127.0.0.1", 8765) is None and exposure_warning("::1", 8765) is None
    True
    >>> print(exposure_warning("0.0.0.0", 8765))  # doctest: +ELLIPSIS
    warning: listening on 0.0.0.0 port 8765, every IPv4 interface of this machine: ...
    """
    if host not in ("", "0.0.0.0", "::") and _is_loopback(host):
        return None
    where = {
        "": "every IPv4 interface of this machine",
        "0.0.0.0": "every IPv4 interface of this machine",
        "::": "every IPv6 interface of this machine (and IPv4 too, where the system maps it)",
    }.get(host, f"{host}, an address other machines may reach")
    browsers = (
        "a browser elsewhere is refused (the page answers only to its loopback names)"
        if host in ("", "0.0.0.0", "::")
        else f"a browser elsewhere can open http://{'[' + host + ']' if ':' in host else host}:{port}/"
    )
    return (
        f"warning: listening on {host or '0.0.0.0'} port {port}, {where}: any program on a machine "
        f"that can reach it can load the page, read its session token and then train models and "
        f"upload CSV and model files (up to {MAX_UPLOAD_BYTES / 1e6:g} MB each) on this machine; "
        f"{browsers}. The Host, Origin and token checks stop other web sites, not programs. "
        "Use the default --host 127.0.0.1 unless that is what you want"
    )
