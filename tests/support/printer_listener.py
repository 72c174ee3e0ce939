"""A real TCP printer stand-in on loopback: it keeps what each connection sends until the
sender closes it (a network receipt printer takes raw ESC/POS on a port the same way)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class PrinterListener:
    port: int
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
        state.jobs.append(await reader.read())  # until the sender closes
        writer.close()
        state.done.set()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    async with server:
        yield state
