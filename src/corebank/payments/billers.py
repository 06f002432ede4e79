"""Registered billers (收费单位: utilities, telecom top-up) and bill payment (缴费) into their settlement accounts.

A biller says what its customers' bill references look like: a regular expression the whole reference must
match, and optionally a check digit (Luhn, or ISO 7064 MOD 97-10 as in an IBAN). A payment with a reference
that does not fit is refused before anything moves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from corebank import accounts, ledger
from corebank.db import idempotency
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CurrencyMismatch
from corebank.kernel.events import Event
from corebank.kernel.ids import luhn_valid
from corebank.kernel.money import Money, minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg
from corebank.payments.mandate_errors import (
    BillerAmountOutOfRange,
    BillerExists,
    BillerNotActive,
    BillerNotFound,
    BillerReferenceInvalid,
    BillerRuleInvalid,
)
from corebank.payments.mandate_models import Biller
from corebank.payments.mandate_schemas import BillerCreate, BillerRead, BillPaymentCreate, BillPaymentRead
from corebank.security import Actor, P

BILL_PAYMENT_KIND = "bill_payment"


@dataclass(frozen=True, slots=True)
class StandardBiller:
    """A demo biller `corebank init` may register once an account of this bank receives its money."""

    code: str
    name: str
    category: str
    reference_pattern: str
    check_digit: str
    min_amount: str
    max_amount: str | None

    def command(self, settlement_account: str, currency: str = "CNY") -> BillerCreate:
        """The registration of this biller, paid into `settlement_account`."""
        return BillerCreate(
            code=self.code,
            name=self.name,
            category=self.category,
            settlement_account=settlement_account,
            currency=currency,
            reference_pattern=self.reference_pattern,
            check_digit=self.check_digit,
            min_amount=self.min_amount,
            max_amount=self.max_amount,
        )


STANDARD_BILLERS: tuple[StandardBiller, ...] = (
    # An electricity account number: 10 digits, the last a Luhn check digit.
    StandardBiller(
        "CITY_POWER", "City Power Supply Co.", "utilities", r"[0-9]{10}", "luhn", "1.00", "50000.00"
    ),
    # A mobile top-up: the 11-digit mainland mobile number.
    StandardBiller(
        "MOBILE_TOPUP", "China Mobile top-up", "telecom", r"1[3-9][0-9]{9}", "none", "10.00", "500.00"
    ),
)


# ---------------------------------------------------------------------------------------------- rules


def mod97_valid(reference: str) -> bool:
    """ISO 7064 MOD 97-10: letters count as 10..35, and the number read so is 1 modulo 97."""
    if not reference.isascii() or not reference.isalnum():
        return False
    digits = "".join(str(int(ch, 36)) for ch in reference.upper())
    return int(digits) % 97 == 1


def reference_fits(pattern: str, check_digit: str, reference: str) -> bool:
    """Whether `reference` matches the whole of `pattern` and carries a good check digit."""
    if re.fullmatch(pattern, reference) is None:
        return False
    if check_digit == "luhn":
        return luhn_valid(reference)
    if check_digit == "mod97":
        return mod97_valid(reference)
    return True


def check_reference(biller: Biller, reference: str) -> None:
    """Refuse a bill reference that does not follow the biller's rule (BILLER_REFERENCE_INVALID)."""
    if not reference_fits(biller.reference_pattern, biller.check_digit, reference):
        rule = biller.reference_pattern + (
            "" if biller.check_digit == "none" else f" with a {biller.check_digit}"
        )
        raise BillerReferenceInvalid(f"{reference!r} is not a {biller.name} reference ({rule} check digit)")


# ---------------------------------------------------------------------------------------------- billers


def biller_read(b: Biller) -> BillerRead:
    """The biller as shown to staff and customers."""
    return BillerRead(
        code=b.code,
        name=b.name,
        category=b.category,
        settlement_account=b.settlement_account,
        currency=b.currency,
        reference_pattern=b.reference_pattern,
        check_digit=b.check_digit,
        min_amount=minor_to_text(b.min_amount, b.currency),
        max_amount=None if b.max_amount is None else minor_to_text(b.max_amount, b.currency),
        status=b.status,
    )


def load_biller(uow: UnitOfWork, code: str) -> Biller:
    """The biller registered under `code` (BILLER_NOT_FOUND)."""
    b = uow.session.execute(select(Biller).where(Biller.code == code)).scalar()
    if b is None:
        raise BillerNotFound(f"no biller {code}")
    return b


