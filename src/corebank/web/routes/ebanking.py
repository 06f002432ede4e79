"""E-banking enrollment (签约) at the counter and online, customer authentication, devices, TOTP, and signing
challenges.

Counter routes (`/api/v1/customers/{number}/ebanking...`) take a staff token with EBANK_OPERATE at the
customer's home branch. Customer routes (`/api/v1/me/...`) take a customer token, except enrollment and the
login steps, which are how a customer gets one. A refusal that must be remembered (a wrong password or code
counts toward the lockout) is committed first and raised afterwards.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Response

from corebank.channels import customer_auth, devices, identity, signing
from corebank.channels.identity_schemas import (
    CodeSent,
    CounterAction,
    CounterEnrollment,
    CounterPasswordReset,
    CustomerTokens,
    DeviceRead,
    EbankLoginRead,
    FactorRead,
    LoginRequest,
    LogoutRead,
    OnlineEnrollmentFinish,
    OnlineEnrollmentStart,
    OnlineEnrollmentStarted,
    PasswordChange,
    PasswordResetRead,
    RefreshRequest,
    SecondFactor,
    SecondFactorRequired,
    SigningChallengeCreate,
    SigningChallengeRead,
    TotpCode,
    TotpSetup,
)
from corebank.kernel.errors import CoreBankError
from corebank.security import Actor, P
from corebank.web.customer_deps import CustomerDep
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1", tags=["e-banking"])
Operator = Annotated[Actor, Depends(requires(P.EBANK_OPERATE))]
Reader = Annotated[Actor, Depends(requires(P.CUSTOMER_READ))]
T = TypeVar("T")


def _settle(outcome: tuple[T | None, CoreBankError | None]) -> T:
    """The answer of a use case that commits its refusals: raise the refusal now that it is recorded."""
    value, error = outcome
    if error is not None:
        raise error
    assert value is not None
    return value


# ------------------------------------------------------------------------------------------- at the counter


@router.post(
    "/customers/{number}/ebanking",
    response_model=EbankLoginRead,
    status_code=201,
    summary="Enroll the customer in e-banking at the counter (the ID number typed from the presented card)",
)
def enroll(bank: BankDep, number: str, cmd: CounterEnrollment, actor: Operator) -> EbankLoginRead:
    return _settle(bank.run(identity.enroll_at_counter, actor, number, cmd))


@router.get(
    "/customers/{number}/ebanking", response_model=EbankLoginRead, summary="The customer's e-banking login"
)
def show(bank: BankDep, number: str, actor: Reader) -> EbankLoginRead:
    return bank.run(identity.show_enrollment, actor, number, readonly=True)


@router.post(
    "/customers/{number}/ebanking/password-reset",
    response_model=PasswordResetRead,
    summary="Reset the e-banking password (a temporary one unless given); unlocks and ends every session",
)
def reset_password(
    bank: BankDep, number: str, cmd: CounterPasswordReset, actor: Operator
) -> PasswordResetRead:
    return bank.run(identity.reset_password, actor, number, cmd)


@router.post(
    "/customers/{number}/ebanking/suspend", response_model=EbankLoginRead, summary="Suspend the login"
)
def suspend(bank: BankDep, number: str, actor: Operator, cmd: CounterAction | None = None) -> EbankLoginRead:
    return bank.run(identity.suspend, actor, number, cmd or CounterAction())


@router.post(
    "/customers/{number}/ebanking/resume", response_model=EbankLoginRead, summary="Resume a suspended login"
)
def resume(bank: BankDep, number: str, actor: Operator, cmd: CounterAction | None = None) -> EbankLoginRead:
    return bank.run(identity.resume, actor, number, cmd or CounterAction())


@router.post(
    "/customers/{number}/ebanking/unenroll",
    response_model=EbankLoginRead,
    summary="Unenroll (解约): the login closes, its sessions end and its devices are unbound",
)
def unenroll(bank: BankDep, number: str, actor: Operator, cmd: CounterAction | None = None) -> EbankLoginRead:
    return bank.run(identity.unenroll, actor, number, cmd or CounterAction())


# ------------------------------------------------------------------------------------------- online enrollment


@router.post(
    "/me/enrollment/start",
    response_model=OnlineEnrollmentStarted,
    summary="Online enrollment, step 1: account or card, ID number and the phone on file; a code is sent",
)
def enrollment_start(bank: BankDep, cmd: OnlineEnrollmentStart) -> OnlineEnrollmentStarted:
    return _settle(bank.run(identity.start_online_enrollment, cmd))


@router.post(
    "/me/enrollment",
    response_model=EbankLoginRead,
    status_code=201,
    summary="Online enrollment, step 2: the SMS code, a login name and a password",
)
def enrollment_finish(bank: BankDep, cmd: OnlineEnrollmentFinish) -> EbankLoginRead:
    return _settle(bank.run(identity.finish_online_enrollment, cmd))


# ------------------------------------------------------------------------------------------- logging in


@router.post(
    "/me/auth/token",
    response_model=SecondFactorRequired,
    summary="Log in, step 1: login name and password (JSON); answers with a ticket for the second factor",
    description="A mobile login names its device; from a device not bound to the login the second factor is "
    "always an SMS code, and the device is bound when that login succeeds.",
)
def token(bank: BankDep, cmd: LoginRequest) -> SecondFactorRequired:
    return _settle(bank.run(customer_auth.start_login, cmd))


@router.post(
    "/me/auth/second-factor",
    response_model=CustomerTokens,
    summary="Log in, step 2: the SMS or authenticator code; answers with the access and refresh tokens",
)
def second_factor(bank: BankDep, cmd: SecondFactor) -> CustomerTokens:
    return _settle(bank.run(customer_auth.finish_login, cmd))


@router.post(
    "/me/auth/refresh",
    response_model=CustomerTokens,
    summary="A new access token for a refresh token (good once: the answer carries the next one)",
)
def refresh(bank: BankDep, cmd: RefreshRequest) -> CustomerTokens:
    return _settle(bank.run(customer_auth.refresh, cmd))


@router.post("/me/auth/logout", response_model=LogoutRead, summary="End the session of this refresh token")
def logout(bank: BankDep, actor: CustomerDep, cmd: RefreshRequest) -> LogoutRead:
    return bank.run(customer_auth.logout, actor, cmd)


@router.post(
    "/me/auth/logout-all",
    response_model=LogoutRead,
    summary="Log out everywhere: every session ends and every access token stops working at once",
)
def logout_all(bank: BankDep, actor: CustomerDep) -> LogoutRead:
    return bank.run(customer_auth.logout_all, actor)


@router.post(
    "/me/password",
    response_model=LogoutRead,
    summary="Change my password (every session ends: log in again)",
)
def change_password(bank: BankDep, actor: CustomerDep, cmd: PasswordChange) -> LogoutRead:
    return _settle(bank.run(customer_auth.change_password, actor, cmd))


# ------------------------------------------------------------------------------------------- devices


@router.get("/me/devices", response_model=list[DeviceRead], summary="My bound mobile devices")
def my_devices(bank: BankDep, actor: CustomerDep) -> list[DeviceRead]:
    return bank.run(devices.list_devices, actor, readonly=True)


@router.delete(
    "/me/devices/{device_id}",
    status_code=204,
    summary="Unbind a device (its sessions end; its next login needs an SMS code)",
)
def remove_device(bank: BankDep, actor: CustomerDep, device_id: str) -> Response:
    bank.run(devices.remove_device, actor, device_id)
    return Response(status_code=204)


# ------------------------------------------------------------------------------------------- TOTP


@router.post(
    "/me/totp",
    response_model=TotpSetup,
    summary="Start using an authenticator app: a new secret as an otpauth URI and a QR code (shown once)",
)
def totp_start(bank: BankDep, actor: CustomerDep) -> TotpSetup:
    return bank.run(customer_auth.start_totp, actor)


@router.post(
    "/me/totp/confirm",
    response_model=FactorRead,
    summary="Prove a code from the new authenticator: TOTP becomes the second factor",
)
def totp_confirm(bank: BankDep, actor: CustomerDep, cmd: TotpCode) -> FactorRead:
    return _settle(bank.run(customer_auth.confirm_totp, actor, cmd))


@router.post(
    "/me/totp/disable-code",
    response_model=CodeSent,
    summary="Send the SMS code that switching the authenticator off needs",
)
def totp_disable_code(bank: BankDep, actor: CustomerDep) -> CodeSent:
    return bank.run(customer_auth.send_totp_off_code, actor)


@router.delete(
    "/me/totp",
    response_model=FactorRead,
    summary="Switch the authenticator off (back to SMS codes), with the SMS code from /me/totp/disable-code",
)
def totp_disable(bank: BankDep, actor: CustomerDep, cmd: TotpCode) -> FactorRead:
    return _settle(bank.run(customer_auth.disable_totp, actor, cmd))


# ------------------------------------------------------------------------------------------- signing


@router.post(
    "/me/signing/challenges",
    response_model=SigningChallengeRead,
    status_code=201,
    summary="A one-time code bound to a transaction's amount and payee (SMS, or the authenticator for TOTP users)",
    description='`payee` is "<bank code or internal>:<account number>" or "biller:<code>:<reference>", exactly '
    "as the transfer or bill payment will name it; a changed amount or payee voids the code.",
)
def signing_challenge(bank: BankDep, actor: CustomerDep, cmd: SigningChallengeCreate) -> SigningChallengeRead:
    return bank.run(signing.open_challenge, actor, cmd)
