"""Locations, registers, employees, tax classes and per-location tax rates."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tillpoint.core.db import Base, JsonType, TenantScoped, Timestamped, Versioned

RATE_SCALE = 10_000


def rate_percent(rate_percent_e4: int) -> Decimal:
    """A stored rate (percent × 10,000) as a percent number: 88750 → 8.875 (%)."""
    return (Decimal(rate_percent_e4) / RATE_SCALE).normalize()


class Location(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "locations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[dict[str, Any]] = mapped_column(JsonType)
    timezone: Mapped[str] = mapped_column(String(64))
    tax_inclusive: Mapped[bool] = mapped_column(default=False)
    # Register sales may take stock below zero (the goods are already in the customer's hands).
    allow_negative_stock: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)


class Register(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "registers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        Index("ix_registers_location", "tenant_id", "location_id"),
    )


class RegisterCredential(TenantScoped, Base):
    """What a paired register's device holds (in an httpOnly cookie) to let employees sign in
    there by PIN: stored only as a SHA-256 digest; one live credential per register (pairing
    again revokes the one before)."""

    __tablename__ = "register_credentials"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    register_id: Mapped[str] = mapped_column(String(40))
    # The first characters of the secret, shown in lists so a device's credential can be told.
    prefix: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "register_id"], ["registers.tenant_id", "registers.id"]),
        Index("ix_register_credentials_register", "tenant_id", "register_id"),
    )


class Employee(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "employees"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    role_id: Mapped[str] = mapped_column(String(40))
    # Empty list = every location.
    location_ids: Mapped[list[str]] = mapped_column(JsonType)
    # Argon2 digest of the register PIN; the PIN itself is never stored.
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def has_pin(self) -> bool:
        return self.pin_hash is not None

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "role_id"], ["roles.tenant_id", "roles.id"]),
    )


class TaxClass(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "tax_classes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_tax_classes_code"),)


class TaxRate(TenantScoped, Timestamped, Versioned, Base):
    """One rate of a tax class at a location; a class may have several (state + city)."""

    __tablename__ = "tax_rates"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(40))
    tax_class_code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    # The percentage times 10⁴, exact: 8.875 % is stored as 88750.
    rate_percent_e4: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def tax_class(self) -> str:
        return self.tax_class_code

    @property
    def rate(self) -> Decimal:
        """The rate as a percent number (8.875 for 8.875 %)."""
        return rate_percent(self.rate_percent_e4)

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "tax_class_code"], ["tax_classes.tenant_id", "tax_classes.code"]
        ),
        Index("ix_tax_rates_location", "tenant_id", "location_id"),
    )


class Printer(TenantScoped, Timestamped, Versioned, Base):
    """A network printer at a location (ESC/POS over raw TCP, port 9100 by convention)."""

    __tablename__ = "printers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    location_id: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(10), default="receipt")  # receipt | kitchen
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(default=9100)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        Index("ix_printers_location", "tenant_id", "location_id"),
    )
