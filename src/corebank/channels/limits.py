"""Limits by channel, enforced in one place for every channel (single, daily, yearly, count).

The bank's limits are rows of `channel_limits` for a channel and transaction type, each for all customers
(tier "*", account class 0, strength "*") or for one tier, account class or authentication strength. For a
request, the rows whose tier, class and strength match (exactly or by wildcard) apply, and **per field** (single,
daily, yearly, count) the most specific row that gives a value wins. Specificity: a row naming the strength
beats one that does not; then one naming the account class; then one naming the tier (so "password only" and
"Type III account" restrictions hold even for a VIP). A row's empty field sets nothing, so a VIP row may raise
the single limit and still inherit the daily one. A customer's own lower limits (`customer_limits`) then apply
on top: the lower of theirs and the bank's.

Use is counted per customer, channel, transaction type and business date in `limit_usage` (the year's use is
the sum of the year's rows), in the caller's transaction: a refused or rolled-back transaction counts nothing.
Limits and use are per currency: a limit row holds for amounts in its own currency (the defaults are in the
bank's base currency).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from sqlalchemy import and_, case, delete, func, literal, select, update

from corebank import customers
from corebank.channels.errors import LimitExceeded, NotYours
from corebank.channels.limit_models import ChannelLimit, CustomerLimit, LimitUsage
from corebank.channels.limit_schemas import CustomerLimitSet, LimitRead, LimitRuleRead, LimitRuleSet
from corebank.channels.registry import check_channel, check_tx_type
from corebank.channels.registry_errors import InvalidLimit, LimitAboveBank
from corebank.db.base import table_of
from corebank.db.fastsql import FastSQL
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.money import Money, minor_to_text
from corebank.security import Actor, P

ANY = "*"
TIERS = ("standard", "gold", "vip")
STRENGTHS = ("password", "sms", "totp", "signed")
ACCOUNT_CLASSES = (1, 2, 3)
_cl = table_of(ChannelLimit)
_cu = table_of(CustomerLimit)
_use = table_of(LimitUsage)


# ---------------------------------------------------------------- the defaults (settings)


@dataclass(frozen=True, slots=True)
class LimitDefault:
    """One default from the setting `channel_limit_defaults`, in major units (count: per business day)."""

    channel: str
    tx_type: str
    single: Decimal | None = None
    daily: Decimal | None = None
    yearly: Decimal | None = None
    count: int | None = None


def parse_limit_defaults(text: str) -> list[LimitDefault]:
    """Parse "channel/tx_type: single=..., daily=..., yearly=..., count=...; ..."; a malformed setting is
    refused with the reason (never read as "no limit")."""
    out: list[LimitDefault] = []
    for entry in (e.strip() for e in text.split(";") if e.strip()):
        head, sep, body = entry.partition(":")
        channel, slash, tx_type = head.strip().partition("/")
        if not sep or not slash:
            raise InvalidRequest(
                f"channel_limit_defaults: {entry!r} is not 'channel/tx_type: kind=amount, ...'"
            )
        check_channel(channel.strip())
        check_tx_type(tx_type.strip())
        values: dict[str, Any] = {}
        for part in (p.strip() for p in body.split(",") if p.strip()):
            key, eq, value = (x.strip() for x in part.partition("="))
            if not eq or key not in ("single", "daily", "yearly", "count") or key in values:
                raise InvalidRequest(
                    f"channel_limit_defaults: {part!r} in {head!r} is not single|daily|yearly|count=n"
                )
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise InvalidRequest(
                    f"channel_limit_defaults: {value!r} in {head!r} is not a number"
                ) from None
            if (
                not number.is_finite()
                or number < 0
                or (key == "count" and number != number.to_integral_value())
            ):
                raise InvalidRequest(f"channel_limit_defaults: {part!r} in {head!r} must be zero or more")
            values[key] = int(number) if key == "count" else number
        out.append(LimitDefault(channel.strip(), tx_type.strip(), **values))
    return out


def default_limit_rows(text: str, currency: str) -> list[dict[str, Any]]:
    """The rows the defaults put in `channel_limits` (for all customers), amounts in minor units."""

    def minor(v: Decimal | None) -> int | None:
        return None if v is None else Money.of(v, currency).to_minor()

    return [
        {
            "channel": d.channel,
            "tx_type": d.tx_type,
            "tier": ANY,
            "account_class": 0,
            "strength": ANY,
            "single_max": minor(d.single),
            "daily_max": minor(d.daily),
            "yearly_max": minor(d.yearly),
            "daily_count": d.count,
            "currency": currency,
        }
        for d in parse_limit_defaults(text)
    ]


def seed_limits(uow: UnitOfWork) -> int:
    """Load the default limits for each channel and transaction type that has no limit row yet (a bank's own
    changes are never overwritten). Returns how many rows were added."""
    s = uow.settings
    have = {(r.channel, r.tx_type) for r in uow.conn.execute(select(_cl.c.channel, _cl.c.tx_type).distinct())}
    rows = [
        {**r, "updated_by": "system", "updated_at": uow.now}
        for r in default_limit_rows(s.channel_limit_defaults, s.base_currency)
        if (r["channel"], r["tx_type"]) not in have
    ]
    if rows:
        uow.conn.execute(_cl.insert(), rows)
    return len(rows)


# ---------------------------------------------------------------- resolving the limits of a request


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits in force for one request, minor units (None = no limit)."""

    single: int | None
    daily: int | None
    yearly: int | None
    count: int | None
    bank_single: int | None
    bank_daily: int | None
    own_single: int | None
    own_daily: int | None


