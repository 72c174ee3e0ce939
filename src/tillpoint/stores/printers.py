"""Network printers at a location (receipt or kitchen), reached over raw TCP (ESC/POS)."""

import ipaddress
import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, get_by_id, unchanged
from tillpoint.core.errors import AppError, not_found
from tillpoint.core.events import record_change
from tillpoint.core.ids import new_id
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.stores import printer_addresses
from tillpoint.stores.models import Printer
from tillpoint.stores.schemas import DEFAULT_PRINTER_PORT, PrinterIn, PrinterOut, PrinterUpdate
from tillpoint.stores.service import get_location

ADDRESS_EXAMPLE = "e.g. 192.168.1.50:9100, [fd12:3456::50]:9100 or receipt-1.shop.lan"
_BRACKETED = re.compile(r"\[([^\[\]]+)\](?::([^:]*))?")
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def _bad_address(message: str) -> AppError:
    return AppError(
        "INVALID_PRINTER_IP_FORMAT",
        details=[{"field": "address", "message": f"{message} ({ADDRESS_EXAMPLE})"}],
    )


def _port(text: str | None) -> int:
    if text is None:
        return DEFAULT_PRINTER_PORT
    if not re.fullmatch(r"[0-9]{1,5}", text) or not 1 <= int(text) <= 65535:
        raise _bad_address(f"the port must be a number from 1 to 65535, not {text!r}")
    return int(text)


def parse_printer_address(address: str | None) -> tuple[str, int]:
    """``host[:port]`` → (host, port). Hosts are IPv4 addresses, IPv6 addresses in brackets
    (``[fd12:3456::50]:9100``; bare ones are ambiguous with a port) or DNS host names."""
    if not address:
        raise _bad_address("a printer needs an address")
    if any(c.isspace() for c in address):
        raise _bad_address("the address must not contain spaces")
    if address.startswith("["):
        match = _BRACKETED.fullmatch(address)
        if match is None:
            raise _bad_address("an IPv6 address goes in brackets, then an optional :port")
        try:
            ip = ipaddress.IPv6Address(match[1])
        except ValueError:
            raise _bad_address(f"{match[1]!r} is not an IPv6 address") from None
        return str(ip), _port(match[2])
    if address.count(":") > 1:
        raise _bad_address("write an IPv6 address in brackets, as [fd12:3456::50]:9100")
    host, colon, port_text = address.partition(":")
    port = _port(port_text if colon else None)
    if re.fullmatch(r"[0-9.]+", host):
        # Digits and dots can only mean an IPv4 address (999.1.1.1 is not a host name).
        try:
            return str(ipaddress.IPv4Address(host)), port
        except ipaddress.AddressValueError:
            raise _bad_address(f"{host!r} is not an IPv4 address") from None
    name = host.lower()
    labels = name.split(".")
    if (
        len(name) > 253
        or not all(_HOST_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise _bad_address(f"{host!r} is not an IP address or a host name")
    return name, port


async def _allowed_address(address: str | None, *, allow_loopback: bool) -> tuple[str, int]:
    """The parsed ``(host, port)``, once the host is an address a printer may have
    (stores/printer_addresses.py)."""
    host, port = parse_printer_address(address)
    try:
        await printer_addresses.check_when_saved(host, allow_loopback=allow_loopback)
    except printer_addresses.PrinterAddressRefused as exc:
        raise AppError(
            "PRINTER_ADDRESS_NOT_ALLOWED",
            f"A printer cannot be at {host}: {exc}.",
            details=[{"field": "address", "message": str(exc)}],
        ) from None
    return host, port


def _check_name(name: str | None) -> str:
    if name is None or not re.search(r"\S", name):  # the document's pattern: not blank
        raise AppError(
            "PRINTER_NAME_REQUIRED",
            details=[{"field": "name", "message": "give the printer a name"}],
        )
    return name


async def get_printer(
    session: AsyncSession, principal: Principal, location_id: str, printer_id: str
) -> Printer:
    """The printer, if it belongs to this location and the principal may see it; else 404."""
    location = await get_location(session, principal, location_id)
    printer = await get_by_id(
        session, Printer, "printer", printer_id, Printer.location_id == location.id
    )
    if printer is None:
        raise not_found("Printer")
    return printer


async def default_printer(session: AsyncSession, location_id: str, type_: str) -> Printer | None:
    """The location's first-added active printer of this type, if it has one."""
    stmt = (
        select(Printer)
        .where(Printer.location_id == location_id, Printer.type == type_, Printer.active.is_(True))
        .order_by(Printer.id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_printers(
    session: AsyncSession,
    principal: Principal,
    location_id: str,
    params: PageParams,
    *,
    include_inactive: bool,
) -> tuple[list[Printer], int]:
    location = await get_location(session, principal, location_id)
    stmt = params.filter_updated(
        select(Printer).where(Printer.location_id == location.id), Printer.updated_at
    )
    if not include_inactive:
        stmt = stmt.where(Printer.active.is_(True))
    return await paginate(session, stmt, Printer.id, offset=params.offset, limit=params.page_size)


async def create_printer(
    session: AsyncSession,
    principal: Principal,
    location_id: str,
    data: PrinterIn,
    *,
    allow_loopback: bool = False,
) -> Printer:
    location = await get_location(session, principal, location_id)
    name = _check_name(data.name)
    host, port = await _allowed_address(data.address, allow_loopback=allow_loopback)
    printer = Printer(
        tenant_id=principal.tenant_id,
        id=new_id("printer"),
        location_id=location.id,
        name=name,
        type=data.type,
        host=host,
        port=port,
    )
    session.add(printer)
    await session.flush()
    record_change(session, "printer.created", PrinterOut, printer, location_id=location.id)
    return printer


async def update_printer(
    session: AsyncSession,
    principal: Principal,
    location_id: str,
    printer_id: str,
    data: PrinterUpdate,
    *,
    allow_loopback: bool = False,
) -> Printer:
    printer = await get_printer(session, principal, location_id, printer_id)
    check_version(printer, data.version)
    if data.name is not None:
        printer.name = _check_name(data.name)
    if data.address is not None:
        printer.host, printer.port = await _allowed_address(
            data.address, allow_loopback=allow_loopback
        )
    if data.type is not None:
        printer.type = data.type
    if data.active is not None:
        printer.active = data.active
    if unchanged(session, printer):
        return printer
    await session.flush()
    record_change(session, "printer.updated", PrinterOut, printer, location_id=printer.location_id)
    return printer


async def archive_printer(
    session: AsyncSession, principal: Principal, location_id: str, printer_id: str
) -> Printer:
    printer = await get_printer(session, principal, location_id, printer_id)
    if printer.active:
        printer.active = False
        await session.flush()
        record_change(
            session, "printer.archived", PrinterOut, printer, location_id=printer.location_id
        )
    return printer
