"""Transaction signing (dynamic linking): a one-time code bound to a transfer's amount and payee.

A customer asks for a challenge naming the amount, currency and payee (`open_challenge`, the route
`POST /api/v1/me/signing/challenges`); the code goes by SMS with the amount and the payee's last digits in the
text, or, for a customer whose second factor is TOTP, is read from their authenticator (the challenge still binds
amount and payee). The challenge stores a keyed hash of (customer, amount in minor units, currency, payee):
`verify` recomputes it from the transaction actually submitted, so a changed amount or payee voids the code.

`payee` is canonical: `"<bank code or 'internal'>:<account number>"`, or `"biller:<code>:<reference>"`.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from corebank.channels import otp, sms
from corebank.channels.errors import SigningCodeInvalid
from corebank.channels.identity_errors import OtpUsed
from corebank.channels.identity_models import EbankChallenge, EbankLogin
from corebank.channels.identity_schemas import SigningChallengeCreate, SigningChallengeRead
from corebank.channels.registry import require_open
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest, NotAuthenticated
from corebank.kernel.money import Money, positive_amount
from corebank.security import Actor, cipher_for

PURPOSE = "sign"


def required(uow: UnitOfWork, amount: Money) -> bool:
    """Whether a transfer of `amount` needs a signing code: above `settings.signing_threshold` in the base
    currency. The threshold is a base-currency figure, so a foreign-currency transfer is always signed (no rate
    is guessed here)."""
    s = uow.settings
    if amount.currency != s.base_currency:
        return True
    return amount.amount > Decimal(s.signing_threshold)


def binding_of(uow: UnitOfWork, customer_id: int, amount: Money, payee: str) -> str:
    """The keyed hash a signing code is bound to: customer, amount (minor units), currency and payee."""
    text = f"{customer_id}|{amount.to_minor()}|{amount.currency}|{payee.strip()}"
    return otp.keyed_hash(uow.settings, "signing", text)


def _payee_tail(payee: str) -> str:
    number = payee.rsplit(":", 1)[-1]
    return number[-4:] if len(number) >= 4 else number


def _active_login(uow: UnitOfWork, actor: Actor) -> EbankLogin:
    if actor.customer_id is None:
        raise NotAuthenticated("only a customer signs a transaction")
    login = uow.session.execute(
        select(EbankLogin).where(EbankLogin.customer_id == actor.customer_id)
    ).scalar_one_or_none()
    if login is None or login.status != "active":
        raise NotAuthenticated("this e-banking login is not active")
    return login


def open_challenge(uow: UnitOfWork, actor: Actor, cmd: SigningChallengeCreate) -> SigningChallengeRead:
    """A signing challenge for a transaction of `cmd.amount` to `cmd.payee`; the code goes by SMS naming the
    amount and the payee's last digits (TOTP customers read theirs from the authenticator)."""
    require_open(uow, actor.channel, cmd.tx_type)
    login = _active_login(uow, actor)
    amount = positive_amount(cmd.amount, cmd.currency)
    payee = cmd.payee.strip()
    if ":" not in payee or not payee.rsplit(":", 1)[-1]:
        raise InvalidRequest(
            'payee is "<bank code or internal>:<account number>" or "biller:<code>:<reference>"'
        )
    method = "totp" if login.second_factor == "totp" else "sms"
    phone = cipher_for(uow.settings).decrypt(login.phone_cipher) if method == "sms" else None
    minutes = max(1, uow.settings.otp_ttl_seconds // 60)
    text = (
        f"[CoreBank] Code {sms.CODE_SLOT} confirms paying {amount.text()} {amount.currency} to the account "
        f"ending {_payee_tail(payee)}. Valid {minutes} min. Never tell anyone this code."
    )
    ch, _ = otp.open_challenge(
        uow,
        purpose=PURPOSE,
        customer_id=login.customer_id,
        login_id=login.id,
        method=method,
        channel=actor.channel,
        phone=phone,
        phone_masked=login.phone_masked,
        sms_text=text,
        binding=binding_of(uow, login.customer_id, amount, payee),
    )
    uow.audit(
        actor,
        "ebank.signing_challenge",
        "ebank_challenge",
        ch.id,
        method=method,
        amount=amount.text(),
        currency=amount.currency,
        payee_tail=_payee_tail(payee),
    )
    return SigningChallengeRead(
        challenge_id=ch.id, method=method, expires_at=ch.expires_at, phone_masked=login.phone_masked
    )


def _challenge(uow: UnitOfWork, actor: Actor, challenge_id: int) -> EbankChallenge:
    ch = uow.session.get(EbankChallenge, challenge_id)
    # Another customer's challenge is answered like a wrong code: nothing says that it exists.
    if (
        ch is None
        or ch.purpose != PURPOSE
        or actor.customer_id is None
        or ch.customer_id != actor.customer_id
    ):
        raise SigningCodeInvalid("no such signing challenge for this customer")
    return ch


def verify(uow: UnitOfWork, actor: Actor, challenge_id: int, code: str, *, amount: Money, payee: str) -> None:
    """Check the signing code of challenge `challenge_id` for a transaction of `amount` to `payee` by `actor`,
    and mark it used in the caller's transaction. Raises SigningCodeInvalid when the code is wrong, expired or
    used, or was issued for another amount, payee or customer. A refused check rolls back with the caller; to
    count the wrong try, call `record_failure` in a transaction of its own afterwards."""
    ch = _challenge(uow, actor, challenge_id)
    problem = otp.usable(uow, ch)
    if problem is not None:
        used = isinstance(problem, OtpUsed)
        raise SigningCodeInvalid(
            "the signing code was already used" if used else "the signing code has expired; ask for a new one"
        )
    if ch.binding != binding_of(uow, ch.customer_id, amount, payee):
        raise SigningCodeInvalid("the code was issued for another amount or payee; ask for a new one")
    login = uow.session.get(EbankLogin, ch.login_id) if ch.login_id is not None else None
    if not otp.code_matches(uow, ch, code, login):
        raise SigningCodeInvalid("the signing code is wrong")
    if ch.method == "totp" and login is not None:
        otp.record_totp_step(uow, login, code.strip())
    if otp.mark_used(uow, ch) is not None:
        raise SigningCodeInvalid("the signing code was already used")
    uow.audit(actor, "ebank.signed", "ebank_challenge", ch.id, method=ch.method)


def record_failure(uow: UnitOfWork, actor: Actor, challenge_id: int) -> None:
    """Count a refused signing code against its challenge (void after `settings.otp_max_attempts`), in its own
    transaction after `verify` refused: the refusal itself rolls back with the transfer it guarded."""
    try:
        ch = _challenge(uow, actor, challenge_id)
    except SigningCodeInvalid:
        return
    if ch.status == "open":
        otp.count_wrong(uow, ch)
        uow.audit(actor, "ebank.signing_failed", "ebank_challenge", ch.id, attempts=ch.attempts)
