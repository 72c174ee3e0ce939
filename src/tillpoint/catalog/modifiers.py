"""Modifier groups: choices added to an item when it is sold, each with a price delta.

Options live in the group's JSON column with ids of their own (``mdo_…``) that survive edits,
so a sale can name the option it chose. Price deltas are stored in minor units.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tillpoint.catalog.models import ModifierGroup
from tillpoint.catalog.presenters import modifier_group_out
from tillpoint.catalog.schemas import (
    ModifierGroupIn,
    ModifierGroupOut,
    ModifierGroupUpdate,
    ModifierOptionIn,
)
from tillpoint.core.auth import Principal
from tillpoint.core.db import check_version, get_by_id, unchanged, utcnow
from tillpoint.core.errors import field_error, not_found
from tillpoint.core.events import record_event
from tillpoint.core.ids import new_id
from tillpoint.core.money import minor_units
from tillpoint.core.pagination import PageParams, paginate
from tillpoint.identity.service import tenant_currency_exponent


async def get_modifier_group(session: AsyncSession, modifier_group_id: str) -> ModifierGroup:
    group = await get_by_id(session, ModifierGroup, "modifier_group", modifier_group_id)
    if group is None:
        raise not_found("Modifier group")
    return group


async def modifier_group_view(session: AsyncSession, group: ModifierGroup) -> ModifierGroupOut:
    return modifier_group_out(group, await tenant_currency_exponent(session, group.tenant_id))


async def list_modifier_groups(
    session: AsyncSession, principal: Principal, params: PageParams, *, include_archived: bool
) -> tuple[list[ModifierGroupOut], int]:
    stmt = params.filter_updated(select(ModifierGroup), ModifierGroup.updated_at)
    if not include_archived:
        stmt = stmt.where(ModifierGroup.archived_at.is_(None))
    rows, total = await paginate(
        session, stmt, ModifierGroup.id, offset=params.offset, limit=params.page_size
    )
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    return [modifier_group_out(row, exponent) for row in rows], total


async def live_modifier_group_ids(
    session: AsyncSession, ids: list[str], field: str = "modifierGroupIds"
) -> list[str]:
    """The ids a product names, checked: each a live modifier group (400 otherwise)."""
    if len(set(ids)) != len(ids):
        raise field_error(field, "a modifier group is listed twice")
    if not ids:
        return []
    found = set(
        (
            await session.execute(
                select(ModifierGroup.id).where(
                    ModifierGroup.id.in_(ids), ModifierGroup.archived_at.is_(None)
                )
            )
        ).scalars()
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise field_error(field, f"unknown or archived modifier groups: {', '.join(missing)}")
    return ids


def _options(
    options: list[ModifierOptionIn], existing: list[dict[str, Any]], exponent: int
) -> list[dict[str, Any]]:
    known = {o["id"] for o in existing}
    seen: set[str] = set()
    result = []
    for i, option in enumerate(options):
        option_id = option.option_id
        if option_id is not None:
            if option_id not in known:
                raise field_error(f"options[{i}].optionId", f"no option {option_id} in this group")
            if option_id in seen:
                raise field_error(f"options[{i}].optionId", "an option is listed twice")
            seen.add(option_id)
        result.append(
            {
                "id": option_id or new_id("modifier_option"),
                "name": option.name,
                "priceDeltaMinor": minor_units(
                    option.price_delta, exponent, f"options[{i}].priceDelta"
                ),
                "active": option.active,
            }
        )
    return result


def _check_selections(group: ModifierGroup) -> None:
    if group.min_selections > group.max_selections:
        raise field_error(
            "minSelections",
            f"minSelections ({group.min_selections}) is greater than maxSelections "
            f"({group.max_selections})",
            code="CATEGORY_MIN_OPTIONS_CANNOT_BE_GREATER_THAN_MAX_OPTIONS",
        )
    active = sum(1 for o in group.options if o.get("active", True))
    if group.min_selections > active:
        raise field_error(
            "minSelections",
            f"minSelections ({group.min_selections}) is more than the {active} active options",
        )


async def create_modifier_group(
    session: AsyncSession, principal: Principal, data: ModifierGroupIn
) -> ModifierGroupOut:
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    group = ModifierGroup(
        tenant_id=principal.tenant_id,
        id=new_id("modifier_group"),
        name=data.name,
        min_selections=data.min_selections,
        max_selections=data.max_selections,
        options=_options(data.options, [], exponent),
    )
    _check_selections(group)
    session.add(group)
    await session.flush()
    return _record(session, "modifier_group.created", group, exponent)


async def update_modifier_group(
    session: AsyncSession, principal: Principal, modifier_group_id: str, data: ModifierGroupUpdate
) -> ModifierGroupOut:
    group = await get_modifier_group(session, modifier_group_id)
    check_version(group, data.version)
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    if data.name is not None:
        group.name = data.name
    if data.min_selections is not None:
        group.min_selections = data.min_selections
    if data.max_selections is not None:
        group.max_selections = data.max_selections
    if data.options is not None:
        options = _options(data.options, group.options, exponent)
        if options != group.options:
            group.options = options
    event = "modifier_group.updated"
    if data.archived is False and group.archived_at is not None:
        group.archived_at = None
    elif data.archived and group.archived_at is None:
        group.archived_at = utcnow()
        event = "modifier_group.archived"
    _check_selections(group)
    if unchanged(session, group):
        return modifier_group_out(group, exponent)
    await session.flush()
    return _record(session, event, group, exponent)


async def archive_modifier_group(
    session: AsyncSession, principal: Principal, modifier_group_id: str
) -> ModifierGroupOut:
    """Archive a group: products keep naming it, but it can no longer be added to one."""
    group = await get_modifier_group(session, modifier_group_id)
    exponent = await tenant_currency_exponent(session, principal.tenant_id)
    if group.archived_at is not None:
        return modifier_group_out(group, exponent)
    group.archived_at = utcnow()
    await session.flush()
    return _record(session, "modifier_group.archived", group, exponent)


def _record(
    session: AsyncSession, event_type: str, group: ModifierGroup, exponent: int
) -> ModifierGroupOut:
    out = modifier_group_out(group, exponent)
    record_event(
        session, event_type, out.model_dump(mode="json", by_alias=True), subject_id=group.id
    )
    return out
