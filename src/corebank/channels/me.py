"""The customer's own banking on the e-channels (`/api/v1/me/...`): what every customer request shares (the
channel is open, the object is the customer's own, the signing code is bound to amount and payee), my accounts
with their history and statements, my limits and my notification settings.

Payees are in `payees`, transfers and bills in `me_transfers`, time deposits and loans in `me_products`. Every
use case here takes the customer actor (`actor.customer_id`, `actor.channel`), checks the channel with the
registry first, then checks each object it names is the customer's own before it hands the request to the
area that does the work with that same actor (so the ledger entries say internet or mobile). Someone else's
object, or one that does not exist, is answered alike with NotYours (NOT_FOUND): nothing tells a customer that
another's account exists.

The transaction types the registry is asked about: `balance_inquiry` for reading accounts, deposits and loans;
`transfer` for payees and transfers; `bill_payment`, `time_deposit` and `loan_application` for those; `login`
for the customer's own settings (limits, notifications), which live and die with the session itself.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from corebank import accounts, customers, finance
from corebank.channels import limits, registry, signing
from corebank.channels.errors import NotYours, SigningRequired
from corebank.channels.limit_schemas import LimitRead
from corebank.channels.me_models import NotificationSetting
from corebank.channels.me_schemas import (
    LimitChange,
    NotificationSettings,
    NotificationSettingsRead,
    SigningProof,
)
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidAmount, NotAuthenticated
from corebank.kernel.money import Money, minor_to_text
from corebank.security import Actor

READ = "balance_inquiry"
SETTINGS = "login"
TRANSFER = "transfer"


# ---------------------------------------------------------------------------------------------- shared checks


def customer_of(actor: Actor) -> int:
    """The customer id behind a customer actor (a staff actor never reaches these use cases)."""
    if actor.customer_id is None:
        raise NotAuthenticated("this is a customer's own service: log in with a customer token")
    return actor.customer_id


def customer_number(uow: UnitOfWork, actor: Actor) -> str:
    """The customer number of the customer acting."""
    cid = customer_of(actor)
    return customers.customer_names(uow, [cid])[cid][0]


def own_account(uow: UnitOfWork, actor: Actor, number: str) -> accounts.PostingAccount:
    """The customer's own deposit account `number`; NotYours when no account has that number or it is
    someone else's (the two are answered alike)."""
    cid = customer_of(actor)
    try:
        acc = accounts.load_for_posting(uow, [number])[number]
    except accounts.AccountNotFound:
        acc = None
    if acc is None or acc.customer_id != cid:
        raise NotYours(f"you hold no account {number}")
    return acc


def tier_of(uow: UnitOfWork, actor: Actor) -> str:
    """The acting customer's tier (standard, gold, vip), which limits and fees depend on."""
    return customers.tier_of(uow, customer_of(actor))


def check_signing(
    uow: UnitOfWork, actor: Actor, amount: Money, payee: str, proof: SigningProof | None, tx_type: str
) -> bool:
    """Over the signing threshold, insist on a one-time code bound to `amount` and `payee` (dynamic linking)
    and check it (it is used up in this transaction). True when the request was signed."""
    if not signing.required(uow, amount):
        return False
    if proof is None:
        raise SigningRequired(
            f"{amount.text()} {amount.currency} is over the signing threshold: POST "
            f"/api/v1/me/signing/challenges with amount {amount.text()}, currency {amount.currency}, payee "
            f'"{payee}" and tx_type {tx_type}, then send its challenge_id and the code you receive as `signing`',
            amount=amount.text(),
            currency=amount.currency,
            payee=payee,
            tx_type=tx_type,
        )
    signing.verify(uow, actor, proof.challenge_id, proof.code, amount=amount, payee=payee)
    return True


def strength_of(actor: Actor, signed: bool) -> str:
    """How strongly the customer proved this request: "signed" with a transaction code, else the session's."""
    return "signed" if signed else actor.strength


# ---------------------------------------------------------------------------------------------- my accounts


def my_accounts(uow: UnitOfWork, actor: Actor) -> list[accounts.AccountRead]:
    """The customer's open deposit accounts with their balances."""
    registry.require_open(uow, actor.channel, READ)
    held = accounts.accounts_of_customer(uow, actor, customer_number(uow, actor))
    return [a for a in held if a.status != "closed"]


def my_account(uow: UnitOfWork, actor: Actor, number: str) -> accounts.AccountRead:
    """One of the customer's accounts with ledger and available balance."""
    registry.require_open(uow, actor.channel, READ)
    own_account(uow, actor, number)
    return accounts.get_account(uow, actor, number)


