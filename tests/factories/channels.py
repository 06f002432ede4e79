"""A customer session for tests of customer routes: an e-banking login written straight to its table and a
token issued for it. Tests of enrollment and login themselves go through the real routes instead."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select

from corebank.bootstrap import Bank
from corebank.channels import tokens
from corebank.channels.identity_models import EbankLogin
from corebank.customers.models import Customer
from corebank.db.uow import UnitOfWork
from corebank.security import cipher_for
from corebank.security.passwords import hash_password

_HASH = hash_password("not-used-by-these-tests-1")


@dataclass(frozen=True)
class CustomerSession:
    customer_id: int
    login_id: int
    login_name: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def customer_session(
    bank: Bank, customer: str, *, channel: str = "internet", strength: str = "sms", phone: str = "13900000000"
) -> CustomerSession:
    """Enroll the customer numbered `customer` in e-banking (if not yet) and give it a fresh access token on
    `channel`."""

    def work(uow: UnitOfWork) -> tuple[int, int, str, int, str]:
        customer_id, branch = uow.session.execute(
            select(Customer.id, Customer.home_branch).where(Customer.number == customer)
        ).one()
        row = uow.session.execute(select(EbankLogin).where(EbankLogin.customer_id == customer_id)).scalar()
        if row is None:
            c = cipher_for(uow.settings)
            login_id = uow.session.execute(
                insert(EbankLogin)
                .values(
                    customer_id=customer_id,
                    login_name=f"c{customer_id}",
                    password_hash=_HASH,
                    phone_cipher=c.encrypt(phone),
                    phone_hash=c.index(phone),
                    phone_masked=phone[:3] + "****" + phone[-4:],
                    second_factor="sms",
                    status="active",
                    failed_logins=0,
                    token_version=0,
                    enrolled_via="counter",
                    enrolled_by="tests",
                    created_at=uow.now,
                    updated_at=uow.now,
                )
                .returning(EbankLogin.id)
            ).scalar_one()
            return customer_id, login_id, f"c{customer_id}", 0, branch
        return customer_id, row.id, row.login_name, row.token_version, branch

    customer_id, login_id, name, tv, branch = bank.run(work)
    claims = tokens.CustomerClaims(login_id, customer_id, name, tv, channel, strength, branch, "")
    token = tokens.issue(bank.settings.jwt_secret, claims, now=bank.uow.clock.now(), minutes=60)
    return CustomerSession(customer_id, login_id, name, token)
