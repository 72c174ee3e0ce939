"""Request and response bodies of the identity endpoints."""

from typing import Annotated, Literal

from pydantic import AliasChoices, EmailStr, Field, WithJsonSchema

from tillpoint.core.schemas import INTEGRAL, ApiModel, Name, Timestamp, Timezone, Version
from tillpoint.identity.permissions import PERMISSIONS

Password = Annotated[str, Field(min_length=8, max_length=200)]
# The acting person's own password, asked again for a change of credentials (identity/reauth.py).
CurrentPassword = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="Your own current password: required to set a password or change an owner",
    ),
]
# A permission's name; the document lists them all (unknown names are a 400 naming them).
Permission = Annotated[
    str,
    Field(max_length=50),
    WithJsonSchema({"type": "string", "enum": sorted(PERMISSIONS)}, mode="validation"),
]
IdList = Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=500)]


class MfaCode(ApiModel):
    type: Literal["totp"] = "totp"
    code: Annotated[str, Field(min_length=6, max_length=8)]


class LoginRequest(ApiModel):
    username: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=200)]
    mfa: MfaCode | None = None


class RefreshRequest(ApiModel):
    refresh_token: Annotated[str, Field(min_length=1, max_length=200)]


class SessionUser(ApiModel):
    id: str
    name: str
    entitlements: list[str]


class SessionOut(ApiModel):
    auth_token: str
    expires_in: int
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    user: SessionUser


class MfaEnrolmentOut(ApiModel):
    """Shown once; an idempotent replay has nulls."""

    secret: str | None
    otpauth_uri: str | None


class MfaConfirm(ApiModel):
    code: Annotated[str, Field(min_length=6, max_length=8)]


class MfaEnable(MfaConfirm):
    current_password: CurrentPassword | None = None


class TenantOut(ApiModel):
    tenant_id: str = Field(validation_alias=AliasChoices("tenantId", "tenant_id", "id"))
    name: str
    currency: str
    timezone: str
    rounding_mode: Literal["half_up", "half_even"]
    cash_rounding_increment: int
    discount_approval_percent: int
    gift_card_expiry_months: int = Field(
        description="Months after activation a gift card expires; 0: they never expire"
    )
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class TenantUpdate(ApiModel):
    name: Name | None = None
    timezone: Timezone | None = None
    rounding_mode: Literal["half_up", "half_even"] | None = None
    cash_rounding_increment: Annotated[int, Field(ge=1, le=100), INTEGRAL] | None = None
    discount_approval_percent: Annotated[int, Field(ge=0, le=100), INTEGRAL] | None = None
    gift_card_expiry_months: Annotated[int, Field(ge=0, le=600), INTEGRAL] | None = None
    version: Version | None = None


class BrowserSessionOut(ApiModel):
    """A browser sign-in: the session itself is in the httpOnly cookie, never in this body."""

    expires_in: int
    csrf_token: str = Field(
        description="Send it as the X-CSRF-Token header on every POST, PUT, PATCH and DELETE"
    )
    user: SessionUser


class CurrentBrowserSessionOut(ApiModel):
    """Who the session cookie signs in, and its CSRF token (for a page loaded afresh)."""

    kind: Literal["user", "employee"]
    principal_id: str
    name: str
    csrf_token: str
    permissions: list[str]
    entitlements: list[str]
    location_ids: list[str] | None
    register_id: str | None = None


class MeOut(ApiModel):
    kind: Literal["user", "api_key", "employee"]
    principal_id: str
    name: str
    email: str | None = None
    role_id: str | None = None
    permissions: list[str]
    entitlements: list[str]
    location_ids: list[str] | None
    mfa_enabled: bool | None = None
    tenant: TenantOut


class RoleIn(ApiModel):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    description: Annotated[str, Field(max_length=500)] = ""
    permissions: Annotated[list[Permission], Field(max_length=100)]


class RoleUpdate(ApiModel):
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    description: Annotated[str, Field(max_length=500)] | None = None
    permissions: Annotated[list[Permission], Field(max_length=100)] | None = None
    version: Version | None = None


class RoleOut(ApiModel):
    role_id: str = Field(validation_alias=AliasChoices("roleId", "role_id", "id"))
    name: str
    description: str
    permissions: list[str]
    built_in: bool
    active: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class UserIn(ApiModel):
    email: EmailStr
    name: Name
    password: Password
    role_id: Annotated[str, Field(max_length=40)]
    location_ids: IdList = []
    current_password: CurrentPassword | None = None


class UserUpdate(ApiModel):
    name: Name | None = None
    password: Password | None = None
    role_id: Annotated[str, Field(max_length=40)] | None = None
    location_ids: IdList | None = None
    active: bool | None = None
    version: Version | None = None
    current_password: CurrentPassword | None = None


class PasswordChange(ApiModel):
    current_password: CurrentPassword
    new_password: Password


class UserOut(ApiModel):
    user_id: str = Field(validation_alias=AliasChoices("userId", "user_id", "id"))
    email: str
    name: str
    role_id: str
    location_ids: list[str]
    active: bool
    mfa_enabled: bool
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class ApiKeyIn(ApiModel):
    name: Name
    scopes: Annotated[list[Permission], Field(min_length=1, max_length=100)]
    rate_limit_per_minute: Annotated[int, Field(ge=1, le=100_000), INTEGRAL] | None = None


class ApiKeyOut(ApiModel):
    api_key_id: str = Field(validation_alias=AliasChoices("apiKeyId", "api_key_id", "id"))
    name: str
    prefix: str
    scopes: list[str]
    rate_limit_per_minute: int
    created_by: str | None
    created_at: Timestamp
    revoked_at: Timestamp | None


class ApiKeyCreated(ApiKeyOut):
    key: str | None = Field(
        description="The secret. Shown this once; store it now (null on an idempotent replay)."
    )


class AuditEntryOut(ApiModel):
    audit_entry_id: str = Field(
        validation_alias=AliasChoices("auditEntryId", "audit_entry_id", "id")
    )
    occurred_at: Timestamp
    principal_type: str
    principal_id: str
    request_id: str
    method: str
    path: str
    action: str
    status: int
    resource_id: str | None
    details: dict[str, object]


class PermissionOut(ApiModel):
    name: str
    description: str
