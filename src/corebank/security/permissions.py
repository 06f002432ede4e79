"""Roles and the permissions they grant. Every route and service names the permission it needs."""

from __future__ import annotations

from enum import StrEnum


class P(StrEnum):
    """Permissions. Names are `area.action`."""

    CUSTOMER_READ = "customer.read"
    CUSTOMER_WRITE = "customer.write"
    ACCOUNT_READ = "account.read"
    ACCOUNT_OPEN = "account.open"
    ACCOUNT_CLOSE = "account.close"
    ACCOUNT_FREEZE = "account.freeze"
    ACCOUNT_HOLD = "account.hold"
    CASH_OPERATE = "cash.operate"  # till, cash deposit and withdrawal
    TRANSFER_CREATE = "transfer.create"
    REVERSAL_REQUEST = "reversal.request"
    APPROVAL_DECIDE = "approval.decide"
    APPROVAL_READ = "approval.read"
    LEDGER_READ = "ledger.read"
    PRODUCT_READ = "product.read"
    PRODUCT_WRITE = "product.write"  # define, change and retire products, propose rates
    CALENDAR_WRITE = "calendar.write"
    EOD_RUN = "eod.run"
    DEPOSIT_OPERATE = "deposit.operate"  # time and notice deposits, sweeps, at the counter
    LOAN_READ = "loan.read"
    LOAN_APPLY = "loan.apply"  # take a loan application, or withdraw one
    LOAN_ASSESS = "loan.assess"  # score applications, register collateral and guarantors
    LOAN_APPROVE = "loan.approve"  # decide applications, within the product's authority table
    LOAN_OPERATE = "loan.operate"  # disbursement, repayment and prepayment at the counter
    LOAN_COLLECT = "loan.collect"  # collections, promises to pay, classifying a loan worse
    LOAN_WORKOUT = "loan.workout"  # restructuring, write-off and recoveries
    PAYMENT_CREATE = "payment.create"  # interbank transfers and bulk payment files
    PAYMENT_READ = "payment.read"  # interbank payments, bulk batches, mandates, standing orders
    PAYMENT_OPERATE = "payment.operate"  # clearing operations: send, retry, billers, mandates' creditors
    MANDATE_WRITE = "mandate.write"  # direct debit mandates and standing orders for a customer
    RECONCILE = "reconcile"  # run the daily reconciliation with clearing and work its exceptions
    CHANNEL_READ = "channel.read"  # the channel registry, limits, fees and the channel monitor
    CHANNEL_ADMIN = (
        "channel.admin"  # open and close channels, change limits and fees, register ATM/POS terminals
    )
    EBANK_OPERATE = "ebank.operate"  # e-banking enrollment at the counter, password reset, suspension
    CARD_OPERATE = "card.operate"  # issue debit cards, PIN reset, loss report and replacement at the counter
    POINTS_OPERATE = "points.operate"  # points rules, adjustments
    USER_ADMIN = "user.admin"
    AUDIT_READ = "audit.read"
    ALL_BRANCHES = "scope.all_branches"


TELLER = {
    P.CUSTOMER_READ,
    P.CUSTOMER_WRITE,
    P.ACCOUNT_READ,
    P.ACCOUNT_OPEN,
    P.ACCOUNT_CLOSE,
    P.ACCOUNT_HOLD,
    P.CASH_OPERATE,
    P.TRANSFER_CREATE,
    P.REVERSAL_REQUEST,
    P.PRODUCT_READ,
    P.APPROVAL_READ,
    P.DEPOSIT_OPERATE,
    P.LOAN_READ,
    P.LOAN_APPLY,
    P.LOAN_OPERATE,
    P.PAYMENT_CREATE,
    P.PAYMENT_READ,
    P.MANDATE_WRITE,
    P.EBANK_OPERATE,
    P.CARD_OPERATE,
    P.CHANNEL_READ,
}
SUPERVISOR = TELLER | {P.APPROVAL_DECIDE, P.ACCOUNT_FREEZE, P.LEDGER_READ}
CREDIT = {P.CUSTOMER_READ, P.ACCOUNT_READ, P.PRODUCT_READ, P.LOAN_READ}

