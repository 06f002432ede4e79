"""Errors of e-banking enrollment (签约), customer authentication and one-time codes."""

from __future__ import annotations

from corebank.kernel.errors import (
    BusinessRuleViolation,
    Conflict,
    CoreBankError,
    InvalidRequest,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)


class EbankAlreadyEnrolled(Conflict):
    code = "EBANK_ALREADY_ENROLLED"
    title = "This customer is already enrolled in e-banking"


class EbankNotEnrolled(NotFound):
    code = "EBANK_NOT_ENROLLED"
    title = "This customer is not enrolled in e-banking"


class EbankStatusConflict(Conflict):
    """The login is not in a state that allows this (resume a login that is not suspended, and so on)."""

    code = "EBANK_STATUS"
    title = "The e-banking login's status does not allow this"


class LoginNameTaken(Conflict):
    code = "LOGIN_NAME_TAKEN"
    title = "This login name is taken"


class InvalidLoginName(InvalidRequest):
    code = "INVALID_LOGIN_NAME"
    title = "A login name is 4 to 32 letters, digits, '.', '_' or '-', starting with a letter"


class IdNumberMismatch(BusinessRuleViolation):
    """The ID number the teller typed from the presented card is not the customer's."""

    code = "ID_NUMBER_MISMATCH"
    title = "The ID number does not match the customer's"


class EnrollmentDetailsMismatch(BusinessRuleViolation):
    """Online enrollment: the account or card, ID number and phone do not belong together. Which one is wrong
    is not said, so that the check cannot be used to learn a customer's details."""

    code = "ENROLLMENT_DETAILS_MISMATCH"
    title = "The account or card, ID number and phone do not match our records"


class EbankLoginFailed(NotAuthenticated):
    """A wrong password and an unknown login name answer the same."""

    code = "LOGIN_FAILED"
    title = "Wrong login name or password"


class LoginLocked(NotAuthenticated):
    code = "LOGIN_LOCKED"
    title = "The login is locked after too many wrong passwords or codes; a counter password reset unlocks it"


class LoginSuspended(NotAuthenticated):
    code = "LOGIN_SUSPENDED"
    title = "This e-banking login is suspended; ask at the counter"


class LoginTicketInvalid(NotAuthenticated):
    code = "LOGIN_TICKET_INVALID"
    title = "The login ticket is not valid; log in again"


class OtpInvalid(NotAuthenticated):
    """A wrong one-time code; `extra.attempts_left` says how many more tries this code allows."""

    code = "OTP_INVALID"
    title = "The one-time code is wrong"


class OtpExpired(NotAuthenticated):
    """The code's time ran out, or too many wrong tries voided it: ask for a new one."""

    code = "OTP_EXPIRED"
    title = "The one-time code has expired; ask for a new one"


class OtpUsed(NotAuthenticated):
    code = "OTP_USED"
    title = "The one-time code was already used"


class RefreshTokenInvalid(NotAuthenticated):
    code = "REFRESH_TOKEN_INVALID"
    title = "The refresh token is not valid or its session has ended; log in again"


class RefreshTokenReused(NotAuthenticated):
    """A refresh token already exchanged was presented again: someone holds a copy, so the session ends."""

    code = "REFRESH_TOKEN_REUSED"
    title = "This refresh token was already used; the session is ended for safety, log in again"


class DeviceRequired(InvalidRequest):
    code = "DEVICE_ID_REQUIRED"
    title = "Mobile banking logins name their device (device_id)"


class DeviceNotFound(NotFound):
    code = "NOT_FOUND"
    title = "Not found"


class PasswordWrong(PermissionDenied):
    """The current password given to change it is wrong (it counts toward the lockout)."""

    code = "PASSWORD_WRONG"
    title = "The current password is wrong"


class TotpNotStarted(Conflict):
    code = "TOTP_NOT_STARTED"
    title = "Start TOTP enrollment first (POST /api/v1/me/totp)"


class TotpNotActive(Conflict):
    code = "TOTP_NOT_ACTIVE"
    title = "This login does not use TOTP"


class SmsSenderUnknown(CoreBankError):
    """The configured SMS sender (settings.sms_sender) is not one the bank knows."""

    code = "SMS_SENDER_UNKNOWN"
    status = 503
    title = "Text messages cannot be sent: the SMS sender is not configured"
