"""The demo's payment set-up, made through the real use cases on its last day: the standard billers (a power
company and a mobile top-up), each a corporate customer of head office with a settlement account, a few bill
payments, and a standing order and a direct debit mandate that the next end of day will work."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from corebank import accounts, customers
from corebank.accounts.models import DepositAccount
from corebank.accounts.schemas import AccountOpen
from corebank.customers.models import Customer
from corebank.customers.rules import make_uscc
from corebank.customers.schemas import CustomerCreate
from corebank.db.uow import UnitOfWork
from corebank.demo.common import HEAD
from corebank.demo.common import DemoBank as Bank
from corebank.demo.people import org_code
from corebank.kernel.ids import with_luhn
from corebank.ledger.models import LedgerAccount
from corebank.payments import billers, mandates, standing_orders
from corebank.payments.mandate_schemas import BillPaymentCreate, MandateCreate, StandingOrderCreate
from corebank.security import SYSTEM, Actor


def _payers(uow: UnitOfWork, limit: int) -> list[tuple[str, str]]:
    """(customer number, demand account) of head-office individuals with money to pay bills from."""
    rows = uow.session.execute(
        select(Customer.number, DepositAccount.number)
        .join(DepositAccount, DepositAccount.customer_id == Customer.id)
        .join(LedgerAccount, LedgerAccount.id == DepositAccount.id)
        .where(
            Customer.type == "individual",
            DepositAccount.account_class == 1,
            DepositAccount.product_code == "DEMAND_CNY",
            DepositAccount.status == "active",
            DepositAccount.branch_code == HEAD,
            LedgerAccount.balance >= 200_000,
        )
        .order_by(Customer.id)
        .limit(limit)
    ).all()
    return [(r[0], r[1]) for r in rows]


def add_payments(bank: Bank, staff: dict[str, Actor], rng: random.Random) -> dict[str, int]:
    """Register the standard billers and give a few head-office customers bill payments, a standing order and
    a direct debit mandate. Returns counts for the summary line."""
    teller = staff["teller01"]
    found: list[tuple[str, str]] = bank.run(_payers, 6, readonly=True)
    payers = [acc for _c, acc in found]
    settlement: dict[str, str] = {}
    for std in billers.STANDARD_BILLERS:
        company = bank.run(
            customers.open_customer,
            teller,
            CustomerCreate(
                type="corporate",
                name=std.name,
                id_type="uscc",
                id_number=make_uscc("91330102" + org_code(rng)),
                phone="0571-88000000",
                address="杭州市上城区",
                legal_representative="刘建华",
            ),
        )
        account = bank.run(
            accounts.open_account,
            teller,
            AccountOpen(customer_number=company.number, product_code="CORP_DEMAND_CNY"),
        )
        bank.run(billers.register_biller, SYSTEM, std.command(account.number))
        settlement[std.code] = account.number
    today = bank.run(lambda uow: uow.business_date, readonly=True)
    paid = 0
    for n, payer in enumerate(payers):
        power = with_luhn(f"{rng.randrange(10**8, 10**9)}")
        phone = f"13{rng.randrange(10**9):09d}"
        for biller, reference, amount in (("CITY_POWER", power, "86.40"), ("MOBILE_TOPUP", phone, "50.00")):
            bank.run(
                billers.pay_bill,
                teller,
                BillPaymentCreate(from_account=payer, biller_code=biller, reference=reference, amount=amount),
                f"demo-bill-{n}-{biller}",
            )
            paid += 1
    if len(payers) >= 2:
        bank.run(
            standing_orders.create_standing_order,
            teller,
            StandingOrderCreate(
                from_account=payers[0],
                to_account=payers[1],
                amount="500.00",
                frequency="monthly",
                day=(today + timedelta(days=1)).day,
                start_date=today + timedelta(days=1),
                memo="monthly allowance",
            ),
        )
        bank.run(
            mandates.create_mandate,
            teller,
            MandateCreate(
                customer_number=found[1][0],
                debtor_account=payers[1],
                biller_code="CITY_POWER",
                creditor_reference=with_luhn("100200300"),
                limit_per_debit="300.00",
                limit_per_month="600.00",
                expiry_date=today + timedelta(days=365),
            ),
        )
    return {"billers": len(settlement), "bill_payments": paid}
