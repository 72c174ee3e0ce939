"""Bytes to a network printer over raw TCP (the port 9100 convention), for receipts
(``sales/receipts/printing.py``) and test pages (``stores/printer_test_page.py``) alike."""

import asyncio
import contextlib

from tillpoint.stores import printer_addresses

# Seconds to wait for the printer to accept the connection, then to take the bytes.
CONNECT_TIMEOUT = 3.0
WRITE_TIMEOUT = 5.0


async def send_to_printer(
    host: str, port: int, data: bytes, *, allow_loopback: bool = False
) -> None:
    """Deliver ``data`` over TCP to an address of ``host`` that printers may use (checked
    after resolution, before connecting: stores/printer_addresses.py); raises
    ``PrinterAddressRefused`` without connecting, or OSError or TimeoutError when the printer
    does not answer."""
    addresses = await printer_addresses.destinations(host, allow_loopback=allow_loopback)
    writer = None
    async with asyncio.timeout(CONNECT_TIMEOUT):
        for index, address in enumerate(addresses):
            try:
                _reader, writer = await asyncio.open_connection(str(address), port)
                break
            except OSError:
                if index == len(addresses) - 1:
                    raise
    assert writer is not None
    try:
        async with asyncio.timeout(WRITE_TIMEOUT):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(WRITE_TIMEOUT):
                await writer.wait_closed()


def unreachable_reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT:g} s to connect or {WRITE_TIMEOUT:g} s to send"
    return str(exc) or type(exc).__name__
