"""What the event routers share (a routing module: it sees HTTP): who may read the feed and
the stream."""

from typing import Annotated

from fastapi import Depends

from tillpoint.core.auth import Principal
from tillpoint.core.deps import requires

EventReader = Annotated[Principal, Depends(requires("events:read"))]
