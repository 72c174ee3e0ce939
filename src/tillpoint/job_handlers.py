"""Every background job handler, imported in one place so a worker knows them all."""

from tillpoint.catalog import imports  # noqa: F401  (catalog.import)