def _specificity(r: Any) -> tuple[bool, bool, bool]:
    return (r.strength != ANY, r.account_class != 0, r.tier != ANY)


def _pick(rows: list[Any]) -> dict[str, int | None]:
    """Per field, the value of the most specific row that sets it (rows already matching the request)."""
    ordered = sorted(rows, key=_specificity, reverse=True)
    return {
        f: next((getattr(r, f) for r in ordered if getattr(r, f) is not None), None)
        for f in ("single_max", "daily_max", "yearly_max", "daily_count")
    }


def _lower(bank: int | None, own: int | None) -> int | None:
    if own is None:
        return bank
    return own if bank is None else min(bank, own)


def _matching(tier: str, account_class: int, strength: str) -> Any:
    return and_(
        _cl.c.tier.in_((tier, ANY)),
        _cl.c.account_class.in_((account_class, 0)),
        _cl.c.strength.in_((strength, ANY)),
    )


def _combine(bank_rows: list[Any], own: Any) -> Limits:
    bank = _pick(bank_rows)
    own_single = own.single_max if own is not None else None
    own_daily = own.daily_max if own is not None else None
    return Limits(
        single=_lower(bank["single_max"], own_single),
        daily=_lower(bank["daily_max"], own_daily),
        yearly=bank["yearly_max"],
        count=bank["daily_count"],
        bank_single=bank["single_max"],
        bank_daily=bank["daily_max"],
        own_single=own_single,
        own_daily=own_daily,
    )


class _Rule(NamedTuple):
    """A matching row of `channel_limits` (own=False), or the customer's own row (own=True), as the hot path
    reads them together."""

    own: bool
    tier: str
    account_class: int
    strength: str
    single_max: int | None
    daily_max: int | None
    yearly_max: int | None
    daily_count: int | None


# The bank's matching rows and the customer's own row in one statement: every card and e-channel payment asks
# this, and one round trip through the driver costs a fraction of two built by SQLAlchemy.
_RULES = FastSQL("""
    SELECT 0, tier, account_class, strength, single_max, daily_max, yearly_max, daily_count
      FROM channel_limits
     WHERE channel = :channel AND tx_type = :tx_type AND currency = :currency
       AND tier IN (:tier, '*') AND account_class IN (:account_class, 0) AND strength IN (:strength, '*')
    UNION ALL
    SELECT 1, '*', 0, '*', single_max, daily_max, NULL, NULL
      FROM customer_limits
     WHERE customer_id = :customer_id AND channel = :channel AND tx_type = :tx_type AND currency = :currency
""")


def resolve(
    uow: UnitOfWork,
    *,
    customer_id: int,
    channel: str,
    tx_type: str,
    currency: str,
    account_class: int,
    tier: str,
    strength: str,
) -> Limits:
    """The limits in force for a customer's `tx_type` on `channel` (the rule above), minor units."""
    cur = _RULES.execute(
        uow,
        {
            "customer_id": customer_id,
            "channel": channel,
            "tx_type": tx_type,
            "currency": currency,
            "tier": tier,
            "account_class": account_class,
            "strength": strength,
        },
    )
    rows = [_Rule(bool(r[0]), *r[1:]) for r in cur.fetchall()]
    cur.close()
    return _combine([r for r in rows if not r.own], next((r for r in rows if r.own), None))


# ---------------------------------------------------------------- counting use


