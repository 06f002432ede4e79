"""Deposit products and loan repayment at the counter: opening a time deposit (整存整取) or a notice deposit
(通知存款) from cash or from the customer's demand account, and repaying a loan (还款) from cash or an account.
The same use cases, permissions and idempotency keys as the REST routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from corebank.deposits import notice, time_deposits, time_loss
from corebank.deposits.notice_schemas import NoticeDepositOpen
from corebank.deposits.time_schemas import HolderIdentity, LossReportCreate, TimeDepositOpen
from corebank.kernel.errors import CoreBankError
from corebank.loans import servicing
from corebank.loans.schemas import RepaymentRequest
from corebank.security import Actor, P
from corebank.web.deps import get_bank
from corebank.web.pages.counter import COUNTER
from corebank.web.pages.errors import error_view, form_error, form_status
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, NavItem, new_key, redirect, register_nav, render
from corebank.web.pages.session import console_page
from corebank.web.pages.voucher import opening_entry

router = APIRouter(prefix="/console", include_in_schema=False)
Depositor = Annotated[Actor, Depends(console_page(P.DEPOSIT_OPERATE))]
LoanOperator = Annotated[Actor, Depends(console_page(P.LOAN_OPERATE))]

register_nav(NavItem("console", COUNTER, N_("Time deposit"), "/console/deposits/time", P.DEPOSIT_OPERATE, 16))
register_nav(
    NavItem("console", COUNTER, N_("Notice deposit"), "/console/deposits/notice", P.DEPOSIT_OPERATE, 17)
)

TERMS = ("3", "6", "12", "24", "36", "60")
INSTRUCTIONS = {
    "rollover_principal_and_interest": N_("Roll over principal and interest"),
    "rollover_principal": N_("Roll over the principal, pay the interest out"),
    "pay_to_account": N_("Pay everything to the linked account"),
    "none": N_("Hold at maturity"),
}
SOURCES = {"cash": N_("Cash"), "account": N_("From the customer's account")}


def _page(
    request: Request, kind: str, *, status: int = 200, form: dict[str, str] | None = None, error: Any = None
) -> Response:
    data = {
        "customer_number": "",
        "source": "cash",
        "from_account": "",
        "amount": "",
        "term_months": "12",
        "notice_days": "7",
        "maturity_instruction": "rollover_principal_and_interest",
        "linked_account": "",
        "idempotency_key": new_key(),
    }
    data.update(form or {})
    return render(
        request,
        "console/counter/deposit_open.html",
        {
            "kind": kind,
            "title": N_("Open a time deposit") if kind == "time" else N_("Open a notice deposit"),
            "form": data,
            "error": error,
            "terms": TERMS,
            "instructions": INSTRUCTIONS,
            "sources": SOURCES,
            "currency": get_bank(request).settings.base_currency,
        },
        status=status,
    )


@router.get("/deposits/{kind}")
def deposit_form(request: Request, kind: str, actor: Depositor, customer: str = "") -> Response:
    """The form to open a time deposit (kind=time) or a notice deposit (kind=notice)."""
    if kind not in ("time", "notice"):
        return render(
            request, "error.html", {"error": error_view("NOT_FOUND", "Not found"), "status": 404}, status=404
        )
    return _page(request, kind, form={"customer_number": customer})


@router.post("/deposits/{kind}")
def deposit_open(
    request: Request,
    kind: str,
    actor: Depositor,
    customer_number: Annotated[str, Form(max_length=16)] = "",
    source: Annotated[str, Form(max_length=8)] = "cash",
    from_account: Annotated[str, Form(max_length=24)] = "",
    amount: Annotated[str, Form(max_length=32)] = "",
    term_months: Annotated[str, Form(max_length=3)] = "12",
    notice_days: Annotated[str, Form(max_length=1)] = "7",
    maturity_instruction: Annotated[str, Form(max_length=40)] = "rollover_principal_and_interest",
    linked_account: Annotated[str, Form(max_length=24)] = "",
    idempotency_key: Annotated[str, Form(min_length=8, max_length=64)] = "",
) -> Response:
    """Open the deposit; cash goes into the teller's till, or the money comes from the demand account."""
    bank = get_bank(request)
    form = {
        "customer_number": customer_number,
        "source": source,
        "from_account": from_account,
        "amount": amount,
        "term_months": term_months,
        "notice_days": notice_days,
        "maturity_instruction": maturity_instruction,
        "linked_account": linked_account,
        "idempotency_key": idempotency_key or new_key(),
    }
    cash = source == "cash"
    try:
        if kind == "time":
            cmd: Any = TimeDepositOpen(
                customer_number=customer_number.strip() or None,
                from_account=None if cash else from_account.strip() or None,
                cash=cash,
                term_months=int(term_months) if term_months.isdigit() else 0,
                amount=amount.strip(),
                currency=bank.settings.base_currency,
                maturity_instruction=maturity_instruction,
                linked_account=linked_account.strip() or None,
            )
            opened: Any = bank.run(time_deposits.open_time_deposit, actor, cmd, form["idempotency_key"])
            number, holder = opened.certificate_number, opened.customer_number
        elif kind == "notice":
            cmd = NoticeDepositOpen(
                notice_days=7 if notice_days == "7" else 1,
                amount=amount.strip(),
                currency=bank.settings.base_currency,
                from_account=None if cash else from_account.strip() or None,
                customer_number=customer_number.strip() or None,
            )
            opened = bank.run(notice.open_notice_deposit, actor, cmd, form["idempotency_key"])
            number, holder = opened.number, opened.customer_number
        else:
            return render(
                request,
                "error.html",
                {"error": error_view("NOT_FOUND", "Not found"), "status": 404},
                status=404,
            )
    except (CoreBankError, ValidationError) as exc:
        return _page(request, kind, status=form_status(exc), form=form, error=form_error(exc))
    done = _("Deposit %(number)s opened.") % {"number": number}
    entry_id = bank.run(opening_entry, kind, number, readonly=True)
    if entry_id is None:
        return redirect(f"/console/customers/{holder}", text=done)
    return redirect(f"/console/vouchers/{entry_id}", text=done)


