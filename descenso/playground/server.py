"""The playground's web server: the page, two upload endpoints and one WebSocket per tab.

FastAPI on uvicorn. By default they accept any ``Host`` and ``Origin`` and bodies
of any size; this server binds to 127.0.0.1, refuses foreign hosts and origins
(:mod:`descenso.playground.guard`), bounds every body, message and the number of
sessions, and frees a tab's session when its socket closes.
"""

# No `from __future__ import annotations`: FastAPI reads the handlers' annotations, which name
# classes imported inside create_app (FastAPI is an optional extra).
import socket
import threading
import urllib.parse
import webbrowser
from pathlib import Path
from typing import Any

from descenso.playground.messages import translate
from descenso.playground.protocol import MAX_MESSAGE_BYTES, MAX_SESSIONS, MAX_UPLOAD_BYTES, ProtocolError

STATIC = Path(__file__).parent / "static"
MAX_UPLOADS_KEPT = 16


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

    Returns
    -------
    fastapi.FastAPI
        With ``app.state.sessions`` (the live sessions, by id) and ``app.state.uploads``.
    """
    fastapi = _fastapi()
    from fastapi import Request, WebSocket
    from fastapi.responses import FileResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles

    from descenso.playground.export import open_model
    from descenso.playground.guard import OriginGuard, SecurityHeaders
    from descenso.playground.live import LiveSession
    from descenso.playground.uploads import UploadStore, read_csv_upload

    app = fastapi.FastAPI(title="descenso playground", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sessions = {}
    app.state.uploads = UploadStore(MAX_UPLOADS_KEPT)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(OriginGuard, allowed_hosts=allowed_hosts)  # outermost: runs first

    @app.exception_handler(fastapi.HTTPException)
    async def http_error(request: Any, error: Any) -> Any:
        return JSONResponse({"error": error.detail, "text": translate(str(error.detail))},
                            status_code=error.status_code)  # fmt: skip

    @app.get("/")
    async def index() -> Any:
        return FileResponse(STATIC / "index.html")

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
        live = LiveSession(websocket, app.state.uploads)
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
    name = "127.0.0.1" if host in ("0.0.0.0", "") else (f"[{host}]" if ":" in host else host)
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
    print(f"descenso playground: {url}  (Ctrl-C to stop)", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"note: listening on {host}; the page still accepts only its loopback address", flush=True)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