# Count first, then compare what the row now holds (see check_and_record). Plain SQL both back ends take.
_COUNT = FastSQL("""
    INSERT INTO limit_usage (customer_id, channel, tx_type, day, currency, amount, count)
    VALUES (:customer_id, :channel, :tx_type, :day, :currency, :amount, 1)
    ON CONFLICT (customer_id, channel, tx_type, day, currency)
    DO UPDATE SET amount = limit_usage.amount + :amount, count = limit_usage.count + 1
    RETURNING id, amount, count
""")
_YEAR_BEFORE = FastSQL("""
    SELECT COALESCE(SUM(amount), 0) FROM limit_usage
     WHERE customer_id = :customer_id AND channel = :channel AND tx_type = :tx_type AND currency = :currency
       AND day >= :year_start AND day < :day
""")


def _exceeded(
    kind: str, limit: int | str, currency: str, channel: str, tx_type: str, **extra: Any
) -> LimitExceeded:
    allowed = str(limit) if kind == "count" else minor_to_text(int(limit), currency)
    what = f"{allowed} transactions a day" if kind == "count" else f"the {kind} limit of {allowed} {currency}"
    return LimitExceeded(
        f"{tx_type} on {channel}: over {what}",
        limit=kind,
        allowed=allowed,
        channel=channel,
        tx_type=tx_type,
        **extra,
    )


def check_and_record(
    uow: UnitOfWork,
    *,
    customer_id: int,
    channel: str,
    tx_type: str,
    amount: Money,
    account_class: int,
    tier: str,
    strength: str,
) -> None:
    """Raise LimitExceeded if `amount` passes any limit that applies; otherwise count it against the day's and
    the year's use (in the caller's transaction, so a refused or rolled-back payment counts nothing)."""
    if amount.amount < 0:
        raise InvalidLimit("a limit is checked for an amount of zero or more")
    cur = amount.currency
    minor = amount.to_minor()
    lim = resolve(
        uow,
        customer_id=customer_id,
        channel=channel,
        tx_type=tx_type,
        currency=cur,
        account_class=account_class,
        tier=tier,
        strength=strength,
    )
    if lim.single is not None and minor > lim.single:
        raise _exceeded("single", lim.single, cur, channel, tx_type)
    day = uow.business_date
    key = {"customer_id": customer_id, "channel": channel, "tx_type": tx_type, "day": day, "currency": cur}
    # Count first, then compare what the row now holds: the upsert locks the day's row, so two requests of one
    # customer at once are counted one after the other and cannot both slip under the limit.
    cursor = _COUNT.execute(uow, {**key, "amount": minor})
    row_id, day_amount, day_count = cursor.fetchall()[0]
    cursor.close()
    problem: LimitExceeded | None = None
    if lim.daily is not None and day_amount > lim.daily:
        remaining = max(lim.daily - (day_amount - minor), 0)
        problem = _exceeded(
            "daily", lim.daily, cur, channel, tx_type, remaining=minor_to_text(remaining, cur)
        )
    elif lim.count is not None and day_count > lim.count:
        problem = _exceeded("count", lim.count, cur, channel, tx_type)
    elif lim.yearly is not None:
        cursor = _YEAR_BEFORE.execute(uow, {**key, "year_start": date(day.year, 1, 1)})
        before_today = cursor.fetchall()[0][0]
        cursor.close()
        if int(before_today) + day_amount > lim.yearly:
            remaining = max(lim.yearly - int(before_today) - (day_amount - minor), 0)
            problem = _exceeded(
                "yearly", lim.yearly, cur, channel, tx_type, remaining=minor_to_text(remaining, cur)
            )
    if problem is not None:
        # Give the count back before refusing: a caller that answers the refusal (an ATM's code 61) and commits
        # its own record must not have used anything.
        uow.conn.execute(
            update(_use)
            .where(_use.c.id == row_id)
            .values(amount=_use.c.amount - minor, count=_use.c.count - 1)
        )
        raise problem


