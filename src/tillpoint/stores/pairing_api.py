"""Register pairing and employee sign-in on a paired register (docs/adr/0013-browser-sessions.md;
included into the stores router). The device's credential and the employee's session travel
only in httpOnly, SameSite=Strict cookies."""

from fastapi import APIRouter, Response

from tillpoint.core.browser import (
    REGISTER_COOKIE,
    REGISTER_COOKIE_MAX_AGE,
    SESSION_COOKIE,
    csrf_token,
    set_cookie,
    sets_cookie,
)
from tillpoint.core.deps import AppSettings, Db, DbSession, RequestCtx, SecureCookies
from tillpoint.core.openapi import error_responses
from tillpoint.core.pagination import Page, Pagination
from tillpoint.identity.permissions import entitlements
from tillpoint.stores import pairing, register_sessions
from tillpoint.stores.deps import DeviceCredential, RegisterPairer
from tillpoint.stores.schemas import (
    EmployeeSessionOut,
    EmployeeSignInRequest,
    PairedRegisterOut,
    RegisterCredentialOut,
    RegisterPairingOut,
)

router = APIRouter(tags=["registers"])
PAIRING = "/locations/{location_id}/registers/{register_id}/pairing"


@router.post(
    PAIRING,
    response_model=RegisterPairingOut,
    status_code=201,
    responses=error_responses("SIGNED_IN_USER_REQUIRED", "CONFLICT")
    | sets_cookie(
        201,
        "The register credential: tp_register (over https __Host-tp_register), httpOnly, "
        "SameSite=Strict, Path=/, 400 days",
    ),
)
async def pair_register(
    location_id: str,
    register_id: str,
    response: Response,
    session: DbSession,
    principal: RegisterPairer,
    secure: SecureCookies,
) -> RegisterPairingOut:
    """Pair this device with the register: a manager, signed in here, calls it once; the new
    register credential goes into this device's httpOnly cookie (shown nowhere else) and the
    register's previous credential stops working."""
    credential, secret = await pairing.pair_register(session, principal, location_id, register_id)
    set_cookie(response, REGISTER_COOKIE, secret, secure=secure, max_age=REGISTER_COOKIE_MAX_AGE)
    return RegisterPairingOut.model_validate(
        {
            "credential_id": credential.id,
            "register_id": credential.register_id,
            "location_id": location_id,
            "prefix": credential.prefix,
            "created_at": credential.created_at,
        }
    )


@router.delete(PAIRING, status_code=204)
async def unpair_register(
    location_id: str, register_id: str, session: DbSession, principal: RegisterPairer
) -> Response:
    """Unpair the register: its credential is revoked and the employees signed in on it are
    signed out."""
    await pairing.unpair_register(session, principal, location_id, register_id)
    return Response(status_code=204)


@router.get(
    "/locations/{location_id}/registers/{register_id}/credentials",
    response_model=Page[RegisterCredentialOut],
)
async def list_register_credentials(
    location_id: str,
    register_id: str,
    session: DbSession,
    paging: Pagination,
    principal: RegisterPairer,
) -> dict[str, object]:
    """The register's credentials, revoked ones too, with their last use (never the secret)."""
    items, total = await pairing.list_credentials(
        session, principal, location_id, register_id, paging
    )
    return paging.page_of(items, total)


@router.get(
    "/paired-register",
    response_model=PairedRegisterOut,
    tags=["browser sessions"],
    responses=error_responses("REGISTER_NOT_PAIRED"),
)
async def get_paired_register(
    db: Db, settings: AppSettings, credential: DeviceCredential
) -> PairedRegisterOut:
    """The register this device is paired with (its cookie), and who may sign in on it."""
    device, employees = await register_sessions.employees_of_device(db, settings, credential)
    return PairedRegisterOut.model_validate(
        {
            "register_id": device.register_id,
            "location_id": device.location_id,
            "name": device.register_name,
            "employees": employees,
        }
    )


@router.post(
    "/paired-register/employee-sessions",
    response_model=EmployeeSessionOut,
    status_code=201,
    tags=["browser sessions"],
    responses=error_responses("REGISTER_NOT_PAIRED", "PIN_INVALID", "ACCOUNT_LOCKED")
    | sets_cookie(
        201,
        "The employee's session: tp_session (over https __Host-tp_session), httpOnly, "
        "SameSite=Strict, Path=/",
    ),
)
async def sign_in_employee(
    body: EmployeeSignInRequest,
    response: Response,
    db: Db,
    session: DbSession,
    settings: AppSettings,
    ctx: RequestCtx,
    credential: DeviceCredential,
    secure: SecureCookies,
) -> EmployeeSessionOut:
    """An employee signs in by PIN on this paired register: the session goes in an httpOnly
    cookie; the employee acts with their role's permissions at the register's location only."""
    signed_in = await register_sessions.sign_in_employee(
        db,
        session,
        settings,
        device_secret=credential,
        employee_id=body.employee_id,
        pin=body.pin,
        request_id=ctx.request_id,
    )
    set_cookie(
        response, SESSION_COOKIE, signed_in.secret, secure=secure, max_age=signed_in.expires_in
    )
    return EmployeeSessionOut.model_validate(
        {
            "expires_in": signed_in.expires_in,
            "csrf_token": csrf_token(signed_in.secret),
            "employee": {
                "employee_id": signed_in.employee.id,
                "name": signed_in.employee.name,
                "entitlements": entitlements(signed_in.permissions),
            },
            "register_id": signed_in.device.register_id,
            "location_id": signed_in.device.location_id,
        }
    )
