"""`corebank atm serve`: the asyncio TCP server of the ATM/POS switch.

Each frame is a 2-byte big-endian length and one ISO 8583 message (`iso.SPEC`). A connection is a terminal:
its requests are answered in order, each in a worker thread (the units of work are synchronous), while the
event loop keeps reading every other connection; financial requests from many terminals that arrive together
are committed together (`group`), each answered only once its transaction has committed. A frame that cannot
be read is answered as far as it can be: when its MTI was decoded, with the MTI + 10 and 12 (invalid
transaction), and the connection stays; when nothing can be read (a length of 0 or above `iso.MAX_FRAME`, a
frame cut short, bytes that are no MTI), with 96 (system malfunction), and that connection alone is closed. A
connection silent for `atm_idle_timeout_seconds` is closed. Every minute the server credits the ATM transfers
that have come due.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from corebank.channels import monitoring
from corebank.channels.atm import handler, iso, transfers
from corebank.channels.atm.group import GroupCommit
from corebank.db.uow import UnitOfWorkFactory

log = logging.getLogger("corebank.atm")
# The bytes of one frame arrive together: a frame still incomplete after this long is cut short.
FRAME_SECONDS = 5.0
CREDIT_EVERY_SECONDS = 60.0


@dataclass
class SwitchServer:
    """The switch: a TCP server over the bank's unit-of-work factory."""

    runner: UnitOfWorkFactory
    host: str = "127.0.0.1"
    port: int = 8583
    workers: int = 16
    idle_seconds: float | None = None  # None: the setting atm_idle_timeout_seconds
    frame_seconds: float = FRAME_SECONDS
    credit_every: float = CREDIT_EVERY_SECONDS  # 0: no crediting of due ATM transfers
    _server: asyncio.Server | None = field(default=None, init=False, repr=False)
    _executor: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    group_commit: bool = True  # financial requests queued together share a transaction (see `group`)
    _group: GroupCommit | None = field(default=None, init=False, repr=False)
    connections: int = field(default=0, init=False)

    async def start(self) -> int:
        """Listen; return the port (useful when asked for port 0)."""
        self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="atm")
        self._group = GroupCommit(self.runner) if self.group_commit else None
        asyncio.get_running_loop().set_default_executor(self._executor)
        self._server = await asyncio.start_server(
            self._connection, self.host, self.port, limit=iso.MAX_FRAME * 2
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def serve_forever(self) -> None:
        """Start (if not yet) and serve until cancelled; credit due ATM transfers every `credit_every` s."""
        if self._server is None:
            await self.start()
        assert self._server is not None
        crediting = asyncio.create_task(self._credit_loop()) if self.credit_every > 0 else None
        try:
            await self._server.serve_forever()
        finally:
            if crediting is not None:
                crediting.cancel()
            self._server.close()

    async def _credit_loop(self) -> None:
        while True:
            await asyncio.sleep(self.credit_every)
            try:
                now = self.runner.clock.now()
                done = await asyncio.to_thread(self.runner.run, transfers.credit_due, now)
                if done:
                    log.info("credited %d ATM transfers that came due", done)
            except Exception:  # keep serving; the next round (or end of day) tries again
                log.exception("crediting due ATM transfers failed")

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        idle = (
            self.idle_seconds
            if self.idle_seconds is not None
            else float(self.runner.settings.atm_idle_timeout_seconds)
        )
        try:
            while await self._one_frame(reader, writer, idle):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the terminal went away
        except Exception:
            log.exception("ATM connection failed")
        finally:
            self.connections -= 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one_frame(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, idle: float
    ) -> bool:
        """Read and answer one frame; False when the connection is to be closed."""
        try:
            head = await asyncio.wait_for(reader.readexactly(2), idle)
        except TimeoutError:
            return False  # idle too long
        except asyncio.IncompleteReadError as exc:
            if exc.partial:  # one byte, then the end: a broken frame
                await self._unreadable(writer, "a frame shorter than its length prefix")
            return False
        (length,) = struct.unpack(">H", head)
        if length == 0 or length > iso.MAX_FRAME:
            await self._unreadable(writer, f"a length prefix of {length}")
            return False
        try:
            body = await asyncio.wait_for(reader.readexactly(length), self.frame_seconds)
        except (TimeoutError, asyncio.IncompleteReadError):
            await self._unreadable(writer, "a frame cut short")
            return False
        try:
            request = iso.decode(body)
        except iso.FrameError as exc:
            if "t" not in exc.fields or not exc.fields["t"].isdigit():
                await self._unreadable(writer, str(exc))
                return False
            log.info("malformed %s from %s: %s", exc.fields["t"], exc.fields.get("41", "?"), exc)
            monitoring.observe("atm", "unknown", iso.INVALID_TRANSACTION, 0.0)
            await self._send(writer, iso.answer_to(exc.fields, iso.INVALID_TRANSACTION))
            return True
        answer = await asyncio.to_thread(handler.handle, self.runner, request, self._group)
        await self._send(writer, answer)
        return True

    async def _unreadable(self, writer: asyncio.StreamWriter, why: str) -> None:
        log.info("unreadable frame (%s): answering 96 and closing the connection", why)
        monitoring.observe("atm", "unknown", iso.SYSTEM_MALFUNCTION, 0.0)
        with contextlib.suppress(Exception):
            await self._send(writer, {"t": "0810", "39": iso.SYSTEM_MALFUNCTION})

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, answer: dict[str, str]) -> None:
        writer.write(iso.encode(answer))
        await writer.drain()

    def close(self) -> None:
        """Stop listening (open connections end with the loop)."""
        if self._server is not None:
            self._server.close()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)


def serve(runner: UnitOfWorkFactory, host: str, port: int, *, workers: int = 16) -> None:
    """Run the switch in this thread until interrupted (uvloop when installed)."""
    server = SwitchServer(runner, host, port, workers=workers)
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # the standard event loop serves too, a little slower
        pass
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(server.serve_forever())


@contextlib.contextmanager
def running(
    runner: UnitOfWorkFactory, host: str = "127.0.0.1", port: int = 0, **options: object
) -> Iterator[SwitchServer]:
    """The switch serving in a background thread for as long as the block runs (tests, demos); yields the
    server with its port."""
    loop = asyncio.new_event_loop()
    server = SwitchServer(runner, host, port, **options)  # type: ignore[arg-type]
    ready = threading.Event()
    task: list[asyncio.Task[None]] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        task.append(loop.create_task(server.serve_forever()))
        ready.set()
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(task[0])
        # The open connections end with the server: cancel them and let them close their sockets.
        pending = asyncio.all_tasks(loop)
        for t in pending:
            t.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        server.close()
        loop.close()

    thread = threading.Thread(target=run, name="atm-switch", daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the ATM switch did not start")
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(task[0].cancel)
        thread.join(10)
