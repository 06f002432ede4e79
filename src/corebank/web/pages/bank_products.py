"""Internet banking: time deposits (buy, list, withdraw early), loans (apply, my applications, my loans with
their schedule), bill payments, my limits, my cards (activate, report lost, change the PIN), and my settings
(SMS notifications, password).

Each form calls the use case its /api/v1/me route calls (`me_products`, `me_transfers.pay_my_bill`,
`me.my_limits` / `me.lower_my_limit`, `cards.*_my_*`), with the same owner checks; money-moving forms carry a
hidden idempotency key. A bill over the signing threshold asks for the SMS code as a transfer does.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from corebank.bootstrap import Bank
from corebank.channels import cards, customer_auth, me, me_products, me_transfers, signing
from corebank.channels.card_schemas import PinChange
from corebank.channels.errors import SigningCodeInvalid, SigningRequired
from corebank.channels.identity_schemas import PasswordChange, SigningChallengeCreate
from corebank.channels.me_schemas import (
    LimitChange,
    MyBillPayment,
    MyEarlyWithdrawal,
    MyLoanApplication,
    MyTimeDepositOpen,
    NotificationSettings,
    SigningProof,
)
from corebank.deposits.time_rules import INSTRUCTIONS
from corebank.kernel.errors import CoreBankError
from corebank.security import Actor
from corebank.web.pages import i18n
from corebank.web.pages.bank_session import BankActor, end_bank_session, validated
from corebank.web.pages.errors import form_error
from corebank.web.pages.render import N_, NavItem, new_key, redirect, register_nav, render

router = APIRouter(prefix="/bank", include_in_schema=False)
register_nav(NavItem("bank", N_("Banking"), N_("Time deposits"), "/bank/deposits", None, order=30))
register_nav(NavItem("bank", N_("Banking"), N_("Loans"), "/bank/loans", None, order=40))
register_nav(NavItem("bank", N_("Banking"), N_("Bills"), "/bank/bills", None, order=50))
register_nav(NavItem("bank", N_("Banking"), N_("Cards"), "/bank/cards", None, order=60))
register_nav(NavItem("bank", N_("Banking"), N_("Limits"), "/bank/limits", None, order=70))
register_nav(NavItem("bank", N_("Banking"), N_("Settings"), "/bank/settings", None, order=80))

TERMS = (3, 6, 12, 24, 36, 60)
INSTRUCTION_NAMES = {
    "rollover_principal_and_interest": N_("Roll over principal and interest"),
    "rollover_principal": N_("Roll over the principal, pay the interest out"),
    "pay_to_account": N_("Pay everything into my account"),
    "none": N_("Keep it until I decide"),
}
EMPLOYMENT = {
    "civil_servant": N_("Civil servant"),
    "state_enterprise": N_("State enterprise"),
    "private_enterprise": N_("Private enterprise"),
    "self_employed": N_("Self-employed"),
    "retired": N_("Retired"),
    "unemployed": N_("Unemployed"),
}
METHODS = {"equal_installment": N_("Equal installments"), "equal_principal": N_("Equal principal")}
TX_TYPES = {
    "transfer": N_("transfer"),
    "bill_payment": N_("bill_payment"),
    "time_deposit": N_("time_deposit"),
    "balance_inquiry": N_("balance_inquiry"),
    "withdrawal": N_("withdrawal"),
    "login": N_("login"),
    "loan_application": N_("loan_application"),
}
N_("active")
N_("matured")
N_("closed")
N_("submitted")
N_("scored")
N_("approved")
N_("rejected")
N_("cancelled")
N_("contracted")
N_("written_off")
N_("pending")
N_("due")
N_("paid")
N_("superseded")
N_("issued")
N_("lost")
N_("replaced")
N_("expired")
assert set(INSTRUCTION_NAMES) == set(INSTRUCTIONS)


def _accounts(bank: Bank, actor: Actor) -> list[Any]:
    return bank.run(me.my_accounts, actor, readonly=True)


# ------------------------------------------------------------------------------------------- time deposits


def _deposits_page(
    request: Request,
    actor: Actor,
    *,
    typed: dict[str, str] | None = None,
    error: dict[str, str] | None = None,
    done: Any = None,
    status: int = 200,
) -> Response:
    bank: Bank = request.app.state.bank
    held = bank.run(me_products.my_time_deposits, actor, limit=100, readonly=True).items
    ctx = {
        "deposits": held,
        "accounts": _accounts(bank, actor),
        "terms": TERMS,
        "instructions": INSTRUCTION_NAMES,
        "d": typed or {"term_months": "12", "maturity_instruction": "rollover_principal_and_interest"},
        "key": new_key(),
        "error": error,
        "done": done,
    }
    return render(request, "bank/deposits.html", ctx, status=status, area="bank")


@router.get("/deposits")
def deposits_page(request: Request, actor: BankActor) -> Response:
    """My time deposits, and the form to buy one."""
    return _deposits_page(request, actor)


@router.post("/deposits")
def buy_deposit(
    request: Request,
    actor: BankActor,
    from_account: Annotated[str, Form(max_length=40)] = "",
    term_months: Annotated[str, Form(max_length=4)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    maturity_instruction: Annotated[str, Form(max_length=40)] = "",
    idempotency_key: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Buy a time deposit from my demand account (once per idempotency key)."""
    bank: Bank = request.app.state.bank
    typed = {
        "from_account": from_account,
        "term_months": term_months,
        "amount": amount,
        "maturity_instruction": maturity_instruction,
    }
    try:
        cmd = validated(
            MyTimeDepositOpen,
            from_account=from_account,
            term_months=term_months or 0,
            amount=amount.strip(),
            maturity_instruction=maturity_instruction or "rollover_principal_and_interest",
            linked_account=from_account or None,
        )
        done = bank.run(me_products.buy_time_deposit, actor, cmd, idempotency_key or new_key())
    except CoreBankError as exc:
        return _deposits_page(request, actor, typed=typed, error=form_error(exc), status=exc.status)
    return redirect(
        "/bank/deposits",
        text=i18n.gettext("Time deposit %(number)s opened.") % {"number": done.certificate_number},
    )


