"""Every background job handler, imported in one place so a worker knows them all."""

from tillpoint.catalog import imports  # noqa: F401  (catalog.import)
from tillpoint.core.jobs import purge  # noqa: F401  (jobs.purge)
from tillpoint.customers import loyalty_expiry  # noqa: F401  (points.expire)
from tillpoint.reports import rollup_job  # noqa: F401  (reports.rollup)
from tillpoint.reports.accounting import summary_mail  # noqa: F401  (summary_mail.send)

# webhooks.deliver, webhooks.send_once, webhooks.dispatch, webhooks.purge
from tillpoint.webhooks import delivery_jobs, dispatch  # noqa: F401
from tillpoint.webhooks import purge as webhook_purge  # noqa: F401