def _repay_page(
    request: Request,
    actor: Actor,
    loan_number: str,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    error: Any = None,
) -> Response:
    loan = get_bank(request).run(servicing.get_loan, actor, loan_number, readonly=True)
    data = {"amount": loan.next_payment, "source": "account", "from_account": loan.repay_account}
    data.update(form or {})
    data.setdefault("idempotency_key", new_key())
    return render(
        request,
        "console/counter/loan_repay.html",
        {"loan": loan, "form": data, "error": error, "sources": SOURCES},
        status=status,
    )


@router.get("/loans/{loan_number}/repay")
def repay_form(request: Request, loan_number: str, actor: LoanOperator) -> Response:
    """A loan's repayment at the counter: what is due, and from where it is paid."""
    return _repay_page(request, actor, loan_number)


@router.post("/loans/{loan_number}/repay")
def repay(
    request: Request,
    loan_number: str,
    actor: LoanOperator,
    amount: Annotated[str, Form(max_length=32)] = "",
    source: Annotated[str, Form(max_length=8)] = "account",
    from_account: Annotated[str, Form(max_length=24)] = "",
    idempotency_key: Annotated[str, Form(min_length=8, max_length=64)] = "",
) -> Response:
    """Repay what is due; the receipt is the entry's voucher."""
    form = {
        "amount": amount,
        "source": source,
        "from_account": from_account,
        "idempotency_key": idempotency_key or new_key(),
    }
    try:
        cash = source == "cash"
        cmd = RepaymentRequest(
            amount=amount.strip(), cash=cash, from_account=None if cash else from_account.strip() or None
        )
        done = get_bank(request).run(servicing.repay, actor, loan_number, cmd, form["idempotency_key"])
    except (CoreBankError, ValidationError) as exc:
        return _repay_page(
            request, actor, loan_number, status=form_status(exc), form=form, error=form_error(exc)
        )
    if done.entry_id is None:
        return redirect(f"/console/loans/{loan_number}/repay", text=_("Repaid."))
    return redirect(f"/console/vouchers/{done.entry_id}", text=_("Repaid."))


LOSS_KINDS = {"oral": N_("Oral loss report"), "written": N_("Written loss report")}


@router.post("/customers/{number}/time-deposits/{certificate}/loss")
def report_loss(
    request: Request,
    number: str,
    certificate: str,
    actor: Depositor,
    kind: Annotated[str, Form(max_length=8)] = "oral",
    id_number: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Report a time deposit certificate lost (挂失): oral, or written with the holder's ID."""
    try:
        cmd = LossReportCreate(
            kind=kind,
            id_number=id_number.strip() or None,
            reason=reason.strip(),
        )
        get_bank(request).run(time_loss.report_loss, actor, certificate, cmd)
    except (CoreBankError, ValidationError) as exc:
        view = form_error(exc)
        return redirect(f"/console/customers/{number}", text=view["title"], kind="error", code=view["code"])
    return redirect(
        f"/console/customers/{number}",
        text=_("Certificate %(number)s reported lost.") % {"number": certificate},
    )


@router.post("/customers/{number}/time-deposits/{certificate}/release")
def release_loss(
    request: Request,
    number: str,
    certificate: str,
    actor: Depositor,
    id_number: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Release the loss report in force (解挂); the holder shows their ID."""
    try:
        cmd = HolderIdentity(id_number=id_number.strip())
        get_bank(request).run(time_loss.release_loss_report, actor, certificate, cmd)
    except (CoreBankError, ValidationError) as exc:
        view = form_error(exc)
        return redirect(f"/console/customers/{number}", text=view["title"], kind="error", code=view["code"])
    return redirect(
        f"/console/customers/{number}",
        text=_("The loss report on %(number)s is released.") % {"number": certificate},
    )