def release(uow: UnitOfWork, *, customer_id: int, channel: str, tx_type: str, amount: Money) -> None:
    """Give back what a reversed transaction had used (an ATM withdrawal the ATM could not dispense): from the
    latest day with use this year, usually today, never below zero."""
    minor = amount.to_minor()
    if minor <= 0:
        return
    day = uow.business_date
    row_id = uow.conn.execute(
        select(_use.c.id)
        .where(
            _use.c.customer_id == customer_id,
            _use.c.channel == channel,
            _use.c.tx_type == tx_type,
            _use.c.currency == amount.currency,
            _use.c.day >= date(day.year, 1, 1),
            _use.c.day <= day,
            _use.c.count > 0,
        )
        .order_by(_use.c.day.desc())
        .limit(1)
    ).scalar()
    if row_id is None:
        return
    uow.conn.execute(
        update(_use)
        .where(_use.c.id == row_id)
        .values(
            amount=case((_use.c.amount > minor, _use.c.amount - minor), else_=literal(0)),
            count=case((_use.c.count > 1, _use.c.count - 1), else_=literal(0)),
        )
    )


# ---------------------------------------------------------------- the customer's screens


def _text(minor: int | None, currency: str) -> str | None:
    return None if minor is None else minor_to_text(minor, currency)


def effective_limits(
    uow: UnitOfWork, customer_id: int, channel: str, *, tier: str, account_class: int, strength: str
) -> list[LimitRead]:
    """A customer's limits on `channel`, one per transaction type the bank or the customer limits there, with
    what is used today and what remains (base currency)."""
    check_channel(channel)
    cur = uow.settings.base_currency
    day = uow.business_date
    bank_rows = list(
        uow.conn.execute(
            select(_cl).where(
                _cl.c.channel == channel, _cl.c.currency == cur, _matching(tier, account_class, strength)
            )
        )
    )
    all_types = {
        r[0]
        for r in uow.conn.execute(
            select(_cl.c.tx_type).where(_cl.c.channel == channel, _cl.c.currency == cur).distinct()
        )
    }
    own_rows = {
        r.tx_type: r
        for r in uow.conn.execute(
            select(_cu.c.tx_type, _cu.c.single_max, _cu.c.daily_max).where(
                _cu.c.customer_id == customer_id, _cu.c.channel == channel, _cu.c.currency == cur
            )
        )
    }
    used = {
        r.tx_type: r
        for r in uow.conn.execute(
            select(
                _use.c.tx_type,
                func.coalesce(func.sum(case((_use.c.day == day, _use.c.amount), else_=0)), 0).label("today"),
                func.coalesce(func.sum(case((_use.c.day == day, _use.c.count), else_=0)), 0).label("n"),
                func.coalesce(func.sum(_use.c.amount), 0).label("year"),
            )
            .where(
                _use.c.customer_id == customer_id,
                _use.c.channel == channel,
                _use.c.currency == cur,
                _use.c.day >= date(day.year, 1, 1),
                _use.c.day <= day,
            )
            .group_by(_use.c.tx_type)
        )
    }
    out = []
    for tx_type in sorted(all_types | set(own_rows)):
        lim = _combine([r for r in bank_rows if r.tx_type == tx_type], own_rows.get(tx_type))
        u = used.get(tx_type)
        today, n, year = (int(u.today), int(u.n), int(u.year)) if u else (0, 0, 0)
        remaining = None if lim.daily is None else max(lim.daily - today, 0)
        if lim.yearly is not None:
            remaining = max(
                min(remaining, lim.yearly - year) if remaining is not None else lim.yearly - year, 0
            )
        out.append(
            LimitRead(
                channel=channel,
                tx_type=tx_type,
                currency=cur,
                single=_text(lim.single, cur),
                daily=_text(lim.daily, cur),
                yearly=_text(lim.yearly, cur),
                count=lim.count,
                bank_single=_text(lim.bank_single, cur),
                bank_daily=_text(lim.bank_daily, cur),
                own_single=_text(lim.own_single, cur),
                own_daily=_text(lim.own_daily, cur),
                used_today=minor_to_text(today, cur),
                count_today=n,
                used_this_year=minor_to_text(year, cur),
                remaining_today=_text(remaining, cur),
            )
        )
    return out


def _amount(text: str | None, currency: str, what: str) -> int | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    minor = Money.of(text, currency).to_minor()
    if minor < 0:
        raise InvalidLimit(f"the {what} limit must be zero or more, got {text!r}")
    return minor


def _strength_of(actor: Actor) -> str:
    return actor.strength if actor.strength in STRENGTHS else ANY


