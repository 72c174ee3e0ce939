"""Every string the API accepts fits the column it lands in (issue 13 item 3).

A request model that allows 200 characters for a column of 100 answers 500 on PostgreSQL
(SQLite does not enforce lengths). This walks what the app actually accepts — the body model
of every route and, recursively, the models nested in it — and, for each string field, finds
the column it lands in and compares the lengths. The mapping is derived, not kept by hand:

- the table is the model's own (``TaxClassIn`` → ``tax_classes``) in the model's domain, or
  ``TABLES`` for a model whose table has another name;
- the column is the field's snake_case name, or ``COLUMNS`` for one stored under another name;
- a field whose name is no column of its table (or, failing that, of any table of its domain)
  fails, unless ``NOT_STORED`` says why it is not stored in a string column of its own.

A field fails when its column is a ``String(n)`` shorter than the field's ``max_length`` — or
when the field has no ``max_length`` at all (a ``Literal`` counts with its longest value).
"""

import inspect
import re
import types
import typing
from collections.abc import Iterator
from typing import Any

import httpx
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from sqlalchemy import String, Table

from tests.support.tenants import TenantFixture, add_location
from tillpoint.core.db import Base

# Models whose table is not named after them.
TABLES = {
    "WebhookIn": "webhook_subscriptions",
    "WebhookUpdate": "webhook_subscriptions",
    "CashMovementIn": "shift_cash_movements",
    "LineItemIn": "order_lines",
    "LineItemAdd": "order_lines",
    "LineItemUpdate": "order_lines",
    "ShiftOpenIn": "shifts",
    "ShiftCloseIn": "shifts",
    "MarketingConsentIn": "customer_consents",
}
# (model, field) stored under another column name.
COLUMNS = {
    ("TaxRateIn", "tax_class"): ("tax_rates", "tax_class_code"),
    ("ProductIn", "tax_class"): ("products", "tax_class"),
    ("ShiftOpenIn", "notes"): ("shifts", "opening_notes"),
    ("ShiftCloseIn", "notes"): ("shifts", "closing_notes"),
    ("DeactivateIn", "reason"): ("gift_cards", "deactivation_reason"),
    ("ReloadIn", "reason"): ("gift_card_entries", "note"),
    ("StoreCreditAdjustIn", "reason"): ("store_credit_entries", "note"),
}
# Whole models not stored as columns of their own, and why.
MODELS_NOT_STORED = {
    "LoginRequest": "credentials checked, never stored",
    "EmployeeSignInRequest": "an employee id looked up and a PIN checked, never stored",
    "RefreshRequest": "a token checked against its digest",
    "MfaCode": "a one-time code, checked",
    "MfaConfirm": "a one-time code, checked",
    "MfaEnable": "a one-time code and the password, checked",
    "PasswordChange": "passwords, stored only as a hash",
    "Address": "kept in the location's JSON address column",
    "Attribute": "kept in the product's JSON attributes",
    "OptionValue": "kept in the variant's JSON option values",
    "LocationPrice": "kept in the JSON location prices",
    "DiscountIn": "kept in the order's JSON discounts",
    "ServiceChargeIn": "kept in the order's JSON service charges",
    "ApprovalIn": "an employee's PIN, checked",
    "ReceiptPrintIn": "names the printer to print on; nothing is stored",
    "RefundLineIn": "names the order line refunded",
    "RefundTenderIn": "names the tender; the refund's tenders are JSON",
    "ShortfallIn": "kept in the transfer receipt's JSON",
    "CountScope": "kept in the count's JSON scope",
    "ModifierOptionIn": "kept in the modifier group's JSON options",
    "MergeIn": "names the customer merged away; nothing of it is stored",
}
# Single fields not stored in a string column of their own, and why.
FIELDS_NOT_STORED = {
    ("UserIn", "password"): "stored as an argon2 hash",
    ("UserUpdate", "password"): "stored as an argon2 hash",
    ("UserIn", "current_password"): "the actor's password, checked",
    ("EmployeeIn", "pin"): "stored as a hash",
    ("EmployeeUpdate", "pin"): "stored as a hash",
    ("ProductIn", "category"): "a category name or path; each name is checked (at most 200)",
    ("ProductUpdate", "category"): "a category name or path; each name is checked (at most 200)",
    ("UserUpdate", "current_password"): "the actor's password, checked",
    ("CustomerIn", "phone"): "stored in E.164, at most 16 characters, whatever its notation",
    ("CustomerUpdate", "phone"): "stored in E.164, at most 16 characters, whatever its notation",
    ("LineItemIn", "gift_card_code"): "a gift card code: stored only as a keyed digest",
    ("LineItemAdd", "gift_card_code"): "a gift card code: stored only as a keyed digest",
    ("PaymentIn", "gift_card_code"): "a gift card code: stored only as a keyed digest",
    ("CouponCodesIn", "prefix"): "starts each generated code (prefix + length fit its column)",
    ("AccountSchema", "code"): "inside the accounting settings' JSON map, bounded by the schema",
    ("AccountSchema", "name"): "inside the accounting settings' JSON map, bounded by the schema",
}


def _models_of(annotation: Any) -> Iterator[type[BaseModel]]:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_of(arg)


def request_models(app: Any) -> dict[type[BaseModel], str]:
    """Every model a route accepts as its body, with the models nested in it: model → where."""
    found: dict[type[BaseModel], str] = {}

    def walk(model: type[BaseModel], where: str) -> None:
        if model in found:
            return
        found[model] = where
        for name, field in model.model_fields.items():
            for nested in _models_of(field.annotation):
                walk(nested, f"{where} > {model.__name__}.{name}")

    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)  # plain Starlette routes have none
        for param in dependant.body_params if dependant is not None else []:
            for model in _models_of(param.field_info.annotation):
                walk(model, f"{sorted(route.methods or ())[0]} {route.path}")
    return found


