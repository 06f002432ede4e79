"""The channel registry: open or close a channel, or one transaction type on it, effective at once.

A channel or transaction type is open unless a row of `channel_closures` names it ("*" = the whole channel).
`require_open` reads that table on every request, with no cache, so a closure made in one process refuses the
next request in every process; the read is one indexed statement.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from corebank.channels import CHANNELS, E_CHANNELS
from corebank.channels.errors import ChannelClosed, ChannelNotFound, TransactionTypeClosed
from corebank.channels.registry_errors import UnknownTransactionType
from corebank.channels.registry_models import ChannelClosure
from corebank.channels.registry_schemas import ChannelRead, ClosureRead
from corebank.db.fastsql import FastSQL
from corebank.db.uow import UnitOfWork
from corebank.kernel.events import Event
from corebank.security import Actor, P

# The transaction types the registry, the limits, the fees and the monitor speak of (the shared vocabulary).
TX_TYPES = (
    "login",
    "transfer",
    "interbank",
    "bill_payment",
    "time_deposit",
    "loan_application",
    "points_redeem",
    "withdrawal",
    "balance_inquiry",
    "purchase",
    "card",
)
WHOLE = "*"

# The hot path: every customer and ATM/POS request runs this before anything else.
_CLOSURES_FOR = FastSQL(
    "SELECT tx_type FROM channel_closures WHERE channel = :channel AND tx_type IN ('*', :tx_type)"
)
_COUNTER_NOTE = (
    "the counter is marked closed in the registry; teller services do not consult the registry, so tellers "
    "keep working until their tills are closed"
)


def check_channel(code: str) -> str:
    """`code` if it names a channel; ChannelNotFound otherwise."""
    if code not in CHANNELS:
        raise ChannelNotFound(f"no channel {code!r}; the channels are {', '.join(CHANNELS)}")
    return code


def check_tx_type(tx_type: str) -> str:
    """`tx_type` if it names a transaction type; UnknownTransactionType otherwise."""
    if tx_type not in TX_TYPES:
        raise UnknownTransactionType(f"no transaction type {tx_type!r}; the types are {', '.join(TX_TYPES)}")
    return tx_type


def require_open(uow: UnitOfWork, channel: str, tx_type: str) -> None:
    """Raise ChannelClosed or TransactionTypeClosed unless `tx_type` may run on `channel` now."""
    check_channel(channel)
    cur = _CLOSURES_FOR.execute(uow, {"channel": channel, "tx_type": tx_type})
    closed = {r[0] for r in cur.fetchall()}
    cur.close()
    if not closed:
        return
    if WHOLE in closed:
        raise ChannelClosed(f"the {channel} channel is closed", channel=channel, tx_type=tx_type)
    raise TransactionTypeClosed(
        f"{tx_type} is closed on the {channel} channel", channel=channel, tx_type=tx_type
    )


def _closure_read(c: ChannelClosure) -> ClosureRead:
    return ClosureRead(tx_type=c.tx_type, closed_by=c.closed_by, closed_at=c.closed_at, reason=c.reason)


def _channel_reads(uow: UnitOfWork, codes: tuple[str, ...]) -> list[ChannelRead]:
    rows = uow.session.execute(
        select(ChannelClosure)
        .where(ChannelClosure.channel.in_(codes))
        .order_by(ChannelClosure.channel, ChannelClosure.tx_type)
    ).scalars()
    by_channel: dict[str, list[ChannelClosure]] = {c: [] for c in codes}
    for r in rows:
        by_channel[r.channel].append(r)
    out = []
    for code in codes:
        whole = next((c for c in by_channel[code] if c.tx_type == WHOLE), None)
        out.append(
            ChannelRead(
                code=code,
                e_channel=code in E_CHANNELS,
                status="closed" if whole else "open",
                closed=_closure_read(whole) if whole else None,
                closed_types=[_closure_read(c) for c in by_channel[code] if c.tx_type != WHOLE],
                note=_COUNTER_NOTE if code == "counter" and by_channel[code] else "",
            )
        )
    return out


def list_channels(uow: UnitOfWork, actor: Actor) -> list[ChannelRead]:
    """Every channel with its status and the transaction types closed on it."""
    actor.require(P.CHANNEL_READ)
    return _channel_reads(uow, CHANNELS)


def get_channel(uow: UnitOfWork, actor: Actor, code: str) -> ChannelRead:
    """One channel with its status and the transaction types closed on it."""
    actor.require(P.CHANNEL_READ)
    return _channel_reads(uow, (check_channel(code),))[0]


def close_channel(
    uow: UnitOfWork, actor: Actor, code: str, tx_type: str | None = None, reason: str = ""
) -> ChannelRead:
    """Close a channel (or one transaction type on it) at once for every request; closing what is closed
    already changes nothing. Closing the counter is recorded, but teller services do not consult the registry
    (the answer's note says so)."""
    actor.require(P.CHANNEL_ADMIN)
    check_channel(code)
    target = WHOLE if tx_type in (None, "", WHOLE) else check_tx_type(tx_type)
    reason = reason.strip()[:200]
    exists = uow.session.execute(
        select(ChannelClosure.id).where(ChannelClosure.channel == code, ChannelClosure.tx_type == target)
    ).first()
    if exists is None:
        uow.session.add(
            ChannelClosure(
                channel=code, tx_type=target, closed_by=actor.username, closed_at=uow.now, reason=reason
            )
        )
        uow.session.flush()
        uow.audit(actor, "channel.close", "channel", code, tx_type=target, reason=reason)
        uow.publish(Event("ChannelClosed", "channel", code, {"tx_type": target, "reason": reason}))
    return _channel_reads(uow, (code,))[0]


def open_channel(
    uow: UnitOfWork, actor: Actor, code: str, tx_type: str | None = None, reason: str = ""
) -> ChannelRead:
    """Open a channel again (or one transaction type on it), at once. Opening the whole channel leaves the
    transaction types closed one by one closed: each is opened by name."""
    actor.require(P.CHANNEL_ADMIN)
    check_channel(code)
    target = WHOLE if tx_type in (None, "", WHOLE) else check_tx_type(tx_type)
    reason = reason.strip()[:200]
    gone = uow.conn.execute(
        delete(ChannelClosure).where(ChannelClosure.channel == code, ChannelClosure.tx_type == target)
    ).rowcount
    if gone:
        uow.audit(actor, "channel.open", "channel", code, tx_type=target, reason=reason)
        uow.publish(Event("ChannelOpened", "channel", code, {"tx_type": target, "reason": reason}))
    return _channel_reads(uow, (code,))[0]
