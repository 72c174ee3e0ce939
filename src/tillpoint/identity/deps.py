"""What the identity routers share (a routing module: it sees HTTP): who may read and change
users and roles, manage API keys, change tenant settings and read the audit log."""

from typing import Annotated

from fastapi import Depends

from tillpoint.core.auth import Principal
from tillpoint.core.deps import requires

StaffReader = Annotated[Principal, Depends(requires("staff:read"))]
StaffWriter = Annotated[Principal, Depends(requires("staff:write"))]
ApiKeyManager = Annotated[Principal, Depends(requires("api_keys:manage"))]
SettingsWriter = Annotated[Principal, Depends(requires("settings:write"))]
AuditReader = Annotated[Principal, Depends(requires("audit:read"))]