ROLE_PERMISSIONS: dict[str, frozenset[P]] = {
    "admin": frozenset(P),
    "teller": frozenset(TELLER),
    # A supervisor can also work the counter as a teller does.
    "supervisor": frozenset(SUPERVISOR),
    # A branch manager also approves loans within the authority the loan products give the role.
    "branch_manager": frozenset(SUPERVISOR | {P.LOAN_APPROVE}),
    "accountant": frozenset(
        {
            P.LEDGER_READ,
            P.ACCOUNT_READ,
            P.CUSTOMER_READ,
            P.PRODUCT_READ,
            P.ALL_BRANCHES,
            P.EOD_RUN,
            P.CALENDAR_WRITE,
            P.PAYMENT_READ,
            P.PAYMENT_OPERATE,
            P.RECONCILE,
        }
    ),
    # Head-office product management: defines products and proposes rates; another one approves rate changes.
    "product_manager": frozenset(
        {P.PRODUCT_READ, P.PRODUCT_WRITE, P.APPROVAL_READ, P.APPROVAL_DECIDE, P.ALL_BRANCHES}
    ),
    # Prepares applications (never approves them), registers collateral, disburses and collects.
    "credit_officer": frozenset(CREDIT | {P.LOAN_APPLY, P.LOAN_ASSESS, P.LOAN_OPERATE, P.LOAN_COLLECT}),
    # Credit approval (审批) at head office, within the authority table of each loan product.
    "credit_approver": frozenset(CREDIT | {P.LOAN_APPROVE, P.ALL_BRANCHES}),
    "risk_officer": frozenset(
        {
            P.CUSTOMER_READ,
            P.ACCOUNT_READ,
            P.ACCOUNT_FREEZE,
            P.PRODUCT_READ,
            P.LEDGER_READ,
            P.AUDIT_READ,
            P.ALL_BRANCHES,
            P.APPROVAL_READ,
            P.LOAN_READ,
            P.LOAN_COLLECT,
            P.LOAN_WORKOUT,
        }
    ),
    # Head-office channel management: the channel registry, limits, fees, terminals, the monitor, points rules.
    "channel_manager": frozenset(
        {P.CHANNEL_READ, P.CHANNEL_ADMIN, P.POINTS_OPERATE, P.PRODUCT_READ, P.CUSTOMER_READ, P.ALL_BRANCHES}
    ),
    "auditor": frozenset(
        {
            P.CUSTOMER_READ,
            P.ACCOUNT_READ,
            P.LEDGER_READ,
            P.PRODUCT_READ,
            P.AUDIT_READ,
            P.APPROVAL_READ,
            P.LOAN_READ,
            P.PAYMENT_READ,
            P.CHANNEL_READ,
            P.ALL_BRANCHES,
        }
    ),
}
ROLES = tuple(ROLE_PERMISSIONS)

# What a customer's own request may do once the channels area has checked that every object is theirs. Not a
# staff role: no staff user can hold it, and a customer token is never accepted where staff log in.
CUSTOMER_CHANNEL = frozenset(
    {
        P.ACCOUNT_READ,
        P.TRANSFER_CREATE,
        P.PAYMENT_CREATE,
        P.PAYMENT_READ,
        P.DEPOSIT_OPERATE,
        P.LOAN_APPLY,
        P.LOAN_READ,
        P.MANDATE_WRITE,
        P.ALL_BRANCHES,
    }
)


def permissions_for(roles: list[str] | tuple[str, ...]) -> frozenset[P]:
    """The union of the permissions the roles grant."""
    out: set[P] = set()
    for r in roles:
        out |= ROLE_PERMISSIONS.get(r, frozenset())
    return frozenset(out)
