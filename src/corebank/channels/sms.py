"""Text messages to customers through a pluggable sender (`settings.sms_sender`).

"outbox" (development, tests, the demo) writes each message to the `sms_outbox` table, where `corebank ebank
outbox` and the tests read the codes; the code column stays empty in production. "log" writes a log line with
the code blanked out. A deployment plugs its gateway in with `register_sender`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from corebank.channels.identity_errors import SmsSenderUnknown
from corebank.channels.identity_models import SmsOutbox
from corebank.channels.identity_schemas import SmsRead
from corebank.db.uow import UnitOfWork
from corebank.security import cipher_for, mask

log = logging.getLogger("corebank.sms")
CODE_SLOT = "{code}"


@dataclass(frozen=True, slots=True)
class OutgoingSms:
    """A message on its way: `text` holds `{code}` where the one-time code goes (if any)."""

    phone: str
    text: str
    code: str | None
    purpose: str

    def rendered(self) -> str:
        """The message as the phone shows it."""
        return self.text.replace(CODE_SLOT, self.code or "")

    def redacted(self) -> str:
        """The message with the code blanked out, fit for a log."""
        return self.text.replace(CODE_SLOT, "******")


Sender = Callable[[UnitOfWork, OutgoingSms], None]


def _to_outbox(uow: UnitOfWork, msg: OutgoingSms) -> None:
    # The code is kept beside the text only where a person reads it for testing: never in production.
    keep_code = uow.settings.environment != "production"
    uow.session.add(
        SmsOutbox(
            phone_hash=cipher_for(uow.settings).index(msg.phone),
            phone_masked=mask(msg.phone, 3, 4),
            text=(msg.rendered() if keep_code else msg.redacted())[:500],
            code=msg.code if keep_code else None,
            purpose=msg.purpose,
            created_at=uow.now,
        )
    )


def _to_log(_uow: UnitOfWork, msg: OutgoingSms) -> None:
    log.info("SMS to %s (%s): %s", mask(msg.phone, 3, 4), msg.purpose, msg.redacted())


_SENDERS: dict[str, Sender] = {"outbox": _to_outbox, "log": _to_log}


def register_sender(name: str, sender: Sender) -> None:
    """Make `sender` available as `settings.sms_sender = name` (a real SMS gateway)."""
    _SENDERS[name] = sender


def send(uow: UnitOfWork, *, phone: str, text: str, code: str | None = None, purpose: str) -> None:
    """Send `text` (with `{code}` where the code goes) to `phone` through the configured sender."""
    name = uow.settings.sms_sender
    sender = _SENDERS.get(name)
    if sender is None:
        raise SmsSenderUnknown(f"no SMS sender {name!r}; senders are {', '.join(sorted(_SENDERS))}")
    sender(uow, OutgoingSms(phone=phone.replace(" ", ""), text=text, code=code, purpose=purpose))


def _read(row: SmsOutbox) -> SmsRead:
    return SmsRead(
        phone_masked=row.phone_masked,
        text=row.text,
        code=row.code,
        purpose=row.purpose,
        created_at=row.created_at,
    )


def outbox_for(uow: UnitOfWork, phone: str) -> list[SmsRead]:
    """The development outbox's messages to `phone`, newest first."""
    h = cipher_for(uow.settings).index(phone.replace(" ", ""))
    rows = uow.session.execute(
        select(SmsOutbox).where(SmsOutbox.phone_hash == h).order_by(SmsOutbox.id.desc()).limit(200)
    ).scalars()
    return [_read(r) for r in rows]


def recent_outbox(uow: UnitOfWork, *, phone: str | None = None, last: int = 20) -> list[SmsRead]:
    """The last `last` messages in the development outbox (to `phone` only, when given), newest first."""
    q = select(SmsOutbox)
    if phone:
        q = q.where(SmsOutbox.phone_hash == cipher_for(uow.settings).index(phone.replace(" ", "")))
    rows = uow.session.execute(q.order_by(SmsOutbox.id.desc()).limit(max(1, min(last, 500)))).scalars()
    return [_read(r) for r in rows]