def register_biller(uow: UnitOfWork, actor: Actor, cmd: BillerCreate) -> BillerRead:
    """Register a biller whose payments credit its settlement account in this bank."""
    actor.require(P.PAYMENT_OPERATE)
    try:
        re.compile(cmd.reference_pattern)
    except re.error as exc:
        raise BillerRuleInvalid(f"the reference pattern is not a regular expression: {exc}") from None
    low = positive_amount(cmd.min_amount, cmd.currency)
    high = None if cmd.max_amount is None else positive_amount(cmd.max_amount, cmd.currency)
    if high is not None and high < low:
        raise BillerRuleInvalid(f"the maximum {high} is below the minimum {low}")
    if uow.session.execute(select(Biller.id).where(Biller.code == cmd.code)).first() is not None:
        raise BillerExists(f"biller {cmd.code} is already registered")
    acc = accounts.load_for_posting(uow, [cmd.settlement_account])[cmd.settlement_account]
    accounts.check_can_credit(acc)
    if acc.currency != cmd.currency:
        raise CurrencyMismatch(f"settlement account {acc.number} holds {acc.currency}, not {cmd.currency}")
    b = Biller(
        code=cmd.code,
        name=cmd.name,
        category=cmd.category,
        settlement_account_id=acc.id,
        settlement_account=acc.number,
        currency=cmd.currency,
        reference_pattern=cmd.reference_pattern,
        check_digit=cmd.check_digit,
        min_amount=low.to_minor(),
        max_amount=None if high is None else high.to_minor(),
        status="active",
        created_by=actor.username,
        created_at=uow.now,
    )
    uow.session.add(b)
    uow.session.flush()
    uow.audit(actor, "biller.register", "biller", b.code, settlement_account=acc.number, name=b.name)
    return biller_read(b)


def list_billers(uow: UnitOfWork, actor: Actor, category: str | None = None) -> list[BillerRead]:
    """The registered billers, by code."""
    actor.require(P.PAYMENT_READ)
    q = select(Biller).order_by(Biller.code)
    if category:
        q = q.where(Biller.category == category)
    return [biller_read(b) for b in uow.session.execute(q).scalars()]


def get_biller(uow: UnitOfWork, actor: Actor, code: str) -> BillerRead:
    """One biller."""
    actor.require(P.PAYMENT_READ)
    return biller_read(load_biller(uow, code))


def check_amount(biller: Biller, amount: Money) -> None:
    """Refuse an amount outside the biller's range (BILLER_AMOUNT_OUT_OF_RANGE)."""
    minor = amount.to_minor()
    if minor < biller.min_amount or (biller.max_amount is not None and minor > biller.max_amount):
        high = "" if biller.max_amount is None else minor_to_text(biller.max_amount, biller.currency)
        raise BillerAmountOutOfRange(
            f"{biller.name} takes {minor_to_text(biller.min_amount, biller.currency)} to {high or 'any amount'}"
        )


# ---------------------------------------------------------------------------------------------- bill payment


def pay_bill(
    uow: UnitOfWork, actor: Actor, cmd: BillPaymentCreate, idempotency_key: str | None
) -> BillPaymentRead:
    """Pay a bill (缴费): Dr the payer's account / Cr the biller's settlement account, the bill reference on the
    entry. A retry with the same key returns the first answer."""
    actor.require(P.PAYMENT_CREATE)
    body = cmd.model_dump()

    def work() -> dict[str, Any]:
        biller = load_biller(uow, cmd.biller_code)
        if biller.status != "active":
            raise BillerNotActive(f"biller {biller.code} is {biller.status}")
        check_reference(biller, cmd.reference)
        amount = positive_amount(cmd.amount, cmd.currency)
        if cmd.currency != biller.currency:
            raise CurrencyMismatch(f"{biller.name} is paid in {biller.currency}")
        check_amount(biller, amount)
        found = accounts.load_for_posting(uow, [cmd.from_account, biller.settlement_account])
        payer, payee = found[cmd.from_account], found[biller.settlement_account]
        if payer.id == payee.id:
            raise accounts.SameAccount("the biller cannot pay itself")
        actor.require_branch(payer.branch_code)
        if payer.currency != cmd.currency:
            raise CurrencyMismatch(f"account {payer.number} holds {payer.currency}")
        accounts.check_can_debit(payer)
        accounts.check_can_credit(payee)
        accounts.prepare_debit(uow, payer, amount, payee.id, actor.username)
        entry = ledger.post(
            uow,
            EntryDraft(
                BILL_PAYMENT_KIND,
                (
                    Leg.debit(
                        payer.gl_code, payer.branch_code, amount, payer.id, f"{biller.name} {cmd.reference}"
                    ),
                    Leg.credit(payee.gl_code, payee.branch_code, amount, payee.id, f"bill {cmd.reference}"),
                ),
                memo=f"bill payment to {biller.code}",
                reference=f"{biller.code}:{cmd.reference}"[:40],
            ),
            by=actor.username,
            channel=actor.channel,
        )
        uow.audit(
            actor,
            "bill.pay",
            "entry",
            entry.id,
            biller=biller.code,
            reference=cmd.reference,
            amount=amount.text(),
            payer=payer.number,
        )
        uow.publish(
            Event(
                "BillPaid",
                "entry",
                str(entry.id),
                {
                    "biller": biller.code,
                    "reference": cmd.reference,
                    "from": payer.number,
                    "amount": amount.to_minor(),
                    "currency": cmd.currency,
                    "payer_customer": payer.customer_id,
                },
            )
        )
        return BillPaymentRead(
            entry_id=entry.id,
            biller_code=biller.code,
            biller_name=biller.name,
            reference=cmd.reference,
            from_account=payer.number,
            amount=amount.text(),
            currency=cmd.currency,
            booking_date=entry.booking_date,
            from_balance_after=minor_to_text(entry.balance_after(payer.id) or 0, cmd.currency),
        ).model_dump(mode="json")

    return BillPaymentRead(**idempotency.once(uow, f"bill:{actor.username}", idempotency_key, body, work))
