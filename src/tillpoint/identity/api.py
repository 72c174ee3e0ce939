"""Sessions, the current principal, MFA, tenant settings and the audit log."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from tillpoint.core.audit import list_audit_entries
from tillpoint.core.deps import (
    AppSettings,
    CurrentPrincipal,
    Db,
    DbSession,
    RequestCtx,
)
from tillpoint.core.openapi import COMMON_ERRORS, error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.core.schemas import AwareDatetime
from tillpoint.identity import mfa, service, sessions
from tillpoint.identity.deps import AuditReader, SettingsWriter
from tillpoint.identity.permissions import entitlements
from tillpoint.identity.schemas import (
    AuditEntryOut,
    LoginRequest,
    MeOut,
    MfaConfirm,
    MfaEnable,
    MfaEnrolmentOut,
    PasswordChange,
    RefreshRequest,
    SessionOut,
    TenantOut,
    TenantUpdate,
)

router = APIRouter(prefix="/v1", responses=COMMON_ERRORS)


def _session_out(issued: sessions.IssuedTokens) -> SessionOut:
    return SessionOut.model_validate(
        {
            "auth_token": issued.access_token,
            "expires_in": issued.expires_in,
            "refresh_token": issued.refresh_token,
            "user": sessions.user_summary(issued.user, issued.permissions),
        }
    )


@router.post(
    "/sessions",
    response_model=SessionOut,
    status_code=201,
    tags=["sessions"],
    responses=error_responses("LOGIN_ERROR", "MFA_REQUIRED", "ACCOUNT_LOCKED"),
)
async def create_session(
    body: LoginRequest, db: Db, session: DbSession, settings: AppSettings
) -> SessionOut:
    """Log in with a username and password (and a TOTP code once MFA is on)."""
    code = body.mfa.code if body.mfa else None
    issued = await sessions.login(db, session, settings, body.username, body.password, code)
    return _session_out(issued)


@router.post("/sessions/refresh", response_model=SessionOut, tags=["sessions"])
async def refresh_session(
    body: RefreshRequest, session: DbSession, settings: AppSettings
) -> SessionOut:
    """Exchange a refresh token for new tokens. A refresh token works once; reuse ends the login."""
    return _session_out(await sessions.refresh(session, settings, body.refresh_token))


@router.delete("/sessions/current", status_code=204, tags=["sessions"])
async def delete_session(principal: CurrentPrincipal, session: DbSession) -> Response:
    """Log out: both tokens of this login stop working."""
    await sessions.logout(session, principal)
    return Response(status_code=204)


@router.get("/me", response_model=MeOut, tags=["sessions"])
async def get_me(principal: CurrentPrincipal, session: DbSession) -> MeOut:
    tenant = await service.get_tenant(session, principal.tenant_id)
    user = (
        await service.get_user(session, principal, principal.id)
        if principal.kind == "user"
        else None
    )
    return MeOut.model_validate(
        {
            "kind": principal.kind,
            "principal_id": principal.id,
            "name": principal.name,
            "email": user.email if user else None,
            "role_id": user.role_id if user else None,
            "permissions": sorted(principal.permissions),
            "entitlements": entitlements(principal.permissions),
            "location_ids": sorted(principal.location_ids)
            if principal.location_ids is not None
            else None,
            "mfa_enabled": user.mfa_enabled if user else None,
            "tenant": TenantOut.model_validate(tenant),
        }
    )


@router.post(
    "/me/password",
    status_code=204,
    tags=["sessions"],
    responses=error_responses(
        "SIGNED_IN_USER_REQUIRED", "REAUTHENTICATION_REQUIRED", "ACCOUNT_LOCKED"
    ),
)
async def change_password(
    body: PasswordChange, principal: CurrentPrincipal, session: DbSession, settings: AppSettings
) -> Response:
    """Change your own password, giving the current one; your other logins end."""
    await service.change_own_password(session, settings, principal, body)
    return Response(status_code=204)


@router.post(
    "/me/mfa",
    response_model=MfaEnrolmentOut,
    status_code=201,
    tags=["sessions"],
    responses=error_responses("MFA_ALREADY_ENABLED"),
)
async def start_mfa(
    principal: CurrentPrincipal, session: DbSession, ctx: RequestCtx
) -> MfaEnrolmentOut:
    """Begin TOTP enrolment: add the secret to an authenticator app, then confirm a code."""
    ctx.secret_fields = frozenset({"secret", "otpauthUri"})
    enrolment = await mfa.start_mfa(session, principal)
    return MfaEnrolmentOut(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)


@router.post(
    "/me/mfa/confirm",
    status_code=204,
    tags=["sessions"],
    responses=error_responses(
        "INVALID_MFA_CODE",
        "MFA_NOT_STARTED",
        "MFA_ALREADY_ENABLED",
        "SIGNED_IN_USER_REQUIRED",
        "REAUTHENTICATION_REQUIRED",
        "ACCOUNT_LOCKED",
    ),
)
async def confirm_mfa(
    body: MfaEnable, principal: CurrentPrincipal, session: DbSession, settings: AppSettings
) -> Response:
    """Turn MFA on with a current code from the authenticator app and your current password."""
    await mfa.confirm_mfa(session, settings, principal, body.code, body.current_password)
    return Response(status_code=204)


@router.post(
    "/me/mfa/disable",
    status_code=204,
    tags=["sessions"],
    responses=error_responses("INVALID_MFA_CODE"),
)
async def disable_mfa(
    body: MfaConfirm, principal: CurrentPrincipal, session: DbSession
) -> Response:
    """Turn MFA off; needs a current code."""
    await mfa.disable_mfa(session, principal, body.code)
    return Response(status_code=204)


@router.get("/tenant", response_model=TenantOut, tags=["tenant"])
async def get_tenant(principal: CurrentPrincipal, session: DbSession) -> TenantOut:
    return TenantOut.model_validate(await service.get_tenant(session, principal.tenant_id))


@router.patch(
    "/tenant",
    response_model=TenantOut,
    tags=["tenant"],
    responses=error_responses("VERSION_CONFLICT"),
)
async def update_tenant(
    body: TenantUpdate,
    session: DbSession,
    principal: SettingsWriter,
) -> TenantOut:
    """Change the tenant's name, timezone and rounding settings (the currency is fixed)."""
    return TenantOut.model_validate(await service.update_tenant(session, principal, body))


@router.get("/audit-log", response_model=Page[AuditEntryOut], tags=["audit"])
async def audit_log(
    session: DbSession,
    paging: Pagination,
    principal: AuditReader,
    principal_id: Annotated[str | None, Query(alias="principalId", max_length=40)] = None,
    resource_id: Annotated[str | None, Query(alias="resourceId", max_length=40)] = None,
    action: Annotated[str | None, Query(max_length=200)] = None,
    occurred_from: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    occurred_to: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> dict[str, object]:
    """Who changed what: every successful write, newest first."""
    principal.require_every_location("read the tenant-wide audit log")
    entries, total = await list_audit_entries(
        session,
        principal_id=principal_id,
        resource_id=resource_id,
        action=action,
        occurred_from=occurred_from or paging.updated_from,
        occurred_to=occurred_to or paging.updated_to,
        offset=paging.offset,
        limit=paging.page_size,
    )
    return paging.page_of(entries, total)