def set_customer_limit(
    uow: UnitOfWork,
    actor: Actor,
    customer_id: int,
    channel: str,
    tx_type: str,
    single: str | None,
    daily: str | None,
) -> LimitRead:
    """Set a customer's own lower single and daily limits on a channel and transaction type (none = back to
    the bank's). The customer themselves, or staff at the counter for them; never above the bank's limit
    (LIMIT_ABOVE_BANK)."""
    if actor.is_customer:
        if actor.customer_id != customer_id:
            raise NotYours("not found")
    else:
        actor.require(P.CUSTOMER_WRITE)
    check_channel(channel)
    check_tx_type(tx_type)
    cur = uow.settings.base_currency
    own_single, own_daily = _amount(single, cur, "single"), _amount(daily, cur, "daily")
    tier = customers.tier_of(uow, customer_id)
    # The highest the bank allows this customer's tier on any account class or strength: a customer's own limit
    # only ever lowers what applies, so above that it would be a promise the bank does not keep.
    highest = uow.conn.execute(
        select(
            func.max(_cl.c.single_max),
            func.max(_cl.c.daily_max),
            func.count(_cl.c.single_max),
            func.count(_cl.c.daily_max),
            func.count(),
        ).where(
            _cl.c.channel == channel,
            _cl.c.tx_type == tx_type,
            _cl.c.currency == cur,
            _cl.c.tier.in_((tier, ANY)),
        )
    ).one()
    for kind, own, bank_max, rows_setting in (
        ("single", own_single, highest[0], highest[2]),
        ("daily", own_daily, highest[1], highest[3]),
    ):
        if own is not None and rows_setting and own > int(bank_max):
            raise LimitAboveBank(
                f"the bank's {kind} limit for {tx_type} on {channel} is {minor_to_text(int(bank_max), cur)}",
                limit=kind,
                bank=minor_to_text(int(bank_max), cur),
                channel=channel,
                tx_type=tx_type,
            )
    existing = uow.session.execute(
        select(CustomerLimit).where(
            CustomerLimit.customer_id == customer_id,
            CustomerLimit.channel == channel,
            CustomerLimit.tx_type == tx_type,
        )
    ).scalar()
    before = (
        {"single": _text(existing.single_max, cur), "daily": _text(existing.daily_max, cur)}
        if existing
        else None
    )
    if own_single is None and own_daily is None:
        if existing is not None:
            uow.session.delete(existing)
    elif existing is None:
        uow.session.add(
            CustomerLimit(
                customer_id=customer_id,
                channel=channel,
                tx_type=tx_type,
                single_max=own_single,
                daily_max=own_daily,
                currency=cur,
                updated_by=actor.username,
                updated_at=uow.now,
            )
        )
    else:
        existing.single_max, existing.daily_max = own_single, own_daily
        existing.updated_by, existing.updated_at = actor.username, uow.now
    uow.session.flush()
    number = customers.customer_names(uow, [customer_id]).get(customer_id, (str(customer_id), ""))[0]
    uow.audit(
        actor,
        "limit.customer_set",
        "customer",
        number,
        channel=channel,
        tx_type=tx_type,
        before=before,
        single=_text(own_single, cur),
        daily=_text(own_daily, cur),
    )
    reads = effective_limits(
        uow, customer_id, channel, tier=tier, account_class=0, strength=_strength_of(actor)
    )
    return next(r for r in reads if r.tx_type == tx_type)


def set_customer_limit_cmd(
    uow: UnitOfWork, actor: Actor, customer_number: str, cmd: CustomerLimitSet
) -> LimitRead:
    """Staff set a customer's own lower limits, for the customer numbered `customer_number`."""
    actor.require(P.CUSTOMER_WRITE)
    ref = customers.customer_ref(uow, customer_number, must_be_active=False)
    return set_customer_limit(uow, actor, ref.id, cmd.channel, cmd.tx_type, cmd.single, cmd.daily)


def customer_limits(
    uow: UnitOfWork,
    actor: Actor,
    customer_number: str,
    channel: str | None = None,
    *,
    account_class: int = 0,
    strength: str = ANY,
) -> list[LimitRead]:
    """A customer's limits and use on one channel (or on every channel), as staff see them: by default the
    limits for any account class and strength; name a class or strength to see those."""
    actor.require(P.CHANNEL_READ)
    ref = customers.customer_ref(uow, customer_number, must_be_active=False)
    tier = customers.tier_of(uow, ref.id)
    channels = (
        [check_channel(channel)]
        if channel
        else sorted(
            {r[0] for r in uow.conn.execute(select(_cl.c.channel).distinct())}
            | {
                r[0]
                for r in uow.conn.execute(select(_cu.c.channel).where(_cu.c.customer_id == ref.id).distinct())
            }
        )
    )
    out: list[LimitRead] = []
    for ch in channels:
        out += effective_limits(uow, ref.id, ch, tier=tier, account_class=account_class, strength=strength)
    return out


