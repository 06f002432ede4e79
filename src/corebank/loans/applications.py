"""Loan applications: create, score, approve (which makes the contract) or reject; read and list.

The approver is routed by the product's authority table (role → largest amount and worst rating it may
approve); the officer who prepared or scored an application never decides it (maker-checker); every step is
audited and published.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from corebank import accounts, customers, ledger, products
from corebank.db.sequences import next_number
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CurrencyMismatch, InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.ids import with_luhn
from corebank.kernel.money import Money, minor_to_text
from corebank.ledger import chart
from corebank.loans import collateral, engine, rules, scorecards
from corebank.loans.errors import (
    AmountOutOfRange,
    ApplicationClosed,
    ApplicationNotScored,
    InvalidRate,
    MethodNotOffered,
    NoApprovalAuthority,
    ProductNotForLoans,
    RatingBelowFloor,
    TermOutOfRange,
    WrongBorrowerAccount,
)
from corebank.loans.models import Loan, LoanApplication
from corebank.loans.schemas import (
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    ApprovalTerms,
    Rejection,
)
from corebank.loans.scoring import score
from corebank.loans.store import application_read, find_application
from corebank.operations.errors import SelfApproval
from corebank.products import LoanProduct, rating_at_least
from corebank.security import Actor, P

LOAN_SEQUENCE = "loan_number"
DEMAND_GL = {chart.DEMAND_DEPOSITS, chart.CORPORATE_DEPOSITS}
EMPLOYMENTS = (
    "civil_servant",
    "state_enterprise",
    "private_enterprise",
    "retired",
    "self_employed",
    "unemployed",
)


def _money(field: str, text: str, currency: str, *, positive: bool) -> int:
    minor = Money.of(text, currency).to_minor()
    if minor < 0 or (positive and minor == 0):
        raise InvalidRequest(f"{field}: must be {'above' if positive else 'at least'} zero, got {text!r}")
    return minor


def _loan_product(uow: UnitOfWork, code: str) -> LoanProduct:
    try:
        product = products.loan_product(uow, code)
    except products.ProductNotFound:
        raise ProductNotForLoans(f"{code!r} is not a loan product") from None
    return product


def check_terms(product: LoanProduct, amount: int, term_months: int, method: str) -> None:
    """Amount, term and method within what the product offers, each refused with its own code."""
    rules.check_term(term_months)
    rules.check_method(method)
    if not product.min_amount <= amount <= product.max_amount:
        cur = product.currency
        raise AmountOutOfRange(
            f"{product.code} lends from {minor_to_text(product.min_amount, cur)} to "
            f"{minor_to_text(product.max_amount, cur)} {cur}; asked {minor_to_text(amount, cur)}"
        )
    if not product.min_term_months <= term_months <= product.max_term_months:
        raise TermOutOfRange(
            f"{product.code} lends for {product.min_term_months} to {product.max_term_months} months; "
            f"asked {term_months}"
        )
    if method not in product.methods:
        raise MethodNotOffered(f"{product.code} offers {', '.join(product.methods)}, not {method}")


def borrower_account(
    uow: UnitOfWork, number: str, customer_id: int, currency: str
) -> accounts.PostingAccount:
    """The borrower's own open demand account in the loan's currency, not frozen."""
    acc = accounts.load_for_posting(uow, [number])[number]
    if acc.customer_id != customer_id:
        raise WrongBorrowerAccount(f"account {number} does not belong to the borrower")
    if acc.gl_code not in DEMAND_GL:
        raise WrongBorrowerAccount(f"account {number} is not a demand account")
    if acc.currency != currency:
        raise CurrencyMismatch(f"account {number} holds {acc.currency}, not {currency}")
    if acc.status == "frozen":
        raise accounts.AccountFrozen(f"account {number} is frozen")
    accounts.check_can_credit(acc)
    return acc


# ---------------------------------------------------------------------------------------------------- create


def create_application(uow: UnitOfWork, actor: Actor, cmd: ApplicationCreate) -> ApplicationRead:
    """Take a loan application at the actor's branch. The product must be a loan product on sale to this kind
    of customer; amount, term and method within its ranges; the repayment account (if named) the borrower's."""
    actor.require(P.LOAN_APPLY)
    product = _loan_product(uow, cmd.product_code)
    if not product.on_sale:
        raise ProductNotForLoans(f"loan product {product.code} is not on sale")
    products.check_sold_on(product.code, product.channels, actor.channel)
    cust = customers.customer_ref(uow, cmd.customer_number)
    if cust.type not in product.customer_types:
        raise ProductNotForLoans(f"{product.code} does not lend to {cust.type} customers")
    amount = _money("amount", cmd.amount, product.currency, positive=True)
    check_terms(product, amount, cmd.term_months, cmd.method)
    if cmd.employment not in EMPLOYMENTS:
        raise InvalidRequest(f"employment: {cmd.employment!r} is not one of {', '.join(EMPLOYMENTS)}")
    income = _money("monthly_income", cmd.monthly_income, product.currency, positive=False)
    debts = _money("monthly_debt_payments", cmd.monthly_debt_payments, product.currency, positive=False)
    if cmd.repay_account:
        borrower_account(uow, cmd.repay_account, cust.id, product.currency)
    app = LoanApplication(
        customer_id=cust.id,
        product_code=product.code,
        branch_code=actor.branch_code,
        currency=product.currency,
        amount=amount,
        term_months=cmd.term_months,
        method=cmd.method,
        purpose=cmd.purpose.strip(),
        monthly_income=income,
        monthly_debt_payments=debts,
        employment=cmd.employment,
        employment_years=cmd.employment_years,
        documents=list(cmd.documents),
        repay_account_number=cmd.repay_account,
        status="submitted",
        decision_reason="",
        channel=actor.channel,
        created_by=actor.username,
        created_at=uow.now,
        submitted_on=uow.business_date,
    )
    uow.session.add(app)
    uow.session.flush()
    uow.audit(
        actor,
        "loan_application.create",
        "loan_application",
        app.id,
        customer=cust.number,
        product=product.code,
        amount=cmd.amount,
        term_months=cmd.term_months,
    )
    uow.publish(Event("LoanApplied", "loan_application", str(app.id), {"product": product.code}))
    return application_read(uow, app)


