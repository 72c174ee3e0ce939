"""A tenant's accounting settings: read (the standard chart until it saves its own) and
replaced, with optimistic concurrency."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import Category
from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, utcnow
from tillpoint.core.errors import field_error
from tillpoint.reports.accounting.chart import ACCOUNT_KEYS, Account, AccountMap
from tillpoint.reports.accounting.models import AccountingSettings
from tillpoint.reports.accounting.schemas import AccountingSettingsIn, AccountsIn
from tillpoint.stores.models import TaxRate


def default_settings(tenant_id: str) -> AccountingSettings:
    """The settings a tenant has before it saves any (not added to the session)."""
    body = AccountingSettingsIn()
    return AccountingSettings(
        tenant_id=tenant_id,
        accounts=_stored(body),
        xero_tax_rate=body.xero_tax_rate,
        summary_recipients=[],
        version=0,
        updated_at=None,
        updated_by=None,
    )


async def get_settings(session: AsyncSession, tenant_id: str) -> AccountingSettings:
    row = await session.get(AccountingSettings, tenant_id)
    return row if row is not None else default_settings(tenant_id)


def _stored(body: AccountingSettingsIn) -> dict[str, Any]:
    return {
        "accounts": body.accounts.model_dump(by_alias=True),
        "cardBrands": {k: v.model_dump() for k, v in body.card_brands.items()},
        "categories": {k: v.model_dump() for k, v in body.categories.items()},
        "taxRates": {k: v.model_dump() for k, v in body.tax_rates.items()},
    }


async def _check_ids(
    session: AsyncSession, model: type[Category] | type[TaxRate], ids: list[str], field: str
) -> None:
    if not ids:
        return
    found = set((await session.execute(select(model.id).where(model.id.in_(ids)))).scalars())
    for missing in sorted(set(ids) - found):
        raise field_error(f"{field}.{missing}", "no such id in this tenant")


async def replace_settings(
    session: AsyncSession, principal: Principal, body: AccountingSettingsIn
) -> AccountingSettings:
    """Replace the tenant's settings; 409 when ``version`` names an older one, 400 for a
    category or tax rate the tenant does not have."""
    await _check_ids(session, Category, list(body.categories), "categories")
    await _check_ids(session, TaxRate, list(body.tax_rates), "taxRates")
    row = await session.get(AccountingSettings, principal.tenant_id, with_for_update=True)
    if row is None:
        if body.version is not None:
            check_version(default_settings(principal.tenant_id), body.version)
        row = AccountingSettings(tenant_id=principal.tenant_id)
        session.add(row)
    else:
        check_version(row, body.version)
    row.accounts = _stored(body)
    row.xero_tax_rate = body.xero_tax_rate
    row.summary_recipients = [str(email) for email in body.summary_recipients]
    row.updated_at = utcnow()
    row.updated_by = principal.id
    await session.flush()
    return row


def _account(raw: dict[str, str] | None) -> Account | None:
    return None if raw is None else Account(raw["code"], raw["name"])


def _accounts(raw: dict[str, dict[str, str]]) -> dict[str, Account]:
    return {key: Account(value["code"], value["name"]) for key, value in raw.items()}


def account_map(row: AccountingSettings) -> AccountMap:
    """The settings as the journal reads them; a key the stored JSON lacks (saved before the
    key existed) takes the standard chart's account."""
    defaults = AccountsIn().model_dump(by_alias=True)
    stored = {**defaults, **row.accounts.get("accounts", {})}
    return AccountMap(
        accounts={key: _account(stored.get(key)) for key in ACCOUNT_KEYS},
        card_brands=_accounts(row.accounts.get("cardBrands", {})),
        categories=_accounts(row.accounts.get("categories", {})),
        tax_rates=_accounts(row.accounts.get("taxRates", {})),
    )


def settings_json(row: AccountingSettings) -> dict[str, Any]:
    """The response body's fields (``AccountingSettingsOut``)."""
    return {
        "accounts": {**AccountsIn().model_dump(by_alias=True), **row.accounts.get("accounts", {})},
        "cardBrands": row.accounts.get("cardBrands", {}),
        "categories": row.accounts.get("categories", {}),
        "taxRates": row.accounts.get("taxRates", {}),
        "xeroTaxRate": row.xero_tax_rate,
        "summaryRecipients": row.summary_recipients,
        "version": row.version,
        "updatedAt": row.updated_at,
        "updatedBy": row.updated_by,
    }