# ---------------------------------------------------------------- the bank's limit table (staff)


def _rule_read(r: Any) -> LimitRuleRead:
    return LimitRuleRead(
        channel=r.channel,
        tx_type=r.tx_type,
        tier=r.tier,
        account_class=r.account_class,
        strength=r.strength,
        currency=r.currency,
        single=_text(r.single_max, r.currency),
        daily=_text(r.daily_max, r.currency),
        yearly=_text(r.yearly_max, r.currency),
        count=r.daily_count,
        updated_by=r.updated_by,
        updated_at=r.updated_at,
    )


def list_limit_rules(uow: UnitOfWork, actor: Actor, channel: str | None = None) -> list[LimitRuleRead]:
    """The bank's limit table (or one channel's part), by channel, type, then from general to specific."""
    actor.require(P.CHANNEL_READ)
    stmt = select(ChannelLimit)
    if channel:
        stmt = stmt.where(ChannelLimit.channel == check_channel(channel))
    rows = uow.session.execute(
        stmt.order_by(
            ChannelLimit.channel,
            ChannelLimit.tx_type,
            ChannelLimit.currency,
            ChannelLimit.strength,
            ChannelLimit.account_class,
            ChannelLimit.tier,
        )
    ).scalars()
    return [_rule_read(r) for r in rows]


def set_limit_rule(uow: UnitOfWork, actor: Actor, cmd: LimitRuleSet) -> LimitRuleRead | None:
    """Create or replace one row of the bank's limit table, effective for the next request; a row with no
    values left is removed (None is returned). Audited with the values before and after."""
    actor.require(P.CHANNEL_ADMIN)
    check_channel(cmd.channel)
    check_tx_type(cmd.tx_type)
    if cmd.tier != ANY and cmd.tier not in TIERS:
        raise InvalidLimit(f"tier {cmd.tier!r} is not * or one of {', '.join(TIERS)}")
    if cmd.account_class != 0 and cmd.account_class not in ACCOUNT_CLASSES:
        raise InvalidLimit(f"account class {cmd.account_class} is not 0 (any), 1, 2 or 3")
    if cmd.strength != ANY and cmd.strength not in STRENGTHS:
        raise InvalidLimit(f"strength {cmd.strength!r} is not * or one of {', '.join(STRENGTHS)}")
    if cmd.count is not None and cmd.count < 0:
        raise InvalidLimit(f"the count limit must be zero or more, got {cmd.count}")
    cur = cmd.currency or uow.settings.base_currency
    values = {
        "single_max": _amount(cmd.single, cur, "single"),
        "daily_max": _amount(cmd.daily, cur, "daily"),
        "yearly_max": _amount(cmd.yearly, cur, "yearly"),
        "daily_count": cmd.count,
    }
    key = (
        ChannelLimit.channel == cmd.channel,
        ChannelLimit.tx_type == cmd.tx_type,
        ChannelLimit.tier == cmd.tier,
        ChannelLimit.account_class == cmd.account_class,
        ChannelLimit.strength == cmd.strength,
        ChannelLimit.currency == cur,
    )
    row = uow.session.execute(select(ChannelLimit).where(*key)).scalar()
    before = (
        _rule_read(row).model_dump(mode="json", include={"single", "daily", "yearly", "count"})
        if row
        else None
    )
    detail = {"tier": cmd.tier, "account_class": cmd.account_class, "strength": cmd.strength, "currency": cur}
    object_id = f"{cmd.channel}/{cmd.tx_type}"
    if all(v is None for v in values.values()):
        if row is not None:
            uow.session.execute(delete(ChannelLimit).where(*key))
            uow.audit(actor, "limit.remove", "channel_limit", object_id, before=before, **detail)
        return None
    if row is None:
        row = ChannelLimit(
            channel=cmd.channel,
            tx_type=cmd.tx_type,
            tier=cmd.tier,
            account_class=cmd.account_class,
            strength=cmd.strength,
            currency=cur,
            updated_by=actor.username,
            updated_at=uow.now,
            **values,
        )
        uow.session.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_by, row.updated_at = actor.username, uow.now
    uow.session.flush()
    read = _rule_read(row)
    uow.audit(
        actor,
        "limit.set",
        "channel_limit",
        object_id,
        before=before,
        after=read.model_dump(mode="json", include={"single", "daily", "yearly", "count"}),
        **detail,
    )
    return read
