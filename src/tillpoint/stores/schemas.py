"""Request and response bodies of locations, registers, employees, tax classes and rates,
printers."""

from typing import Annotated, Literal

from pydantic import AliasChoices, ConfigDict, EmailStr, Field, WithJsonSchema, computed_field

from tillpoint.core.schemas import (
    ApiModel,
    DecimalNumber,
    Name,
    Percent,
    Timestamp,
    Timezone,
    Version,
)

Id = Annotated[str, Field(max_length=40)]
Pin = Annotated[str, Field(pattern=r"^[0-9]{4,8}$", description="4 to 8 digits; stored hashed")]
TaxClassCode = Annotated[
    str, Field(max_length=50, pattern=r"^[a-z0-9_]{1,50}$", examples=["standard", "food"])
]


class Address(ApiModel):
    line1: Annotated[str, Field(max_length=200)] = ""
    line2: Annotated[str, Field(max_length=200)] = ""
    city: Annotated[str, Field(max_length=100)] = ""
    region: Annotated[str, Field(max_length=100)] = ""
    postal_code: Annotated[str, Field(max_length=20)] = ""
    country: Annotated[str, Field(pattern=r"^([A-Z]{2})?$")] = ""


class LocationIn(ApiModel):
    name: Name
    address: Address = Address()
    timezone: Timezone | None = Field(
        default=None, description="IANA timezone; defaults to the tenant's"
    )
    tax_inclusive: bool = False
    allow_negative_stock: bool = True
    active: bool = True


class LocationUpdate(ApiModel):
    name: Name | None = None
    address: Address | None = None
    timezone: Timezone | None = None
    tax_inclusive: bool | None = None
    allow_negative_stock: bool | None = None
    active: bool | None = None
    version: Version | None = None


class LocationOut(ApiModel):
    location_id: str = Field(validation_alias=AliasChoices("locationId", "location_id", "id"))
    name: str
    address: Address
    timezone: str
    tax_inclusive: bool
    allow_negative_stock: bool
    active: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class RegisterIn(ApiModel):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    active: bool = True


class RegisterUpdate(ApiModel):
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    active: bool | None = None
    version: Version | None = None


class RegisterOut(ApiModel):
    register_id: str = Field(validation_alias=AliasChoices("registerId", "register_id", "id"))
    location_id: str
    name: str
    active: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class EmployeeIn(ApiModel):
    name: Name
    email: EmailStr | None = None
    role_id: Id
    location_ids: Annotated[list[Id], Field(max_length=500)] = []
    pin: Pin | None = None
    active: bool = True


class EmployeeUpdate(ApiModel):
    name: Name | None = None
    email: EmailStr | None = None
    role_id: Id | None = None
    location_ids: Annotated[list[Id], Field(max_length=500)] | None = None
    pin: Pin | None = None
    active: bool | None = None
    version: Version | None = None


class EmployeeOut(ApiModel):
    employee_id: str = Field(validation_alias=AliasChoices("employeeId", "employee_id", "id"))
    name: str
    email: str | None
    role_id: str
    location_ids: list[str]
    has_pin: bool
    active: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class TaxClassIn(ApiModel):
    code: TaxClassCode
    name: Name


class TaxClassUpdate(ApiModel):
    name: Name | None = None
    version: Version | None = None


class TaxClassOut(ApiModel):
    tax_class_id: str = Field(validation_alias=AliasChoices("taxClassId", "tax_class_id", "id"))
    code: str
    name: str
    active: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class TaxRateIn(ApiModel):
    tax_class: TaxClassCode
    name: Name
    rate: Percent


class TaxRateUpdate(ApiModel):
    name: Name | None = None
    rate: Percent | None = None
    active: bool | None = None
    version: Version | None = None


class TaxRateOut(ApiModel):
    tax_rate_id: str = Field(validation_alias=AliasChoices("taxRateId", "tax_rate_id", "id"))
    location_id: str
    tax_class: str
    name: str
    rate: DecimalNumber
    active: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp


