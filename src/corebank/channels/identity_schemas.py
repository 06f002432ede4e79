"""Schemas of e-banking enrollment, customer authentication, devices, TOTP, SMS and transaction signing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from corebank.kernel.schemas import AmountText

LoginChannel = Literal["internet", "mobile"]
Password = Annotated[str, Field(min_length=1, max_length=128)]
Code = Annotated[
    str, Field(min_length=1, max_length=12, description="the one-time code (SMS or authenticator)")
]
DEVICE_PATTERN = r"^[A-Za-z0-9._:-]{8,64}$"


# ------------------------------------------------------------------------------------------- enrollment


class CounterEnrollment(BaseModel):
    """E-banking enrollment at the counter: the teller types the ID number from the card the customer shows."""

    login_name: str = Field(min_length=1, max_length=32)
    password: Password
    phone: str = Field(min_length=5, max_length=24, description="the phone that receives one-time codes")
    id_number: str = Field(min_length=5, max_length=32, description="as printed on the presented ID card")


class OnlineEnrollmentStart(BaseModel):
    """Online enrollment, step 1: prove the customer holds an account (or card) and the ID and phone on file."""

    account_number: str | None = Field(default=None, min_length=8, max_length=24)
    card_pan: str | None = Field(default=None, min_length=16, max_length=19)
    id_number: str = Field(min_length=5, max_length=32)
    phone: str = Field(min_length=5, max_length=24)
    channel: LoginChannel = "internet"


class OnlineEnrollmentStarted(BaseModel):
    enrollment_id: str = Field(description="send it back with the SMS code to finish enrolling")
    phone_masked: str
    expires_at: datetime


class OnlineEnrollmentFinish(BaseModel):
    enrollment_id: str = Field(min_length=8, max_length=64)
    code: Code
    login_name: str = Field(min_length=1, max_length=32)
    password: Password


class EbankLoginRead(BaseModel):
    customer_number: str
    login_name: str
    status: str
    phone_masked: str
    second_factor: str
    failed_logins: int
    enrolled_via: str
    enrolled_by: str
    created_at: datetime
    updated_at: datetime
    last_login_at: datetime | None
    devices: int = 0
    open_sessions: int = 0


class CounterPasswordReset(BaseModel):
    password: str | None = Field(
        default=None, max_length=128, description="the new password; a temporary one is generated when absent"
    )


class PasswordResetRead(BaseModel):
    login: EbankLoginRead
    temporary_password: str | None = Field(description="give it to the customer; shown once")
    sessions_ended: int


class CounterAction(BaseModel):
    reason: str = Field(default="", max_length=200)


# ------------------------------------------------------------------------------------------- authentication


class LoginRequest(BaseModel):
    login_name: str = Field(min_length=1, max_length=64)
    password: Password
    channel: LoginChannel = "internet"
    device_id: str | None = Field(default=None, pattern=DEVICE_PATTERN)


class SecondFactorRequired(BaseModel):
    status: Literal["second_factor_required"] = "second_factor_required"
    login_ticket: str
    method: Literal["sms", "totp"]
    phone_masked: str
    expires_at: datetime


class SecondFactor(BaseModel):
    login_ticket: str = Field(min_length=8, max_length=64)
    code: Code


class CustomerTokens(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds the access token lives")
    refresh_expires_at: datetime
    channel: str
    strength: str


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=16, max_length=128)


class LogoutRead(BaseModel):
    sessions_ended: int


class PasswordChange(BaseModel):
    old_password: Password
    new_password: Password


class DeviceRead(BaseModel):
    device_id: str
    bound_at: datetime
    last_seen_at: datetime


# ------------------------------------------------------------------------------------------- TOTP


class TotpSetup(BaseModel):
    secret: str = Field(description="base32; shown once")
    otpauth_uri: str
    qr_svg: str = Field(description="the otpauth URI as an SVG QR code")


class TotpCode(BaseModel):
    code: Code


class FactorRead(BaseModel):
    second_factor: Literal["sms", "totp"]


class CodeSent(BaseModel):
    phone_masked: str
    expires_at: datetime


# ------------------------------------------------------------------------------------------- signing


class SigningChallengeCreate(BaseModel):
    amount: AmountText
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    payee: str = Field(
        min_length=3,
        max_length=120,
        description='"<bank code or internal>:<account number>", or "biller:<code>:<reference>"',
    )
    tx_type: Literal["transfer", "bill_payment"] = "transfer"


class SigningChallengeRead(BaseModel):
    challenge_id: int
    method: Literal["sms", "totp"]
    expires_at: datetime
    phone_masked: str


# ------------------------------------------------------------------------------------------- SMS


class SmsRead(BaseModel):
    phone_masked: str
    text: str
    code: str | None
    purpose: str
    created_at: datetime
