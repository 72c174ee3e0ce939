"""What routes that take gift card codes need (a routing module: it sees HTTP): the code
guard built from the app's secret key and rate limiter, and who may read or manage cards."""

from typing import Annotated

from fastapi import Depends, Request

from tillpoint.config import Settings
from tillpoint.core.auth import Principal
from tillpoint.core.deps import requires
from tillpoint.giftcards.codes import CodeGuard, code_guard

GiftCardReader = Annotated[Principal, Depends(requires("gift_cards:read"))]
GiftCardManager = Annotated[Principal, Depends(requires("gift_cards:manage"))]


async def gift_card_codes(request: Request) -> CodeGuard:
    settings: Settings = request.app.state.settings
    return code_guard(settings, request.app.state.rate_limiter)


GiftCardCodes = Annotated[CodeGuard, Depends(gift_card_codes)]
