"""Every table, imported in one place for migrations and for tests that walk the schema."""

from tillpoint.catalog import models as catalog_models  # noqa: F401
from tillpoint.core import audit, events, idempotency, jobs  # noqa: F401
from tillpoint.core.db import Base
from tillpoint.customers import loyalty_models  # noqa: F401
from tillpoint.customers import models as customers_models  # noqa: F401
from tillpoint.giftcards import models as giftcards_models  # noqa: F401
from tillpoint.identity import models as identity_models  # noqa: F401
from tillpoint.inventory import models as inventory_models  # noqa: F401
from tillpoint.promotions import models as promotions_models  # noqa: F401
from tillpoint.reports import models as reports_models  # noqa: F401
from tillpoint.reports.accounting import models as accounting_models  # noqa: F401
from tillpoint.sales import models as sales_models  # noqa: F401
from tillpoint.storecredit import models as storecredit_models  # noqa: F401
from tillpoint.stores import models as stores_models  # noqa: F401
from tillpoint.webhooks import models as webhooks_models  # noqa: F401

metadata = Base.metadata
