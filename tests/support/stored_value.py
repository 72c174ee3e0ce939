"""Helpers for gift card and store credit tests: a till that sells a gift card product."""

from dataclasses import dataclass
from typing import Any

from tests.support.sales import Json, Till

GIFT_CARD_PRICE = 50


@dataclass
class GiftShop:
    till: Till
    gift_sku: str  # a gift card product, sold at the price the line names
    goods_sku: str  # an ordinary taxed product at 10.00

    async def sell_card(self, amount: Any = GIFT_CARD_PRICE, code: str | None = None) -> Json:
        """A gift card sold (paid by card) for ``amount``; returns the completed order."""
        line = self.till.line(self.gift_sku, unitPrice=amount)
        if code is not None:
            line["giftCardCode"] = code
        return await self.till.sell(line)

    async def card(self, order: Json) -> Json:
        card_id = order["lineItems"][0]["giftCardId"]
        return await self.till.get(f"/v1/gift-cards/{card_id}")

    async def lookup(self, code: str, status: int = 200) -> Json:
        got: Json = await self.till.call(
            "GET", "/v1/gift-cards/lookup", params={"code": code}, status=status
        )
        return got

    async def pay_with_card(self, order: Json, amount: Any, code: str, status: int = 201) -> Json:
        return await self.till.pay(order, amount, "gift_card", status, giftCardCode=code)


async def gift_shop(till: Till) -> GiftShop:
    gift = await till.product("Gift card", 50, giftCard=True)
    goods = await till.product("Mug", 10)
    return GiftShop(till, gift, goods)
