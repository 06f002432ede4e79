"""The standard chart of accounts a new bank starts with (codes follow the Chinese banking layout).

It is data: `corebank init` loads it into `gl_accounts`, and a bank may add accounts later.
"""

from __future__ import annotations

from typing import NamedTuple


class ChartLine(NamedTuple):
    code: str
    name: str
    name_zh: str
    gl_class: str
    has_subledger: bool = False


VAULT_CASH = "1001"
TELLER_CASH = "1002"
DUE_FROM_CENTRAL_BANK = "1003"
CLEARING_SUSPENSE = "1011"
ATM_CASH = "1005"
INTEREST_RECEIVABLE = "1132"
LOANS = "1301"
LOAN_LOSS_PROVISION = "1304"
INTER_BRANCH = "1901"
CASH_SHORT = "1931"
DEMAND_DEPOSITS = "2011"
TIME_DEPOSITS = "2012"
CORPORATE_DEPOSITS = "2013"
NOTICE_DEPOSITS = "2014"
INTEREST_PAYABLE = "2231"
CASH_OVER = "2241"
REFUNDS_PENDING = "2261"
ATM_TRANSFERS_PENDING = "2262"
CARD_MERCHANT_PAYABLE = "2263"
PAID_IN_CAPITAL = "4001"
RETAINED_EARNINGS = "4104"
INTEREST_INCOME = "6011"
FEE_INCOME = "6021"
INTEREST_EXPENSE = "6411"
OPERATING_EXPENSE = "6601"
IMPAIRMENT_LOSS = "6701"

STANDARD_CHART: tuple[ChartLine, ...] = (
    ChartLine(VAULT_CASH, "Vault cash", "库存现金-金库", "asset", True),
    ChartLine(TELLER_CASH, "Teller tills", "库存现金-尾箱", "asset", True),
    ChartLine(DUE_FROM_CENTRAL_BANK, "Due from central bank", "存放中央银行款项", "asset"),
    ChartLine(CLEARING_SUSPENSE, "Clearing suspense", "清算往来", "asset"),
    # The cash loaded in each ATM: one sub-ledger account per terminal.
    ChartLine(ATM_CASH, "Cash in ATMs", "库存现金-自助设备", "asset", True),
    ChartLine(INTEREST_RECEIVABLE, "Interest receivable", "应收利息", "asset"),
    ChartLine(LOANS, "Loans and advances", "贷款", "asset", True),
    # A contra-asset: its balance is a credit (negative in the asset's sign) that nets the loans it covers.
    ChartLine(LOAN_LOSS_PROVISION, "Loan loss provision", "贷款损失准备", "asset"),
    ChartLine(INTER_BRANCH, "Inter-branch accounts", "系统内往来", "asset"),
    ChartLine(CASH_SHORT, "Cash short pending review", "待处理短款", "asset"),
    ChartLine(DEMAND_DEPOSITS, "Demand deposits", "活期存款", "liability", True),
    ChartLine(TIME_DEPOSITS, "Time deposits", "定期存款", "liability", True),
    ChartLine(CORPORATE_DEPOSITS, "Corporate demand deposits", "单位活期存款", "liability", True),
    ChartLine(NOTICE_DEPOSITS, "Notice deposits", "通知存款", "liability", True),
    ChartLine(INTEREST_PAYABLE, "Interest payable", "应付利息", "liability"),
    ChartLine(CASH_OVER, "Cash over pending review", "待处理长款", "liability"),
    # Money a payment gave back (a rejected or returned interbank transfer) to an account closed or blocked
    # since: it waits here for the customer, who is paid out by a person.
    ChartLine(REFUNDS_PENDING, "Payment refunds awaiting payout", "待退回款项", "liability"),
    # An ATM transfer to another person's account waits here until it is credited (after the delay) or revoked.
    ChartLine(ATM_TRANSFERS_PENDING, "ATM transfers awaiting credit", "自助设备转账待入账", "liability"),
    # Card purchases at POS terminals, owed to the merchants (or their acquirer) until settled with them.
    ChartLine(CARD_MERCHANT_PAYABLE, "Card payments due to merchants", "银行卡应付商户款项", "liability"),
    ChartLine(PAID_IN_CAPITAL, "Paid-in capital", "实收资本", "equity"),
    ChartLine(RETAINED_EARNINGS, "Retained earnings", "未分配利润", "equity"),
    ChartLine(INTEREST_INCOME, "Interest income", "利息收入", "income"),
    ChartLine(FEE_INCOME, "Fee and commission income", "手续费及佣金收入", "income"),
    ChartLine(INTEREST_EXPENSE, "Interest expense", "利息支出", "expense"),
    ChartLine(OPERATING_EXPENSE, "Operating expenses", "业务及管理费", "expense"),
    ChartLine(IMPAIRMENT_LOSS, "Credit impairment losses", "信用减值损失", "expense"),
)

DEBIT_NORMAL = {"asset", "expense"}


def normal_sign(gl_class: str) -> int:
    """+1 when the class grows by debits (assets, expenses), -1 when it grows by credits."""
    return 1 if gl_class in DEBIT_NORMAL else -1
