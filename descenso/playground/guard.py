"""Refuse requests that do not come from the playground's own page.

A local server is reachable by any web page the user opens: a foreign page can
POST to ``http://127.0.0.1:PORT`` (cross-site request forgery) or rename its own
host to ``127.0.0.1`` through DNS (DNS rebinding) and then read the answers.
Starlette and uvicorn accept any ``Host`` and ``Origin`` by default, so this
ASGI middleware checks both before the application sees the request, for HTTP
and WebSocket alike. Any program on the machine can forge those two headers, so
the API and the WebSocket also need the random session token served inside the
page (:class:`TokenGuard`).
"""

from __future__ import annotations

import hmac
import json
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def allowed_hosts_for(scope: Scope) -> set[str]:
    """The ``Host`` values that name this server: loopback names with the port it listens on.

    Parameters
    ----------
    scope : dict
        An ASGI scope; ``scope["server"]`` is the ``(host, port)`` the server is bound to.

    Returns
    -------
    set of str

    Examples
    --------
    >>> sorted(allowed_hosts_for({"server": ("127.0.0.1", 8765)}))
    ['127.0.0.1:8765', '[::1]:8765', 'localhost:8765']
    """
    host, port = scope.get("server") or ("127.0.0.1", 80)
    names = set(_LOOPBACK_NAMES)
    if host not in ("0.0.0.0", "::"):  # a wildcard bind is not a name a browser uses
        names.add(f"[{host}]" if ":" in host else host)
    return {f"{name}:{port}" for name in names}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class OriginGuard:
    """ASGI middleware: only this server's own ``Host``, and only the page's own ``Origin``.

    Parameters
    ----------
    app : ASGI application
        The application to protect.
    allowed_hosts : set of str, optional
        The accepted ``Host`` header values (``name:port``). By default they are
        derived from the address the server is bound to (:func:`allowed_hosts_for`).

    Notes
    -----
    A request is refused with 403 when its ``Host`` is not one of the allowed
    values (DNS rebinding), and a WebSocket handshake or a state-changing HTTP
    request (not GET/HEAD/OPTIONS) is refused when its ``Origin`` is missing or
    is not ``http://`` + its ``Host`` (cross-site requests). Browsers always send
    ``Origin`` on these requests and never let a page forge it.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: set[str] | None = None) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        reason = self.refusal(scope)
        if reason is None:
            await self.app(scope, receive, send)
        else:
            await _refuse(scope, send, reason)

    def refusal(self, scope: Scope) -> str | None:
        """Return why the request is refused, or ``None`` to let it through.

        Parameters
        ----------
        scope : dict
            The ASGI scope of an HTTP request or WebSocket handshake.

        Returns
        -------
        str or None
            A sentence starting with ``"refused: "``.
        """
        host = _header(scope, b"host")
        allowed = self.allowed_hosts if self.allowed_hosts is not None else allowed_hosts_for(scope)
        if host is None or host.lower() not in allowed:
            return (
                f"refused: Host {host!r} is not this playground's address; open it as http://{min(allowed)}"
            )
        needs_origin = scope["type"] == "websocket" or scope.get("method", "GET") not in _SAFE_METHODS
        origin = _header(scope, b"origin")
        if needs_origin and (origin is None or origin.lower() != f"http://{host.lower()}"):
            return f"refused: Origin {origin!r} is not this playground's page (http://{host})"
        return None


TOKEN_HEADER = "x-descenso-token"
TOKEN_PARAMETER = "token"


def _token_of(scope: Scope) -> str | None:
    """The session token a request carries: the ``X-Descenso-Token`` header, else ``?token=``."""
    token = _header(scope, TOKEN_HEADER.encode())
    if token is None:
        query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = (query.get(TOKEN_PARAMETER) or [None])[0]
    return token


class TokenGuard:
    """ASGI middleware: the API and the WebSocket need the session token the page was served with.

    Parameters
    ----------
    app : ASGI application
    token : str
        The server's random token (``secrets.token_urlsafe``); the page gets it in a ``<meta>`` tag.
    protected : tuple of str, default ("/api/", "/ws")
        Path prefixes that need it; the page itself and its static files do not.

    Notes
    -----
    The Host and Origin checks (:class:`OriginGuard`) stop other web sites; the token also stops
    other programs on this machine, which can forge those headers but cannot read the page's
    token without first loading the page. Tokens are compared with :func:`hmac.compare_digest`,
    in time that does not depend on how much of a guess is right. A refused request gets 403 with
    ``{"error": reason}``, the WebSocket handshake too where the server allows it (uvicorn does);
    otherwise the handshake is closed with code 1008 and the reason.
    """

    def __init__(self, app: ASGIApp, token: str, protected: tuple[str, ...] = ("/api/", "/ws")) -> None:
        if not token:
            raise ValueError("TokenGuard needs a non-empty token")
        self.app, self.token, self.protected = app, token.encode(), protected

    def refusal(self, scope: Scope) -> str | None:
        """Why the request is refused (``"refused: ..."``), or ``None`` to let it through."""
        if scope["type"] not in ("http", "websocket") or not scope.get("path", "").startswith(self.protected):
            return None
        token = _token_of(scope)
        if token is None:
            return "refused: the request carries no session token; reload the playground's page"
        if not hmac.compare_digest(token.encode("utf-8", "replace"), self.token):
            return "refused: the session token is wrong (the server restarted?); reload the playground's page"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        reason = self.refusal(scope)
        if reason is None:
            await self.app(scope, receive, send)
        else:
            await _refuse(scope, send, reason, deny_handshake=True)


async def _refuse(scope: Scope, send: Send, reason: str, deny_handshake: bool = False) -> None:
    """403 with ``{"error": reason}``; a WebSocket handshake is closed with code 1008 and the reason,
    or, with ``deny_handshake`` where the server can (the ASGI "websocket.http.response" extension,
    as uvicorn), answered with that same 403, so a client sees the reason and not a bare status."""
    websocket = scope["type"] == "websocket"
    if websocket and not (deny_handshake and "websocket.http.response" in scope.get("extensions", {})):
        await send({"type": "websocket.close", "code": 1008, "reason": reason})
        return
    prefix = "websocket." if websocket else ""
    body = json.dumps({"error": reason}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": f"{prefix}http.response.start", "status": 403, "headers": headers})
    await send({"type": f"{prefix}http.response.body", "body": body})


# The page loads only its own files; no inline script, no framing by other sites.
_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; "
     b"base-uri 'none'; form-action 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]  # fmt: skip


class SecurityHeaders:
    """ASGI middleware adding a strict Content-Security-Policy and related headers to HTTP responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)