def my_transactions(
    uow: UnitOfWork,
    actor: Actor,
    number: str,
    *,
    cursor: str | None = None,
    limit: int = 50,
    from_date: date | None = None,
    to_date: date | None = None,
) -> accounts.TransactionPage:
    """The movements of one of the customer's accounts, newest first, with the running balance; follow
    `next_cursor`."""
    registry.require_open(uow, actor.channel, READ)
    own_account(uow, actor, number)
    return accounts.history(
        uow, actor, number, cursor=cursor, limit=limit, from_date=from_date, to_date=to_date
    )


def my_statement(
    uow: UnitOfWork, actor: Actor, number: str, period: finance.StatementPeriod
) -> finance.Statement:
    """The header of a statement of one of the customer's accounts (the lines are written by
    `finance.write_statement` from it)."""
    registry.require_open(uow, actor.channel, READ)
    own_account(uow, actor, number)
    return finance.account_statement(uow, actor, number, period)


# ---------------------------------------------------------------------------------------------- my limits


def my_limits(uow: UnitOfWork, actor: Actor, account: str | None = None) -> list[LimitRead]:
    """The limits that apply to the customer on this channel, per transaction type, with what is used and
    left today: for the class of `account` (one of theirs) or of a Type I account."""
    registry.require_open(uow, actor.channel, SETTINGS)
    account_class = own_account(uow, actor, account).account_class if account else 1
    return limits.effective_limits(
        uow,
        customer_of(actor),
        actor.channel,
        tier=tier_of(uow, actor),
        account_class=account_class,
        strength=actor.strength,
    )


def remaining_today(
    uow: UnitOfWork, actor: Actor, payer: accounts.PostingAccount, tx_type: str
) -> str | None:
    """What the customer's daily limit for `tx_type` still allows today from `payer` (None: no daily limit)."""
    for row in limits.effective_limits(
        uow,
        customer_of(actor),
        actor.channel,
        tier=tier_of(uow, actor),
        account_class=payer.account_class,
        strength=actor.strength,
    ):
        if row.tx_type == tx_type:
            return row.remaining_today
    return None


def lower_my_limit(uow: UnitOfWork, actor: Actor, tx_type: str, cmd: LimitChange) -> LimitRead:
    """Set the customer's own (lower) single and daily limit for `tx_type` on this channel; a limit above
    the bank's is refused."""
    registry.require_open(uow, actor.channel, SETTINGS)
    return limits.set_customer_limit(
        uow, actor, customer_of(actor), actor.channel, tx_type, cmd.single, cmd.daily
    )


# ---------------------------------------------------------------------------------------------- notifications


def _settings_read(row: NotificationSetting | None, currency: str) -> NotificationSettingsRead:
    if row is None:
        return NotificationSettingsRead(
            **NotificationSettings().model_dump(), currency=currency, updated_at=None
        )
    over = row.sms_on_debit_over
    return NotificationSettingsRead(
        sms_on_debit_over=None if over is None else minor_to_text(over, row.currency),
        sms_on_credit=row.sms_on_credit,
        sms_on_login=row.sms_on_login,
        language=row.language,
        currency=row.currency,
        updated_at=row.updated_at,
    )


def notification_settings(uow: UnitOfWork, actor: Actor) -> NotificationSettingsRead:
    """When the bank sends the customer an SMS (the bank's defaults until they change them)."""
    registry.require_open(uow, actor.channel, SETTINGS)
    row = uow.session.get(NotificationSetting, customer_of(actor))
    return _settings_read(row, uow.settings.base_currency)


def set_notification_settings(
    uow: UnitOfWork, actor: Actor, cmd: NotificationSettings
) -> NotificationSettingsRead:
    """Replace the customer's notification settings."""
    registry.require_open(uow, actor.channel, SETTINGS)
    cid = customer_of(actor)
    cur = uow.settings.base_currency
    over = None
    if cmd.sms_on_debit_over is not None:
        amount = Money.of(cmd.sms_on_debit_over, cur)
        if amount.amount < 0:
            raise InvalidAmount("sms_on_debit_over cannot be negative")
        over = amount.to_minor()
    row = uow.session.execute(
        select(NotificationSetting).where(NotificationSetting.customer_id == cid).with_for_update()
    ).scalar()
    if row is None:
        row = NotificationSetting(customer_id=cid)
        uow.session.add(row)
    row.sms_on_debit_over = over
    row.currency = cur
    row.sms_on_credit = cmd.sms_on_credit
    row.sms_on_login = cmd.sms_on_login
    row.language = cmd.language
    row.updated_by = actor.username
    row.updated_at = uow.now
    uow.session.flush()
    uow.audit(
        actor,
        "ebank.notifications",
        "customer",
        cid,
        sms_on_debit_over=cmd.sms_on_debit_over,
        sms_on_credit=cmd.sms_on_credit,
        sms_on_login=cmd.sms_on_login,
        language=cmd.language,
    )
    return _settings_read(row, cur)
