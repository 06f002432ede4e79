"""Deposits: demand interest (daily product, quarterly settlement), time deposits, notice deposits, sweeps."""

from corebank import accounts
from corebank.deposits import demand, sweep
from corebank.deposits.certificate import interest_certificate, write_pdf
from corebank.deposits.demand import interest_on_product, pay_closing_interest
from corebank.deposits.notice import (
    cancel_notice,
    get_notice_deposit,
    open_notice_deposit,
    register_notice,
)
from corebank.deposits.notice_withdrawals import (
    CASH_WITHDRAWAL_KIND as NOTICE_CASH_WITHDRAWAL_KIND,
)
from corebank.deposits.notice_withdrawals import (
    execute_cash_withdrawal as execute_notice_cash_withdrawal,
)
from corebank.deposits.notice_withdrawals import withdraw_notice_deposit
from corebank.deposits.sweep import cancel_agreement, get_agreement, sign_agreement
from corebank.deposits.time_deposits import (
    change_maturity_instruction,
    get_time_deposit,
    list_time_deposits,
    open_time_deposit,
    time_deposit_holders,
)
from corebank.deposits.time_loss import reissue_certificate, release_loss_report, report_loss
from corebank.deposits.time_payouts import (
    CASH_PAYOUT_KIND,
    early_withdrawal,
    execute_cash_payout,
    withdraw_at_maturity,
)


def wire() -> None:
    """Hook the deposits area into the accounts area's life-cycle points (bootstrap calls this once)."""
    accounts.on_closing(sweep.refuse_close_under_agreement)
    accounts.on_closing(demand.pay_closing_interest)
    accounts.on_shortfall(sweep.draw_back)
    accounts.on_reserve(sweep.swept_reserve)


__all__ = [
    "CASH_PAYOUT_KIND",
    "NOTICE_CASH_WITHDRAWAL_KIND",
    "cancel_agreement",
    "cancel_notice",
    "change_maturity_instruction",
    "early_withdrawal",
    "execute_cash_payout",
    "execute_notice_cash_withdrawal",
    "get_agreement",
    "get_notice_deposit",
    "get_time_deposit",
    "interest_certificate",
    "interest_on_product",
    "list_time_deposits",
    "open_notice_deposit",
    "open_time_deposit",
    "pay_closing_interest",
    "register_notice",
    "reissue_certificate",
    "release_loss_report",
    "report_loss",
    "sign_agreement",
    "time_deposit_holders",
    "wire",
    "withdraw_at_maturity",
    "withdraw_notice_deposit",
    "write_pdf",
]
