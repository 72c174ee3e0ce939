"""What the stores routers share (a routing module: it sees HTTP): who may read and change
locations, registers, taxes and printers (``settings:*``) and employees (``staff:*``), and the
rows a route acts on. A row dependency depends on its routes' permission, so the check runs
before the row is read whatever the order of the route's parameters; it is a dependency so
that an unknown row is 404 before the body is read."""

from typing import Annotated

from fastapi import Depends, Request

from tillpoint.core.auth import Principal
from tillpoint.core.browser import REGISTER_COOKIE, cookie_value
from tillpoint.core.deps import DbSession, SecureCookies, requires
from tillpoint.stores import printers, service
from tillpoint.stores.models import Location, Printer

SettingsReader = Annotated[Principal, Depends(requires("settings:read"))]
SettingsWriter = Annotated[Principal, Depends(requires("settings:write"))]
StaffReader = Annotated[Principal, Depends(requires("staff:read"))]
StaffWriter = Annotated[Principal, Depends(requires("staff:write"))]
RegisterPairer = Annotated[Principal, Depends(requires("registers:pair"))]


async def device_credential(request: Request, secure: SecureCookies) -> str | None:
    """The register credential this device holds in its cookie, if any."""
    return cookie_value(request.headers.get("cookie", ""), REGISTER_COOKIE, secure)


DeviceCredential = Annotated[str | None, Depends(device_credential)]


async def location_to_change(
    location_id: str, session: DbSession, principal: SettingsWriter
) -> Location:
    return await service.get_location(session, principal, location_id)


async def printer_to_change(
    location_id: str, printer_id: str, session: DbSession, principal: SettingsWriter
) -> Printer:
    return await printers.get_printer(session, principal, location_id, printer_id)


LocationToChange = Annotated[Location, Depends(location_to_change)]
PrinterToChange = Annotated[Printer, Depends(printer_to_change)]
