"""Time deposits (整存整取): open from cash or a demand account, read and list, change the maturity
instruction, and the end-of-day step that matures them (pay to the linked account, roll over, or hold).
Withdrawals are in `time_payouts`, loss reports and the reissue in `time_loss`, the rules in `time_rules`.

Interest is booked when it is paid (Dr interest expense 6411, Cr the receiving account, or Cr the deposit
itself when a rollover adds it to the principal); it is not accrued day by day into interest payable the way
demand interest is. A known limit: between opening and payment the books carry no liability for the interest
earned so far (GET shows it as `accrued_interest`, for information).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select

from corebank import accounts, customers, ledger, products, tellers
from corebank.db import idempotency
from corebank.db.batch import BatchStep
from corebank.db.uow import UnitOfWork
from corebank.deposits import time_rules as rules
from corebank.deposits import time_store as store
from corebank.deposits.time_errors import (
    BelowMinimum,
    CertificateReportedLost,
    DepositMatured,
    InstructionNotAllowed,
    TermNotOffered,
)
from corebank.deposits.time_models import TimeDeposit
from corebank.deposits.time_payouts import (
    Destination,
    InterestPart,
    book_payment,
    check_own_demand_account,
    close_deposit,
)
from corebank.deposits.time_schemas import (
    InstructionChange,
    TimeDepositOpen,
    TimeDepositPage,
    TimeDepositRead,
)
from corebank.kernel.errors import CoreBankError, CurrencyMismatch, InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.money import minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg, chart
from corebank.operations import calendar
from corebank.products import ProductNotAvailable, RateNotFound
from corebank.security import Actor, P

EOD_ACTOR = "eod"


# ---------------------------------------------------------------------------------------------------- opening


def open_time_deposit(
    uow: UnitOfWork, actor: Actor, cmd: TimeDepositOpen, idempotency_key: str | None
) -> TimeDepositRead:
    """Open a time deposit at the actor's branch: Dr the holder's demand account (or the teller's till for
    cash), Cr the new deposit's own account under GL 2012. The term's rate is the one posted today for the
    term and amount; a retry with the same Idempotency-Key returns the first deposit."""
    actor.require(P.DEPOSIT_OPERATE)

    def work() -> dict[str, Any]:
        return _open(uow, actor, cmd).model_dump(mode="json")

    stored = idempotency.once(
        uow, f"time_deposit.open:{actor.username}", idempotency_key, cmd.model_dump(), work
    )
    return TimeDepositRead(**stored)


def _open(uow: UnitOfWork, actor: Actor, cmd: TimeDepositOpen) -> TimeDepositRead:
    if cmd.cash == bool(cmd.from_account):
        raise InvalidRequest("say where the money comes from: from_account, or cash: true (not both)")
    product = products.deposit_product(uow, cmd.product_code)
    if product.kind != "time_deposit" or not product.on_sale:
        raise ProductNotAvailable(f"product {cmd.product_code} does not sell time deposits now")
    products.check_sold_on(product.code, product.channels, actor.channel)
    if cmd.currency != product.currency:
        raise CurrencyMismatch(f"product {product.code} is in {product.currency}, not {cmd.currency}")
    term = rules.term_code(cmd.term_months)
    if term not in product.terms:
        raise TermNotOffered(
            f"product {product.code} offers terms {', '.join(product.terms)}; not {cmd.term_months} months"
        )
    amount = positive_amount(cmd.amount, product.currency)
    if amount.to_minor() < product.min_opening_amount:
        raise BelowMinimum(
            f"a {product.code} deposit is at least "
            f"{minor_to_text(product.min_opening_amount, product.currency)} {product.currency}"
        )
    source: accounts.PostingAccount | None = None
    if cmd.from_account:
        source = accounts.load_for_posting(uow, [cmd.from_account])[cmd.from_account]
        actor.require_branch(source.branch_code)
        accounts.check_can_debit(source)
        if source.currency != product.currency:
            raise CurrencyMismatch(f"account {source.number} holds {source.currency}")
        if source.account_class not in product.account_classes:
            raise ProductNotAvailable(f"a Type {source.account_class} account cannot hold {product.code}")
        holder_number = customers.customer_names(uow, [source.customer_id])[source.customer_id][0]
        if cmd.customer_number and cmd.customer_number != holder_number:
            raise InvalidRequest(f"account {source.number} is not customer {cmd.customer_number}'s")
    elif not cmd.customer_number:
        raise InvalidRequest("a deposit in cash needs the holder's customer_number")
    else:
        holder_number = cmd.customer_number
    holder = customers.customer_ref(uow, holder_number)
    if holder.type not in product.customer_types:
        raise ProductNotAvailable(f"product {product.code} is not for {holder.type} customers")
    linked_id = _instruction_target(
        uow, product, holder.id, cmd.maturity_instruction, cmd.linked_account, source
    )
    today = uow.business_date
    rate = products.rate_on(uow, product.code, term, today, amount.to_minor())
    lid = ledger.open_account(
        uow, gl_code=product.gl_code, branch_code=actor.branch_code, currency=product.currency
    )
    number = store.new_certificate_number(uow, actor.branch_code)
    td = TimeDeposit(
        id=lid,
        certificate_number=number,
        customer_id=holder.id,
        product_code=product.code,
        currency=product.currency,
        branch_code=actor.branch_code,
        gl_code=product.gl_code,
        term_months=cmd.term_months,
        opening_principal=amount.to_minor(),
        principal=amount.to_minor(),
        annual_rate=str(rate),
        opened_on=today,
        term_start=today,
        maturity_date=calendar.adjust_for_holiday(
            uow, rules.maturity_date(today, cmd.term_months), product.maturity_holiday_rule
        ),
        maturity_instruction=cmd.maturity_instruction,
        linked_account_id=linked_id,
        partial_withdrawals=0,
        interest_paid=0,
        rollovers=0,
        status="active",
        matured_on=None,
        closed_on=None,
        opened_by=actor.username,
    )
    uow.session.add(td)
    uow.session.flush()
    store.issue_certificate(uow, lid, number, actor.username)
    if source is not None:
        debit = Leg.debit(source.gl_code, source.branch_code, amount, source.id, f"time deposit {number}")
        voucher = tellers.voucher_number(uow, actor.branch_code)
    else:
        till = tellers.current_till(uow, actor.username, product.currency)
        debit = Leg.debit(chart.TELLER_CASH, till.branch_code, amount, till.ledger_account_id)
        voucher = tellers.voucher_number(uow, till.branch_code)
    entry = ledger.post(
        uow,
        EntryDraft(
            "time_deposit_open",
            (debit, Leg.credit(product.gl_code, actor.branch_code, amount, lid, "opening principal")),
            memo=cmd.memo or f"time deposit {number}, {term}",
            reference=voucher,
        ),
        by=actor.username,
        channel=actor.channel,
    )
    uow.audit(
        actor,
        "time_deposit.open",
        "time_deposit",
        number,
        customer=holder.number,
        product=product.code,
        term=term,
        amount=amount.text(),
        rate=str(rate),
        source=source.number if source else "cash",
        instruction=cmd.maturity_instruction,
        entry=entry.id,
        voucher=voucher,
    )
    uow.publish(
        Event(
            "TimeDepositOpened",
            "time_deposit",
            number,
            {
                "customer": holder.number,
                "amount": amount.to_minor(),
                "currency": product.currency,
                "term": term,
                "entry": entry.id,
            },
        )
    )
    return store.deposit_read(uow, td)


def _instruction_target(
    uow: UnitOfWork,
    product: products.DepositProduct,
    customer_id: int,
    instruction: str,
    linked_number: str | None,
    source: accounts.PostingAccount | None,
) -> int | None:
    """Check a maturity instruction against the product and the linked account; return the linked account's
    id. Paying to an account and rolling the principal alone both need one (the interest goes there); when
    none is named, the demand account the money came from is taken."""
    option = rules.ROLLOVER_OPTION.get(instruction)
    if option is not None and option not in product.rollover_options:
        raise InstructionNotAllowed(f"product {product.code} does not roll over {option.replace('_', ' ')}")
    if not linked_number and source is not None and instruction in rules.NEEDS_LINKED_ACCOUNT:
        linked_number = source.number
    if not linked_number:
        if instruction in rules.NEEDS_LINKED_ACCOUNT:
            raise InstructionNotAllowed(f"{instruction} needs a linked demand account (linked_account)")
        return None
    linked = accounts.load_for_posting(uow, [linked_number])[linked_number]
    check_own_demand_account(linked, customer_id, product.currency)
    return linked.id


# ---------------------------------------------------------------------------------------------------- reading


def get_time_deposit(uow: UnitOfWork, actor: Actor, certificate_number: str) -> TimeDepositRead:
    """A time deposit by certificate number: principal, rate, dates, instruction, status and interest figures."""
    actor.require(P.ACCOUNT_READ)
    return store.deposit_read(uow, store.find(uow, actor, certificate_number))


def list_time_deposits(
    uow: UnitOfWork, actor: Actor, customer_number: str, *, cursor: str | None = None, limit: int = 50
) -> TimeDepositPage:
    """A customer's time deposits in the actor's branch scope, oldest first; follow `next_cursor`."""
    actor.require(P.ACCOUNT_READ)
    holder = customers.customer_ref(uow, customer_number, must_be_active=False)
    q = select(TimeDeposit).where(TimeDeposit.customer_id == holder.id)
    if actor.branches is not None:
        q = q.where(TimeDeposit.branch_code.in_(actor.branches))
    if cursor:
        if not cursor.isdigit():
            raise InvalidRequest("cursor is not one this API gave out")
        q = q.where(TimeDeposit.id > int(cursor))
    limit = max(1, min(limit, 200))
    rows = list(uow.session.execute(q.order_by(TimeDeposit.id).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return TimeDepositPage(
        items=store.deposit_reads(uow, rows), next_cursor=str(rows[-1].id) if more and rows else None
    )


# ---------------------------------------------------------------------------------------------------- instruction


def change_maturity_instruction(
    uow: UnitOfWork, actor: Actor, certificate_number: str, cmd: InstructionChange
) -> TimeDepositRead:
    """Change what happens at maturity (before the maturity date only); the change is audited."""
    actor.require(P.DEPOSIT_OPERATE)
    td = store.find(uow, actor, certificate_number, for_update=True)
    store.ensure_not_closed(td)
    if td.status != "active" or uow.business_date >= td.maturity_date:
        raise DepositMatured(f"time deposit {certificate_number} matured on {td.maturity_date}")
    report = store.active_report(uow, td.id, uow.business_date)
    if report is not None:
        raise CertificateReportedLost(
            f"certificate {certificate_number} is under a {report.kind} loss report"
        )
    product = products.deposit_product(uow, td.product_code)
    linked_number = cmd.linked_account
    keeps_link = linked_number is None and cmd.maturity_instruction not in rules.NEEDS_LINKED_ACCOUNT
    if linked_number is None and td.linked_account_id is not None:
        linked_number = accounts.numbers_of(uow, [td.linked_account_id]).get(td.linked_account_id)
    old = (td.maturity_instruction, td.linked_account_id)
    # An instruction that pays nothing out keeps the link it had, unchecked; one that pays out checks it now.
    linked_id = _instruction_target(
        uow, product, td.customer_id, cmd.maturity_instruction, None if keeps_link else linked_number, None
    )
    td.linked_account_id = td.linked_account_id if keeps_link else linked_id
    td.maturity_instruction = cmd.maturity_instruction
    uow.audit(
        actor,
        "time_deposit.instruction",
        "time_deposit",
        certificate_number,
        old=old[0],
        new=cmd.maturity_instruction,
        linked_account=linked_number,
    )
    return store.deposit_read(uow, td)


# ---------------------------------------------------------------------------------------------------- end of day


def time_deposit_holders() -> Select[int, int]:
    """Every time deposit, closed ones too: id (its ledger account's) and the customer id. Other areas'
    end-of-day jobs (points on holdings) read whose deposit a ledger account is, set-based."""
    return select(TimeDeposit.id, TimeDeposit.customer_id)


def maturity_upper_bound(uow: UnitOfWork, day: date) -> int:
    """The highest id of an active deposit due on or before `day` (0 when none is)."""
    top = uow.session.execute(
        select(func.max(TimeDeposit.id)).where(
            TimeDeposit.status == "active", TimeDeposit.maturity_date <= day
        )
    ).scalar()
    return int(top or 0)


def mature_chunk(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """End of day: mature the active deposits with ids in (lo, hi] due on or before `day`, each by its
    instruction. Only this chunk's rows are read; each is locked and re-checked (status, maturity date), so a
    deposit matured once is never matured again and running the step twice changes nothing."""
    rows = list(
        uow.session.execute(
            select(TimeDeposit)
            .where(
                TimeDeposit.id > lo,
                TimeDeposit.id <= hi,
                TimeDeposit.status == "active",
                TimeDeposit.maturity_date <= day,
            )
            .order_by(TimeDeposit.id)
            .with_for_update()
        ).scalars()
    )
    for td in rows:
        mature(uow, td, day)
    return len(rows)


def _hold(uow: UnitOfWork, td: TimeDeposit, reason: str) -> None:
    td.status = "matured"
    td.matured_on = td.maturity_date
    uow.audit(EOD_ACTOR, "time_deposit.held", "time_deposit", td.certificate_number, reason=reason)


def mature(uow: UnitOfWork, td: TimeDeposit, day: date) -> None:
    """Mature one deposit by its instruction. The maturity date is the day it happens even when that is a
    holiday (end of day runs every calendar day): a rollover starts the new term on it, at its rate. A deposit
    that cannot go as instructed (loss report in force, linked account closed, no rate posted) is held
    (status matured) for the holder to withdraw."""
    while td.status == "active" and td.maturity_date <= day:
        instruction = td.maturity_instruction
        report = store.active_report(uow, td.id, day)
        if report is not None:
            _hold(uow, td, f"{report.kind} loss report in force")
            return
        if instruction == "none":
            _hold(uow, td, "instruction none")
            return
        dest: Destination | None = None
        if instruction in rules.NEEDS_LINKED_ACCOUNT:
            try:
                if td.linked_account_id is None:
                    raise InvalidRequest("no linked account")
                number = accounts.numbers_of(uow, [td.linked_account_id])[td.linked_account_id]
                acc = accounts.load_for_posting(uow, [number])[number]
                check_own_demand_account(acc, td.customer_id, td.currency)
            except CoreBankError as exc:
                _hold(uow, td, f"linked account cannot receive: {exc.detail}")
                return
            dest = Destination(acc.gl_code, acc.branch_code, acc.id, acc.number)
        maturity = td.maturity_date
        rate = Decimal(td.annual_rate)
        interest = rules.term_interest(td.principal, rate, td.term_months)
        term = rules.term_code(td.term_months)
        if instruction != "pay_to_account":
            new_principal = td.principal + (
                interest if instruction == "rollover_principal_and_interest" else 0
            )
            try:
                new_rate = products.rate_on(uow, td.product_code, term, maturity, new_principal)
            except RateNotFound as exc:
                _hold(uow, td, exc.detail)
                return
        kind = "maturity" if instruction == "pay_to_account" else "rollover"
        parts = [InterestPart(kind, td.principal, rate, td.term_start, maturity, term, interest)]
        memo = f"time deposit {td.certificate_number} {kind} on {maturity}"
        if instruction == "pay_to_account":
            entry = book_payment(
                uow,
                td,
                td.principal,
                parts,
                dest,
                by=EOD_ACTOR,
                channel="system",
                kind="time_deposit_maturity",
                memo=memo,
                reference=None,
                value_date=maturity,
            )
            paid = td.principal
            close_deposit(uow, td)
            detail = {"paid_to": dest.label if dest else "", "principal": paid}
        else:
            # Rolling the principal alone pays the interest to the linked account; with interest, the
            # interest goes into the deposit and becomes principal of the new term.
            entry = book_payment(
                uow,
                td,
                0,
                parts,
                dest,
                by=EOD_ACTOR,
                channel="system",
                kind="time_deposit_rollover",
                memo=memo,
                reference=None,
                value_date=maturity,
            )
            td.principal = new_principal
            td.term_start = maturity
            td.maturity_date = calendar.adjust_for_holiday(
                uow,
                rules.maturity_date(maturity, td.term_months),
                products.deposit_product(uow, td.product_code).maturity_holiday_rule,
            )
            td.annual_rate = str(new_rate)
            td.rollovers += 1
            td.partial_withdrawals = 0  # a new term: its own one partial early withdrawal
            detail = {"new_rate": str(new_rate), "new_maturity": td.maturity_date.isoformat()}
        uow.audit(
            EOD_ACTOR,
            f"time_deposit.{kind}",
            "time_deposit",
            td.certificate_number,
            maturity=maturity.isoformat(),
            interest=minor_to_text(interest, td.currency),
            entry=entry.id if entry else None,
            **detail,
        )
        uow.publish(
            Event(
                "TimeDepositMatured",
                "time_deposit",
                td.certificate_number,
                {"instruction": instruction, "interest": interest, "currency": td.currency},
            )
        )


EOD_STEPS: tuple[BatchStep, ...] = (
    BatchStep(
        name="deposits.mature_time_deposits",
        title="Mature time deposits (pay out, roll over or hold)",
        chunk=mature_chunk,
        upper_bound=maturity_upper_bound,
        chunk_size=2_000,
    ),
)