def string_bound(annotation: Any, metadata: list[Any]) -> tuple[bool, int | None]:
    """(whether the field is a string, its longest allowed length or None if unbounded)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return string_bound(inner, [*metadata, *extra])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return string_bound(args[0], metadata) if len(args) == 1 else (False, None)
    if origin is typing.Literal:
        values = typing.get_args(annotation)
        if all(isinstance(v, str) for v in values):
            return True, max(len(v) for v in values)
        return False, None
    if annotation is not str:
        return False, None
    for item in metadata:
        for inner in [item, *getattr(item, "metadata", [])]:
            bound = getattr(inner, "max_length", None)
            if bound is not None:
                return True, int(bound)
    return True, None


def domain_tables() -> dict[str, dict[str, Table]]:
    tables: dict[str, dict[str, Table]] = {}
    for mapper in Base.registry.mappers:
        domain = mapper.class_.__module__.split(".")[1]
        table = mapper.local_table
        assert isinstance(table, Table)
        tables.setdefault(domain, {})[table.name] = table
    return tables


def own_table(model: type[BaseModel], tables: dict[str, Table]) -> Table | None:
    if model.__name__ in TABLES:
        return tables[TABLES[model.__name__]]
    stem = re.sub(r"(In|Update|Add|Set|Create)$", "", model.__name__)
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", stem).lower()
    consonant_y = snake.endswith("y") and snake[-2:-1] not in ("a", "e", "i", "o", "u")
    plural = snake[:-1] + "ies" if consonant_y else snake + "s"
    for name in (plural, snake + "es", snake):
        if name in tables:
            return tables[name]
    return None


def mismatches(models: dict[type[BaseModel], str]) -> list[str]:
    every_table = {name: t for d in domain_tables().values() for name, t in d.items()}
    by_domain = domain_tables()
    problems = []
    for model, where in models.items():
        if model.__name__ in MODELS_NOT_STORED:
            continue
        tables = by_domain.get(model.__module__.split(".")[1], {})
        table = own_table(model, tables)
        for name, field in model.model_fields.items():
            is_string, bound = string_bound(field.annotation, list(field.metadata))
            if not is_string or (model.__name__, name) in FIELDS_NOT_STORED:
                continue
            label = f"{model.__module__}.{model.__name__}.{name} (from {where})"
            if (model.__name__, name) in COLUMNS:
                table_name, column_name = COLUMNS[(model.__name__, name)]
                columns = [every_table[table_name].c[column_name]]
            elif table is not None and name in table.c:
                columns = [table.c[name]]
            else:
                columns = [t.c[name] for t in tables.values() if name in t.c]
            if not columns:
                problems.append(f"{label}: lands in no column; map it or list it as not stored")
                continue
            for column in columns:
                length = column.type.length if isinstance(column.type, String) else None
                if length is None:
                    continue
                if bound is None:
                    problems.append(f"{label}: no max_length, column {column} is String({length})")
                elif bound > length:
                    problems.append(
                        f"{label}: max_length {bound} > column {column} String({length})"
                    )
    return sorted(problems)


def test_request_models_are_found(app: Any) -> None:
    """The walk sees the bodies of the app, nested ones included."""
    names = {m.__name__ for m in request_models(app)}
    assert {"TaxClassIn", "TaxRateIn", "OrderIn", "LineItemIn", "Address", "UserUpdate"} <= names


def test_every_string_field_fits_its_column(app: Any) -> None:
    assert mismatches(request_models(app)) == []


def test_the_check_finds_a_field_longer_than_its_column() -> None:
    """The check itself: a field of 300 for a String(200) column, one without a bound and one
    that lands nowhere are each reported."""
    from pydantic import Field

    class LocationIn(BaseModel):
        name: typing.Annotated[str, Field(max_length=300)]
        timezone: str
        nowhere: typing.Annotated[str, Field(max_length=5)]

    LocationIn.__module__ = "tillpoint.stores.schemas"
    problems = mismatches({LocationIn: "test"})
    assert len(problems) == 3, problems
    assert "max_length 300 > column locations.name String(200)" in problems[0]
    assert "lands in no column" in problems[1]
    assert "no max_length" in problems[2]


async def test_long_tax_class_and_rate_names_are_kept_whole(
    client: httpx.AsyncClient, tenant: TenantFixture
) -> None:
    """The probe's case: names of 101–200 characters answered 500 on PostgreSQL."""
    name = "N" * 150
    made = await client.post(
        "/v1/tax-classes", headers=tenant.headers, json={"code": "long_one", "name": name}
    )
    assert made.status_code == 201, made.text
    assert made.json()["name"] == name
    renamed = await client.patch(
        f"/v1/tax-classes/{made.json()['taxClassId']}",
        headers=tenant.headers,
        json={"name": "M" * 200},
    )
    assert (renamed.status_code, renamed.json()["name"]) == (200, "M" * 200), renamed.text
    location = await add_location(client, tenant)
    rates = f"/v1/locations/{location['locationId']}/tax-rates"
    rate = await client.post(
        rates, headers=tenant.headers, json={"taxClass": "long_one", "name": name, "rate": 2}
    )
    assert (rate.status_code, rate.json()["name"]) == (201, name), rate.text
    too_long = await client.post(
        rates, headers=tenant.headers, json={"taxClass": "long_one", "name": "x" * 201, "rate": 2}
    )
    assert too_long.status_code == 400, too_long.text
    assert too_long.json()["error"]["code"] == "VALIDATION_ERROR"