@router.post("/deposits/{certificate_number}/withdraw")
def withdraw_deposit(
    request: Request,
    actor: BankActor,
    certificate_number: str,
    to_account: Annotated[str, Form(max_length=40)] = "",
    idempotency_key: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Withdraw the whole time deposit before maturity into my account (demand rate for the days held)."""
    bank: Bank = request.app.state.bank
    try:
        cmd = validated(MyEarlyWithdrawal, all=True, to_account=to_account)
        paid = bank.run(
            me_products.withdraw_early, actor, certificate_number, cmd, idempotency_key or new_key()
        )
    except CoreBankError as exc:
        if exc.status == 404:
            raise
        return _deposits_page(request, actor, error=form_error(exc), status=exc.status)
    return redirect(
        "/bank/deposits",
        text=i18n.gettext("%(total)s paid into %(account)s.")
        % {"total": i18n.money(paid.total, paid.currency), "account": paid.paid_to},
    )


# ------------------------------------------------------------------------------------------- loans


def _loans_page(
    request: Request,
    actor: Actor,
    *,
    typed: dict[str, str] | None = None,
    error: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    bank: Bank = request.app.state.bank
    ctx = {
        "loans": bank.run(me_products.my_loans, actor, limit=100, readonly=True).items,
        "applications": bank.run(me_products.my_loan_applications, actor, limit=20, readonly=True).items,
        "accounts": _accounts(bank, actor),
        "employment": EMPLOYMENT,
        "methods": METHODS,
        "l": typed or {"term_months": "12", "method": "equal_installment", "monthly_debt_payments": "0.00"},
        "error": error,
    }
    return render(request, "bank/loans.html", ctx, status=status, area="bank")


@router.get("/loans")
def loans_page(request: Request, actor: BankActor) -> Response:
    """My loans and applications, and the form to apply."""
    return _loans_page(request, actor)


@router.post("/loans")
def apply_for_loan(
    request: Request,
    actor: BankActor,
    amount: Annotated[str, Form(max_length=40)] = "",
    term_months: Annotated[str, Form(max_length=4)] = "",
    method: Annotated[str, Form(max_length=40)] = "",
    purpose: Annotated[str, Form(max_length=300)] = "",
    monthly_income: Annotated[str, Form(max_length=40)] = "",
    monthly_debt_payments: Annotated[str, Form(max_length=40)] = "",
    employment: Annotated[str, Form(max_length=40)] = "",
    employment_years: Annotated[str, Form(max_length=4)] = "",
    repay_account: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Apply for a personal loan."""
    typed = {
        "amount": amount,
        "term_months": term_months,
        "method": method,
        "purpose": purpose,
        "monthly_income": monthly_income,
        "monthly_debt_payments": monthly_debt_payments,
        "employment": employment,
        "employment_years": employment_years,
        "repay_account": repay_account,
    }
    try:
        cmd = validated(
            MyLoanApplication,
            amount=amount.strip(),
            term_months=term_months or 0,
            method=method or "equal_installment",
            purpose=purpose.strip(),
            monthly_income=monthly_income.strip(),
            monthly_debt_payments=monthly_debt_payments.strip() or "0.00",
            employment=employment,
            employment_years=employment_years or 0,
            repay_account=repay_account or None,
        )
        made = request.app.state.bank.run(me_products.apply_for_loan, actor, cmd)
    except CoreBankError as exc:
        return _loans_page(request, actor, typed=typed, error=form_error(exc), status=exc.status)
    return redirect(
        "/bank/loans", text=i18n.gettext("Application %(id)s received.") % {"id": made.application_id}
    )


@router.get("/loans/{loan_number}")
def loan_page(request: Request, actor: BankActor, loan_number: str) -> Response:
    """One of my loans with its repayment schedule."""
    mine = request.app.state.bank.run(me_products.my_loan, actor, loan_number, readonly=True)
    return render(request, "bank/loan.html", {"loan": mine.loan, "schedule": mine.schedule}, area="bank")


# ------------------------------------------------------------------------------------------- bills


def _bills_page(
    request: Request,
    actor: Actor,
    *,
    typed: dict[str, str] | None = None,
    error: dict[str, str] | None = None,
    challenge: dict[str, Any] | None = None,
    key: str | None = None,
    status: int = 200,
) -> Response:
    bank: Bank = request.app.state.bank
    ctx = {
        "billers": bank.run(me_transfers.my_billers, actor, readonly=True),
        "accounts": _accounts(bank, actor),
        "b": typed or {},
        "error": error,
        "challenge": challenge,
        "key": key or new_key(),
    }
    return render(request, "bank/bills.html", ctx, status=status, area="bank")


@router.get("/bills")
def bills_page(request: Request, actor: BankActor) -> Response:
    """Pay a bill."""
    return _bills_page(request, actor)


@router.post("/bills")
def pay_bill(
    request: Request,
    actor: BankActor,
    from_account: Annotated[str, Form(max_length=40)] = "",
    biller_code: Annotated[str, Form(max_length=40)] = "",
    reference: Annotated[str, Form(max_length=80)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    idempotency_key: Annotated[str, Form(max_length=64)] = "",
    challenge_id: Annotated[str, Form(max_length=20)] = "",
    code: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Pay a bill from my account; over the signing threshold the SMS code is asked for first."""
    bank: Bank = request.app.state.bank
    typed = {
        "from_account": from_account,
        "biller_code": biller_code,
        "reference": reference,
        "amount": amount,
    }
    key = idempotency_key or new_key()
    challenge: dict[str, Any] | None = {"id": int(challenge_id)} if challenge_id.isdigit() else None
    proof = None
    try:
        if challenge is not None:
            proof = validated(SigningProof, challenge_id=challenge["id"], code=code.strip())
        cmd = validated(
            MyBillPayment,
            from_account=from_account,
            biller_code=biller_code.strip(),
            reference=reference.strip(),
            amount=amount.strip(),
            signing=proof,
        )
        try:
            paid = bank.run(me_transfers.pay_my_bill, actor, cmd, key)
        except SigningCodeInvalid:
            if proof is not None:
                bank.run(signing.record_failure, actor, proof.challenge_id)
            raise
    except SigningRequired as exc:
        opened = bank.run(
            signing.open_challenge,
            actor,
            SigningChallengeCreate(
                amount=cmd.amount,
                currency=cmd.currency,
                payee=str(exc.extra["payee"]),
                tx_type="bill_payment",
            ),
        )
        challenge = {"id": opened.challenge_id, "method": opened.method, "phone_masked": opened.phone_masked}
        return _bills_page(request, actor, typed=typed, challenge=challenge, key=key)
    except CoreBankError as exc:
        return _bills_page(
            request,
            actor,
            typed=typed,
            error=form_error(exc),
            challenge=challenge,
            key=key,
            status=exc.status,
        )
    return render(request, "bank/bill_done.html", {"paid": paid}, area="bank")


# ------------------------------------------------------------------------------------------- limits


def _limits_page(
    request: Request, actor: Actor, *, error: dict[str, str] | None = None, status: int = 200
) -> Response:
    rows = request.app.state.bank.run(me.my_limits, actor, None, readonly=True)
    return render(
        request,
        "bank/limits.html",
        {"limits": rows, "error": error, "names": TX_TYPES},
        status=status,
        area="bank",
    )


@router.get("/limits")
def limits_page(request: Request, actor: BankActor) -> Response:
    """My limits on internet banking with what is used and left today."""
    return _limits_page(request, actor)


@router.post("/limits/{tx_type}")
def lower_limit(
    request: Request,
    actor: BankActor,
    tx_type: str,
    single: Annotated[str, Form(max_length=40)] = "",
    daily: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Set my own (lower) single and daily limit for a transaction type."""
    try:
        cmd = validated(LimitChange, single=single.strip() or None, daily=daily.strip() or None)
        request.app.state.bank.run(me.lower_my_limit, actor, tx_type, cmd)
    except CoreBankError as exc:
        return _limits_page(request, actor, error=form_error(exc), status=exc.status)
    return redirect("/bank/limits", text=i18n.gettext("Your limit is changed."))


# ------------------------------------------------------------------------------------------- cards


def _cards_page(
    request: Request, actor: Actor, *, error: dict[str, str] | None = None, status: int = 200
) -> Response:
    mine = request.app.state.bank.run(cards.my_cards, actor, readonly=True)
    return render(request, "bank/cards.html", {"cards": mine, "error": error}, status=status, area="bank")


@router.get("/cards")
def cards_page(request: Request, actor: BankActor) -> Response:
    """My debit cards."""
    return _cards_page(request, actor)


@router.post("/cards/{card_id}/activate")
def activate_card(request: Request, actor: BankActor, card_id: int) -> Response:
    """Activate my new card."""
    card = request.app.state.bank.run(cards.activate_my_card, actor, card_id)
    return redirect("/bank/cards", text=i18n.gettext("Card %(pan)s is active.") % {"pan": card.pan_masked})


@router.post("/cards/{card_id}/lost")
def report_lost(request: Request, actor: BankActor, card_id: int) -> Response:
    """Report my card lost (挂失): it stops working at once."""
    card = request.app.state.bank.run(cards.report_my_card_lost, actor, card_id)
    return redirect(
        "/bank/cards",
        text=i18n.gettext("Card %(pan)s is reported lost and stops working now.") % {"pan": card.pan_masked},
    )


@router.post("/cards/{card_id}/pin")
def change_pin(
    request: Request,
    actor: BankActor,
    card_id: int,
    old_pin: Annotated[str, Form(max_length=64)] = "",
    new_pin: Annotated[str, Form(max_length=64)] = "",
    new_pin2: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Change my card's PIN (a wrong old PIN counts toward the day's lock, committed first)."""
    if new_pin != new_pin2:
        view = {
            "code": "PINS_DIFFER",
            "title": i18n.gettext("The two new PINs are not the same."),
            "detail": "",
        }
        return _cards_page(request, actor, error=view, status=422)
    try:
        outcome = request.app.state.bank.run(
            cards.change_my_pin, actor, card_id, PinChange(old_pin=old_pin, new_pin=new_pin)
        )
        if outcome.error is not None:
            raise outcome.error
    except CoreBankError as exc:
        if exc.status == 404:
            raise
        return _cards_page(request, actor, error=form_error(exc), status=exc.status)
    return redirect("/bank/cards", text=i18n.gettext("Your PIN is changed."))


# ------------------------------------------------------------------------------------------- settings


def _settings_page(
    request: Request, actor: Actor, *, error: dict[str, str] | None = None, status: int = 200
) -> Response:
    current = request.app.state.bank.run(me.notification_settings, actor, readonly=True)
    return render(request, "bank/settings.html", {"n": current, "error": error}, status=status, area="bank")


@router.get("/settings")
def settings_page(request: Request, actor: BankActor) -> Response:
    """My SMS notifications and my password."""
    return _settings_page(request, actor)


@router.post("/settings/notifications")
def save_notifications(
    request: Request,
    actor: BankActor,
    sms_on_debit_over: Annotated[str, Form(max_length=40)] = "",
    sms_on_credit: Annotated[str, Form(max_length=8)] = "",
    sms_on_login: Annotated[str, Form(max_length=8)] = "",
    language: Annotated[str, Form(max_length=8)] = "zh_CN",
) -> Response:
    """Change when the bank sends me an SMS."""
    try:
        cmd = validated(
            NotificationSettings,
            sms_on_debit_over=sms_on_debit_over.strip() or None,
            sms_on_credit=bool(sms_on_credit),
            sms_on_login=bool(sms_on_login),
            language=language,
        )
        request.app.state.bank.run(me.set_notification_settings, actor, cmd)
    except CoreBankError as exc:
        return _settings_page(request, actor, error=form_error(exc), status=exc.status)
    return redirect("/bank/settings", text=i18n.gettext("Your notification settings are saved."))


@router.post("/settings/password")
def change_password(
    request: Request,
    actor: BankActor,
    old_password: Annotated[str, Form(max_length=256)] = "",
    new_password: Annotated[str, Form(max_length=256)] = "",
    new_password2: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Change my password: every session ends, this one too (a wrong current password counts toward the lock)."""
    if new_password != new_password2:
        view = {
            "code": "PASSWORDS_DIFFER",
            "title": i18n.gettext("The two passwords are not the same."),
            "detail": "",
        }
        return _settings_page(request, actor, error=view, status=422)
    try:
        cmd = validated(PasswordChange, old_password=old_password, new_password=new_password)
        _ended, refusal = request.app.state.bank.run(customer_auth.change_password, actor, cmd)
        if refusal is not None:
            raise refusal
    except CoreBankError as exc:
        if exc.code == "LOGIN_LOCKED":
            end_bank_session(request)
        return _settings_page(request, actor, error=form_error(exc), status=exc.status)
    end_bank_session(request)
    return redirect("/bank/login", text=i18n.gettext("Your password is changed. Sign in with the new one."))