def _open(app: LoanApplication) -> None:
    if app.status not in ("submitted", "scored"):
        raise ApplicationClosed(f"application {app.id} is {app.status}")


# ---------------------------------------------------------------------------------------------------- score


def applicant_inputs(uow: UnitOfWork, app: LoanApplication, product: LoanProduct) -> dict[str, Any]:
    """The scorecard's inputs from the application and the bank's own data: income (yuan), debt-to-income with
    this loan's first installment, employment, years with the bank, collateral cover (percent of the amount)."""
    rate = Decimal(products.loan_rate_on(uow, product, uow.business_date))
    first = rules.schedule(app.amount, rate, app.term_months, app.method)[0]  # type: ignore[arg-type]
    monthly = first.payment if app.method != "bullet" else rules.month_interest(app.amount, rate)
    if app.monthly_income > 0:
        dti = (Decimal(app.monthly_debt_payments + monthly) * 100 / app.monthly_income).quantize(
            Decimal("0.01")
        )
    else:
        dti = Decimal(999)
    since = accounts.first_opened_on(uow, app.customer_id)
    years = Decimal((uow.business_date - since).days // 365) if since else Decimal(0)
    cover = collateral.cover_for_application(uow, app.id, product.ltv_caps)
    cover_pct = (Decimal(cover.collateral_value) * 100 / Decimal(app.amount)).quantize(Decimal("0.01"))
    return {
        "monthly_income": Money.from_minor(app.monthly_income, app.currency).amount,
        "debt_to_income": dti,
        "employment": app.employment,
        "years_with_bank": years,
        "collateral_cover": cover_pct,
    }


def score_application(uow: UnitOfWork, actor: Actor, application_id: int) -> ApplicationRead:
    """Score the application with its product's scorecard: a score, a rating with its probability of default,
    and each factor's points (the explanation). Scoring again replaces the previous result."""
    actor.require(P.LOAN_ASSESS)
    app = find_application(uow, actor, application_id)
    _open(app)
    product = _loan_product(uow, app.product_code)
    card = scorecards.active_card(uow, product.scorecard)
    inputs = applicant_inputs(uow, app, product)
    result = score(card, inputs)
    app.score = result.total
    app.rating = result.rating
    app.pd = str(result.pd)
    app.scorecard_code = card.code
    app.scorecard_version = card.version
    app.score_detail = {
        "factors": [
            {"name": f.factor, "value": str(f.value), "band": f.band, "points": f.points}
            for f in result.explanation
        ],
        "base_points": result.base_points,
        "inputs": {k: str(v) for k, v in inputs.items()},
    }
    app.scored_by = actor.username
    app.status = "scored"
    uow.session.flush()
    uow.audit(
        actor,
        "loan_application.score",
        "loan_application",
        app.id,
        score=result.total,
        rating=result.rating,
        scorecard=f"{card.code} v{card.version}",
    )
    return application_read(uow, app)


# ---------------------------------------------------------------------------------------------------- decide


@dataclass(frozen=True, slots=True)
class Granted:
    amount: int
    term_months: int
    method: str
    annual_rate: str
    repay_account: str


def _granted(uow: UnitOfWork, app: LoanApplication, product: LoanProduct, cmd: ApprovalTerms) -> Granted:
    amount = _money("amount", cmd.amount, app.currency, positive=True) if cmd.amount else app.amount
    term = cmd.term_months if cmd.term_months is not None else app.term_months
    method = cmd.method or app.method
    check_terms(product, amount, term, method)
    if cmd.annual_rate is not None:
        rate = rate_text(cmd.annual_rate)
    else:
        rate = products.loan_rate_on(uow, product, uow.business_date)
    account = cmd.repay_account or app.repay_account_number
    if not account:
        raise InvalidRequest("repay_account: name the borrower's account for disbursement and repayment")
    return Granted(amount, term, method, rate, account)


def rate_text(text: str) -> str:
    """A contract rate from the approver: percent above 0 and below 100, at most 4 decimals, kept as sent
    (at least two decimals)."""
    value = Decimal(text)
    rules.check_rate(value)
    if value <= 0:
        raise InvalidRate(f"annual_rate: a loan's rate must be above zero, got {text!r}")
    return str(value.quantize(Decimal("0.01"))) if -int(value.as_tuple().exponent) < 2 else str(value)


def check_authority(actor: Actor, product: LoanProduct, amount: int, rating: str) -> None:
    """Refuse unless one of the actor's roles has authority for `amount` at `rating` on this product."""
    mine = [a for a in product.authority if a.role in actor.roles]
    if any(a.max_amount >= amount and rating_at_least(rating, a.min_rating) for a in mine):
        return
    cur = product.currency
    held = "; ".join(
        f"{a.role} up to {minor_to_text(a.max_amount, cur)} at {a.min_rating} or better" for a in mine
    )
    raise NoApprovalAuthority(
        f"{actor.username} cannot approve {minor_to_text(amount, cur)} {cur} rated {rating} on "
        f"{product.code}: " + (held or "no approval authority on this product")
    )


def approve_application(
    uow: UnitOfWork, actor: Actor, application_id: int, cmd: ApprovalTerms
) -> ApplicationRead:
    """Approve a scored application as asked or with changed terms, and make the loan contract (status
    contracted, nothing disbursed): checks maker-checker, the product floor on rating, the approver's
    authority, and the collateral's loan-to-value cap when the product requires collateral."""
    actor.require(P.LOAN_APPROVE)
    app = find_application(uow, actor, application_id)
    _open(app)
    if app.status != "scored" or app.rating is None:
        raise ApplicationNotScored(f"application {app.id} has not been scored")
    if actor.username in (app.created_by, app.scored_by):
        raise SelfApproval(f"{actor.username} prepared application {app.id} and cannot approve it")
    product = _loan_product(uow, app.product_code)
    if not rating_at_least(app.rating, product.min_rating):
        raise RatingBelowFloor(
            f"rating {app.rating} is below {product.code}'s floor {product.min_rating}: reject the application"
        )
    g = _granted(uow, app, product, cmd)
    check_authority(actor, product, g.amount, app.rating)
    if product.collateral_required:
        cover = collateral.cover_for_application(uow, app.id, product.ltv_caps)
        collateral.check_ltv(g.amount, cover)
    acc = borrower_account(uow, g.repay_account, app.customer_id, app.currency)
    loan = _contract(uow, actor, app, product, g, acc)
    app.status = "approved"
    app.approved_amount = g.amount
    app.approved_term_months = g.term_months
    app.approved_method = g.method
    app.approved_rate = g.annual_rate
    app.repay_account_number = g.repay_account
    app.decided_by = actor.username
    app.decided_at = uow.now
    app.decision_reason = cmd.reason
    app.loan_id = loan.id
    uow.session.flush()
    collateral.attach_to_loan(uow, app.id, loan.id)
    changed = {
        k: v
        for k, v in (
            ("amount", g.amount != app.amount),
            ("term_months", g.term_months != app.term_months),
            ("method", g.method != app.method),
        )
        if v
    }
    uow.audit(
        actor,
        "loan_application.approve",
        "loan_application",
        app.id,
        loan_number=loan.loan_number,
        amount=minor_to_text(g.amount, app.currency),
        term_months=g.term_months,
        method=g.method,
        annual_rate=g.annual_rate,
        changed_terms=sorted(changed),
        reason=cmd.reason,
    )
    uow.publish(Event("LoanApproved", "loan", loan.loan_number, {"application_id": app.id}))
    return application_read(uow, app)


def _contract(
    uow: UnitOfWork,
    actor: Actor,
    app: LoanApplication,
    product: LoanProduct,
    g: Granted,
    acc: accounts.PostingAccount,
) -> Loan:
    account_id = ledger.open_account(
        uow, gl_code=product.gl_code, branch_code=app.branch_code, currency=app.currency
    )
    number = with_luhn(f"{app.branch_code}13{next_number(uow, LOAN_SEQUENCE, start=100001):09d}")
    loan = Loan(
        id=account_id,
        loan_number=number,
        application_id=app.id,
        customer_id=app.customer_id,
        product_code=product.code,
        branch_code=app.branch_code,
        currency=app.currency,
        method=g.method,
        term_months=g.term_months,
        contract_amount=g.amount,
        disbursed_amount=0,
        annual_rate=g.annual_rate,
        rate_type=product.rate_type,
        base_rate_code=product.base_rate,
        spread=product.spread,
        next_reprice_date=None,
        penalty_markup=product.penalty_markup,
        penalty_rate_e8=engine.penalty_rate_e8(g.annual_rate, product.penalty_markup),
        compound=product.compound,
        grace_days=product.grace_days,
        prepayment_fee_rate=product.prepayment_fee,
        repay_account_id=acc.id,
        repay_account_number=acc.number,
        status="contracted",
        contracted_on=uow.business_date,
        schedule_version=0,
        classification="normal",
        classification_floor="normal",
        classification_reason="",
        approved_by=actor.username,
        officer=app.created_by,
    )
    uow.session.add(loan)
    uow.session.flush()
    return loan


def reject_application(uow: UnitOfWork, actor: Actor, application_id: int, cmd: Rejection) -> ApplicationRead:
    """Reject an application with the reason the customer will be told."""
    actor.require(P.LOAN_APPROVE)
    app = find_application(uow, actor, application_id)
    _open(app)
    if actor.username in (app.created_by, app.scored_by):
        raise SelfApproval(f"{actor.username} prepared application {app.id} and cannot decide it")
    app.status = "rejected"
    app.decided_by = actor.username
    app.decided_at = uow.now
    app.decision_reason = cmd.reason.strip()
    uow.session.flush()
    uow.audit(actor, "loan_application.reject", "loan_application", app.id, reason=app.decision_reason)
    uow.publish(Event("LoanRejected", "loan_application", str(app.id), {}))
    return application_read(uow, app)


def cancel_application(uow: UnitOfWork, actor: Actor, application_id: int) -> ApplicationRead:
    """Withdraw an undecided application (the customer changed their mind)."""
    actor.require(P.LOAN_APPLY)
    app = find_application(uow, actor, application_id)
    _open(app)
    app.status = "cancelled"
    uow.session.flush()
    uow.audit(actor, "loan_application.cancel", "loan_application", app.id)
    return application_read(uow, app)


# ---------------------------------------------------------------------------------------------------- read


def get_application(uow: UnitOfWork, actor: Actor, application_id: int) -> ApplicationRead:
    actor.require(P.LOAN_READ)
    return application_read(uow, find_application(uow, actor, application_id))


def list_applications(
    uow: UnitOfWork,
    actor: Actor,
    *,
    status: str | None = None,
    customer_number: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> ApplicationPage:
    """Applications in the actor's branches, newest first, filtered by status or customer; follow next_cursor
    (an approver's queue is status=scored)."""
    actor.require(P.LOAN_READ)
    q = select(LoanApplication)
    if status:
        q = q.where(LoanApplication.status == status)
    if customer_number:
        q = q.where(
            LoanApplication.customer_id
            == customers.customer_ref(uow, customer_number, must_be_active=False).id
        )
    if actor.branches is not None:
        q = q.where(LoanApplication.branch_code.in_(actor.branches))
    if cursor:
        if not cursor.isdigit():
            raise InvalidRequest("cursor is not one this API gave out")
        q = q.where(LoanApplication.id < int(cursor))
    limit = max(1, min(limit, 200))
    rows = list(uow.session.execute(q.order_by(LoanApplication.id.desc()).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return ApplicationPage(
        items=[application_read(uow, a) for a in rows],
        next_cursor=str(rows[-1].id) if more and rows else None,
    )