# ---- printers --------------------------------------------------------------------------------

PrinterType = Literal["receipt", "kitchen"]
DEFAULT_PRINTER_PORT = 9100
PrinterAddress = Annotated[
    str,
    Field(
        max_length=300,
        description="host[:port]: an IPv4 address, a bracketed IPv6 address or a host name; "
        f"the port defaults to {DEFAULT_PRINTER_PORT}",
        examples=["192.168.1.50:9100", "[fe80::1]:9100", "kitchen-printer.local"],
    ),
]


def printer_address(host: str, port: int) -> str:
    """``host:port`` as a client would type it, IPv6 in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# A printer's name, as the document states it; the service answers a blank one.
PRINTER_NAME_SCHEMA = {"type": "string", "maxLength": 100, "pattern": r"\S"}


class PrinterIn(ApiModel):
    # Optional here so that a missing or blank name is PRINTER_NAME_REQUIRED, not a generic
    # VALIDATION_ERROR; likewise a missing address is INVALID_PRINTER_IP_FORMAT. The document
    # says what the service requires: both present, the name not blank.
    model_config = ConfigDict(json_schema_extra={"required": ["name", "address"]})

    name: Annotated[
        str | None, Field(max_length=100), WithJsonSchema(PRINTER_NAME_SCHEMA, mode="validation")
    ] = None
    type: PrinterType = "receipt"
    address: Annotated[
        PrinterAddress | None, WithJsonSchema({"type": "string", "maxLength": 300})
    ] = None


class PrinterUpdate(ApiModel):
    name: Annotated[
        str | None,
        Field(max_length=100),
        WithJsonSchema({"anyOf": [PRINTER_NAME_SCHEMA, {"type": "null"}]}, mode="validation"),
    ] = None
    type: PrinterType | None = None
    address: PrinterAddress | None = None
    active: bool | None = None
    version: Version | None = None


class PrinterOut(ApiModel):
    printer_id: str = Field(validation_alias=AliasChoices("printerId", "printer_id", "id"))
    location_id: str
    name: str
    type: str
    host: str
    port: int
    active: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp

    @computed_field(description="host:port, an IPv6 host in brackets")  # type: ignore[prop-decorator]
    @property
    def address(self) -> str:
        return printer_address(self.host, self.port)


class RegisterPairingOut(ApiModel):
    """A register paired: its credential went to this device in an httpOnly cookie, and is
    shown nowhere else, ever."""

    credential_id: str
    register_id: str
    location_id: str
    prefix: str
    created_at: Timestamp


class RegisterCredentialOut(ApiModel):
    credential_id: str = Field(validation_alias=AliasChoices("credentialId", "credential_id", "id"))
    register_id: str
    prefix: str
    created_by: str
    created_at: Timestamp
    last_used_at: Timestamp | None
    revoked_at: Timestamp | None
    revoked_reason: str | None


class DeviceEmployeeOut(ApiModel):
    employee_id: str = Field(validation_alias=AliasChoices("employeeId", "employee_id", "id"))
    name: str


class PairedRegisterOut(ApiModel):
    """The register this device is paired with, and who may sign in on it."""

    register_id: str
    location_id: str
    name: str
    employees: list[DeviceEmployeeOut]


class EmployeeSignInRequest(ApiModel):
    employee_id: Id
    pin: Annotated[str, Field(min_length=1, max_length=8, description="The employee's PIN")]


class SignedInEmployee(ApiModel):
    employee_id: str
    name: str
    entitlements: list[str]


class EmployeeSessionOut(ApiModel):
    """An employee signed in on this register: the session is in the httpOnly cookie."""

    expires_in: int
    csrf_token: str = Field(
        description="Send it as the X-CSRF-Token header on every POST, PUT, PATCH and DELETE"
    )
    employee: SignedInEmployee
    register_id: str
    location_id: str


class PrinterTestPageOut(ApiModel):
    printed: bool
    printer_id: str
    bytes: int = Field(description="How many bytes of ESC/POS the printer took")
