"""A real TCP printer stand-in on loopback: it keeps what each connection sends until the
sender closes it (a network receipt printer takes raw ESC/POS on a port the same way)."""

import asyncio
import queue
import socketserver
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field


@dataclass
class PrinterListener:
    port: int
    accepted: int = 0
    jobs: list[bytes] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def next_job(self) -> bytes:
        """The job received first and not yet taken, waiting for it up to 5 s."""
        async with asyncio.timeout(5):
            while not self.jobs:
                self.done.clear()
                await self.done.wait()
        return self.jobs.pop(0)


@asynccontextmanager
async def printer_listener() -> AsyncIterator[PrinterListener]:
    state = PrinterListener(0)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.accepted += 1
        state.jobs.append(await reader.read())  # until the sender closes
        writer.close()
        state.done.set()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    async with server:
        yield state


@dataclass
class ThreadedPrinterListener:
    """The same stand-in for synchronous tests (the browser's): it listens on a thread."""

    port: int
    jobs: queue.Queue[bytes] = field(default_factory=queue.Queue)

    def next_job(self) -> bytes:
        """The next job received, waiting for it up to 10 s."""
        return self.jobs.get(timeout=10)


@contextmanager
def threaded_printer_listener() -> Iterator[ThreadedPrinterListener]:
    state = ThreadedPrinterListener(0)

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            received = b""
            while chunk := self.request.recv(65536):  # until the sender closes
                received += chunk
            state.jobs.put(received)

    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler) as server:
        state.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield state
        finally:
            server.shutdown()
