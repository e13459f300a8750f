"""One WebSocket, one training session: messages in, snapshots out, several times a second.

Training runs in a worker thread (``asyncio.to_thread``) in slices of about a
tenth of a second, so the event loop stays free for other tabs and for this
tab's next message (pause, a new learning rate) between slices. A lock keeps a
message from changing the session while a slice runs.

A page that stops reading cannot hold its session: every send has a time limit
(``send_timeout``), after which the socket is closed and the slot freed. Messages
over a rate (:mod:`descenso.playground.ratelimit`) are dropped unread, with one
notice, so a flood does not queue up ahead of a pause. An unexpected error sends
the page a generic sentence with a request id; the details go to the server's log
(logger ``descenso.playground``) under the same id.

A tab's engine work runs under that tab's own thread lock (``LiveSession.work``):
a slice whose task was cancelled (pause) still finishes in its thread, and must
do so before anything else touches the session. Tabs do not wait for each other:
descenso's ``no_grad`` switch is per thread, so a snapshot drawn under ``no_grad``
for one tab never switches off the gradients of another tab's training step.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import secrets
import threading
from typing import Any, Callable, TypeVar

from pydantic import ValidationError

from descenso.playground import export
from descenso.playground.messages import translate
from descenso.playground.presets import PRESETS
from descenso.playground.protocol import (
    CLASSIFICATION_DATASETS,
    MAX_SEED,
    REGRESSION_DATASETS,
    Config,
    ConfigMessage,
    ControlMessage,
    LoadModelMessage,
    PresetMessage,
    ProtocolError,
    SetMessage,
    parse_message,
)
from descenso.playground.ratelimit import RateLimit
from descenso.playground.session import Session
from descenso.playground.snapshot import data_message, snapshot_message
from descenso.playground.uploads import UploadStore

T = TypeVar("T")
SLICE_SECONDS = 0.1  # training time between two snapshots: about 8 pictures a second with drawing
PAUSE_SECONDS = 0.02
SEND_TIMEOUT_SECONDS = 10.0  # a page that reads nothing for this long is hung up on
log = logging.getLogger("descenso.playground")


class ClosedError(Exception):
    """The page went away."""


class LiveSession:
    """Serve one page over its WebSocket until it closes.

    Parameters
    ----------
    websocket : starlette.websockets.WebSocket
        Accepted.
    uploads : UploadStore
        Where uploaded CSV files and models are found by token.
    send_timeout : float, default SEND_TIMEOUT_SECONDS
        Seconds one message may take to leave; a page that reads nothing for longer is hung up on.
    rate : RateLimit, optional
        The limit on the page's messages (:class:`~descenso.playground.ratelimit.RateLimit`).
    """

    def __init__(
        self,
        websocket: Any,
        uploads: UploadStore,
        send_timeout: float = SEND_TIMEOUT_SECONDS,
        rate: RateLimit | None = None,
    ) -> None:
        self.websocket = websocket
        self.uploads = uploads
        self.send_timeout = send_timeout
        self.rate = rate if rate is not None else RateLimit()
        self.hung_up: str | None = None  # why the server closed this page's socket, once it did
        self.reader: asyncio.Task[Any] | None = None
        self.session: Session | None = None
        self.player: asyncio.Task[None] | None = None
        self.lock = asyncio.Lock()
        self.engine = threading.Lock()

    async def work(self, function: Callable[..., T], *args: Any) -> T:
        """Run this tab's engine work in a worker thread, one piece at a time.

        Parameters
        ----------
        function : callable
        *args
            Passed to ``function``.

        Returns
        -------
        object
            What ``function`` returns.
        """

        def locked() -> T:
            with self.engine:
                return function(*args)

        return await asyncio.to_thread(locked)

    async def send(self, message: dict[str, Any]) -> None:
        """Send one JSON message (NaN is a bug here: snapshot replaces it by null).

        Raises
        ------
        ClosedError
            When the page has gone, or has not read for ``send_timeout`` seconds: then the socket
            is closed and the reading loop stopped, so the session's slot is freed.
        """
        text = json.dumps(message, allow_nan=False, separators=(",", ":"))
        try:
            await asyncio.wait_for(self.websocket.send_text(text), self.send_timeout)
        except asyncio.TimeoutError:
            self.hang_up(f"the page read nothing for {self.send_timeout:g} s")
            raise ClosedError(self.hung_up) from None
        except Exception as error:  # the page went away (the exact exception depends on the server)
            raise ClosedError(str(error)) from None

    def hang_up(self, reason: str) -> None:
        """Stop serving a page that no longer reads: end the reading loop, which frees the session."""
        if self.hung_up is not None:
            return
        self.hung_up = reason
        log.warning("closing a playground tab's socket: %s", reason)
        if self.reader is not None and self.reader is not asyncio.current_task():
            self.reader.cancel()  # it waits for a message that may never come

    async def close(self) -> None:
        """Close the socket after a hang-up, without waiting on a peer that does not read."""
        with contextlib.suppress(Exception, asyncio.TimeoutError):
            await asyncio.wait_for(self.websocket.close(code=1008, reason="the page stopped reading"), 1.0)

    async def run(self) -> None:
        """Read messages until the page closes; answer each, or say why it was refused."""
        from starlette.websockets import WebSocketDisconnect

        self.reader = asyncio.current_task()
        try:
            while True:
                try:
                    text = await self.websocket.receive_text()
                except (WebSocketDisconnect, RuntimeError, KeyError):
                    return
                verdict = self.rate.take()
                if verdict != "allow":  # dropped unread: a flood must not queue up ahead of a pause
                    if verdict == "first drop":
                        await self.send_error(self.rate.refusal())
                    continue
                try:
                    await self.handle(parse_message(text))
                except ProtocolError as error:  # ours: written for the page
                    await self.send_error(str(error))
                except Exception as error:
                    await self.send_error(self.report(error, "this request failed"))
        except ClosedError:
            return
        except asyncio.CancelledError:
            if self.hung_up is None:
                raise
            current = asyncio.current_task()
            if current is not None:
                current.uncancel()  # our own hang-up: finish normally so the slot is freed
        finally:
            await self.stop()
            if self.hung_up is not None:
                await self.close()

    def report(self, error: BaseException, what: str) -> str:
        """Log ``error`` in full under a new request id; return the page's generic sentence naming it."""
        request = secrets.token_hex(4)
        log.error("request %s: %s: %s: %s", request, what, type(error).__name__, error, exc_info=error)
        return f"{what}: an internal error (request id {request}); the server's log has the details"

    async def stop(self) -> None:
        """Stop training and let the session be freed."""
        if self.player is not None:
            self.player.cancel()
            with contextlib.suppress(asyncio.CancelledError, ClosedError):
                await self.player
            self.player = None
        self.session = None
        # A cancelled slice still runs to its end in its thread (up to SLICE_SECONDS), holding the
        # session; once this tab's engine lock is free again, nothing refers to it any more.
        await self.work(lambda: None)

    # ------------------------------------------------------------------ messages
    async def handle(self, message: Any) -> None:
        """Act on one validated message (see :mod:`descenso.playground.protocol`)."""
        if isinstance(message, ConfigMessage):
            await self.pause()
            session = await self.work(self.build, message.config)
            await self.replace(session)
            return
        if isinstance(message, PresetMessage):
            await self.pause()
            config = Config.model_validate(PRESETS[message.name].config)
            session = await self.work(self.build, config)
            session.preset = message.name
            await self.replace(session)
            return
        if isinstance(message, LoadModelMessage):
            await self.pause()
            await self.replace(await self.work(self.open_model, message.token))
            return
        if self.session is None:
            raise ProtocolError("send a 'config' message first: there is no run to control yet")
        session = self.session
        if isinstance(message, SetMessage):
            async with self.lock:
                await self.work(session.apply, message.settings)
            return
        assert isinstance(message, ControlMessage)
        if message.type == "play":
            if self.player is None or self.player.done():
                if session.state == "paused":
                    session.state = "playing"  # after a stop, step() first clears it and resets the rules
                self.player = asyncio.create_task(self.play())
            return
        await self.pause()
        async with self.lock:
            if message.type == "step":
                event = await self.work(session.step)
                if event:
                    await self.send_status(session)
            elif message.type == "reset":
                await self.work(session.reset)
            elif message.type == "reinit":
                await self.work(session.reinitialize, secrets.randbelow(MAX_SEED) + 1)
                await self.send(await self.work(data_message, session))
            elif message.type == "export":
                await self.send_export(session)
                return
            await self.send(await self.work(snapshot_message, session))

    def build(self, config: Config) -> Session:
        """A new session for ``config`` (runs in a worker thread: drawing data takes a moment)."""
        if config.dataset == "csv":
            assert config.csv is not None
            name, table = self.uploads.get(config.csv.token, "csv")
            return Session(config, table, csv_name=name)
        return Session(config)

    def open_model(self, token: str) -> Session:
        """A session around a saved model: its own run's settings when it came from the playground."""
        name, saved = self.uploads.get(token, "model")
        current = self.session.config if self.session is not None else Config()
        if saved.config is not None:
            try:
                config = Config.model_validate(saved.config)
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                raise ProtocolError(
                    f"{name}: its playground setting {where} is not valid: {first['msg']}"
                ) from None
        else:
            config = current.model_copy(deep=True)
            config.task = saved.task
            if config.dataset == "csv" or config.dataset not in (
                CLASSIFICATION_DATASETS if saved.task == "classification" else REGRESSION_DATASETS
            ):
                config.dataset, config.csv = ("circles" if saved.task == "classification" else "plane"), None
            config = Config.model_validate({**config.model_dump(), "layers": export.layers_of(saved.model)})
        session = Session(config)
        session.load_model(saved.model, saved.transform, name)
        return session

    async def replace(self, session: Session) -> None:
        """Make ``session`` this page's run and send its data and first snapshot."""
        async with self.lock:
            self.session = session
            await self.send(await self.work(data_message, session))
            await self.send(await self.work(snapshot_message, session))

    async def pause(self) -> None:
        """Stop the play loop, if it runs."""
        if self.player is not None and not self.player.done():
            self.player.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.player
        self.player = None
        if self.session is not None and self.session.state == "playing":
            self.session.state = "paused"

    async def play(self) -> None:
        """Train in slices and send a snapshot after each, until paused, stopped or diverged."""
        session = self.session
        assert session is not None
        try:
            while True:
                async with self.lock:
                    event = await self.work(session.run_for, SLICE_SECONDS)
                    if session.state == "paused":  # step() clears a previous stop when going on
                        session.state = "playing"
                    snapshot = await self.work(snapshot_message, session)
                await self.send(snapshot)
                if event:
                    await self.send_status(session)
                    return
                await asyncio.sleep(PAUSE_SECONDS)
        except ClosedError:
            return
        except Exception as error:  # a bug must not leave the page waiting in silence
            session.state = "paused"
            with contextlib.suppress(ClosedError):  # the text, paths and all, goes to the log only
                await self.send_error(self.report(error, "training stopped"))

    async def send_error(self, message: str) -> None:
        """Tell the page what was refused or went wrong, in English and Spanish (``text``)."""
        await self.send({"type": "error", "message": message, "text": translate(message)})

    async def send_status(self, session: Session) -> None:
        """Tell the page why training paused: a stop rule fired, or it diverged (``text``: EN and ES)."""
        kind = "divergence" if session.state == "diverged" else "stop"
        reason = session.reason or ""
        await self.send({"type": "status", "state": session.state, "kind": kind, "reason": reason,
                         "text": translate(reason)})  # fmt: skip

    async def send_export(self, session: Session) -> None:
        """Send the model file (base64), the equivalent command and a Python snippet."""
        body = await self.work(export.export_model, session)
        filename = f"playground-{session.config.dataset}-epoch{session.epoch}.descenso"
        await self.send({
            "type": "export",
            "filename": filename,
            "data": base64.b64encode(body).decode("ascii"),
            "command": export.train_command(session, filename),
            "snippet": export.python_snippet(session, filename),
        })  # fmt: skip
