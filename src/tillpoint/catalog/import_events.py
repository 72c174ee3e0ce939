"""The events of a CSV import: one ``product.created`` per new product, as ``create_product``
records it (the product as the API shows it, without stock), rendered for a whole batch from
one read of its variants instead of one read per product.

The events join the transaction's pending events like any other (core/events.py), so they are
numbered and written at COMMIT under the tenant's counter lock (ADR 0001), and dropped with
the import's savepoint when it fails or is a dry run.
"""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Product
from tillpoint.catalog.presenters import product_views
from tillpoint.core.events import record_event


async def record_created(session: AsyncSession, products: Sequence[Product]) -> None:
    """``product.created`` for each of ``products`` (just written), in order."""
    for view in await product_views(session, None, products, stock=None):
        data = view.model_dump(mode="json", by_alias=True, exclude={"inventory"})
        record_event(session, "product.created", data, subject_id=view.product_id)
