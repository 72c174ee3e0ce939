"""What the identity routers share (a routing module: it sees HTTP): who may read and change
users and roles, manage API keys, change tenant settings and read the audit log; and the check
of the locations a user is given."""

from typing import Annotated

from fastapi import Depends, Request

from tillpoint.core.auth import Principal
from tillpoint.core.deps import requires
from tillpoint.identity.service import LocationGrantCheck

StaffReader = Annotated[Principal, Depends(requires("staff:read"))]
StaffWriter = Annotated[Principal, Depends(requires("staff:write"))]
ApiKeyManager = Annotated[Principal, Depends(requires("api_keys:manage"))]
SettingsWriter = Annotated[Principal, Depends(requires("settings:write"))]
AuditReader = Annotated[Principal, Depends(requires("audit:read"))]


async def location_grants(request: Request) -> LocationGrantCheck:
    """Stores' check of the locations a user is given, which create_app puts on app.state
    (identity may not import stores: ADR 0008)."""
    check: LocationGrantCheck = request.app.state.location_grants
    return check


LocationGrants = Annotated[LocationGrantCheck, Depends(location_grants)]
