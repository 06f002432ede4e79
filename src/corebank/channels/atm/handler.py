"""The ISO 8583 adapter: read a decoded request, call the switch's units of work, map the outcome to the answer
message. Blocking (the units of work are synchronous): the server runs it in a worker thread. `runner` is the
bank's unit-of-work factory (`Bank.uow`).

Every request is counted in channel monitoring (channel, transaction type, response code, latency), and logged
with the PAN masked and without the PIN block.
"""

from __future__ import annotations

import logging
import time

from corebank.channels import monitoring
from corebank.channels.atm import iso, switch
from corebank.channels.atm.group import GroupCommit
from corebank.db.uow import UnitOfWorkFactory
from corebank.kernel.errors import CoreBankError

log = logging.getLogger("corebank.atm")

TX_TYPES = {
    iso.WITHDRAWAL: "withdrawal",
    iso.BALANCE_INQUIRY: "balance_inquiry",
    iso.TRANSFER: "transfer",
    iso.PURCHASE: "purchase",
}
NETWORK = {iso.SIGN_ON: "sign_on", iso.SIGN_OFF: "sign_off", iso.ECHO: "echo"}


class Refused(Exception):
    """A request the adapter answers by itself (a missing or malformed field): its response code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def handle(
    runner: UnitOfWorkFactory, request: dict[str, str], group: GroupCommit | None = None
) -> dict[str, str]:
    """The answer to one decoded request (0800, 0200, 0420; anything else is answered 12). With `group`, a
    financial request shares a transaction with others queued at the same time (see `group`)."""
    started = time.perf_counter()
    mti = request.get("t", "")
    channel, tx_type = "atm", "unknown"
    try:
        if mti == "0800":
            tx_type = NETWORK.get(request.get("70", ""), "network")
            answer = _network(runner, request)
        elif mti in ("0200", "0201"):
            req = _card_request(runner, request)
            channel, tx_type = req.channel, req.tx_type
            answer = _financial(runner, request, req, group)
        elif mti in ("0420", "0421"):
            tx_type = "reversal"
            answer = _reversal(runner, request)
        else:
            answer = iso.answer_to(request, iso.INVALID_TRANSACTION)
    except Refused as r:
        answer = iso.answer_to(request, r.code)
    except CoreBankError as exc:
        answer = iso.answer_to(request, switch.response_code(exc))
    except Exception:  # one broken request must not take the terminal's connection down; say 96 and log it
        log.exception("ATM request %s from terminal %s failed", mti, request.get("41", "?"))
        answer = iso.answer_to(request, iso.SYSTEM_MALFUNCTION)
    seconds = time.perf_counter() - started
    monitoring.observe(channel, tx_type, answer["39"], seconds)
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "%s %s terminal=%s stan=%s pan=%s -> %s in %.1f ms",
            mti,
            tx_type,
            request.get("41", ""),
            request.get("11", ""),
            iso.mask_pan(request.get("2", "")),
            answer["39"],
            seconds * 1000,
        )
    return answer


def _network(runner: UnitOfWorkFactory, request: dict[str, str]) -> dict[str, str]:
    code = request.get("70", "")
    if code == iso.ECHO:
        return iso.answer_to(request, iso.APPROVED, **{"70": code})
    if code not in (iso.SIGN_ON, iso.SIGN_OFF) or "41" not in request:
        raise Refused(iso.INVALID_TRANSACTION)
    result = runner.run(switch.sign_on, request["41"], code == iso.SIGN_ON)
    return iso.answer_to(request, result, **{"70": code})


def _required(request: dict[str, str], field: str, code: str = iso.INVALID_TRANSACTION) -> str:
    value = request.get(field, "")
    if not value:
        raise Refused(code)
    return value


def _card_request(runner: UnitOfWorkFactory, request: dict[str, str]) -> switch.CardRequest:
    processing = _required(request, "3")
    tx_type = TX_TYPES.get(processing[:2])
    if tx_type is None or not processing.isdigit():
        raise Refused(iso.INVALID_TRANSACTION)
    terminal_id, stan = _required(request, "41"), _required(request, "11")
    pan = _required(request, "2", iso.INVALID_CARD)
    if not pan.isdigit():
        raise Refused(iso.INVALID_CARD)
    pin_block = _required(request, "52")
    currency = iso.CURRENCY_OF_NUMERIC.get(request.get("49", "156"))
    if currency is None:
        raise Refused(iso.INVALID_TRANSACTION)
    amount = 0
    if tx_type != "balance_inquiry":
        text = _required(request, "4", iso.INVALID_AMOUNT)
        if not text.isdigit() or int(text) <= 0:
            raise Refused(iso.INVALID_AMOUNT)
        amount = int(text)
    payee = request.get("103", "")
    if tx_type == "transfer" and not payee:
        raise Refused(iso.INVALID_TRANSACTION)
    return switch.CardRequest(
        terminal_id=terminal_id,
        stan=stan,
        field7=request.get("7", ""),
        tx_type=tx_type,
        pan=pan,
        pin_block=pin_block,
        amount=amount,
        currency=currency,
        account_type=processing[2:4],
        payee=payee,
        fingerprint=switch.fingerprint(runner.settings.hash_key, request),
    )


def _financial(
    runner: UnitOfWorkFactory, request: dict[str, str], req: switch.CardRequest, group: GroupCommit | None
) -> dict[str, str]:
    out = group.process(req) if group is not None else runner.run(switch.process, req)
    return iso.answer_to(request, out["39"], **out)


def _reversal(runner: UnitOfWorkFactory, request: dict[str, str]) -> dict[str, str]:
    terminal_id, stan = _required(request, "41"), _required(request, "11")
    try:
        _mti, original_stan, original_field7 = iso.parse_original_data(_required(request, "90"))
    except ValueError:
        raise Refused(iso.INVALID_TRANSACTION) from None
    amount_text = request.get("4", "")
    if amount_text and not amount_text.isdigit():
        raise Refused(iso.INVALID_AMOUNT)
    req = switch.ReversalRequest(
        terminal_id=terminal_id,
        stan=stan,
        field7=request.get("7", ""),
        original_stan=original_stan,
        original_field7=original_field7,
        amount=int(amount_text) if amount_text else None,
        fingerprint=switch.fingerprint(runner.settings.hash_key, request),
    )
    out = runner.run(switch.reverse, req)
    return iso.answer_to(request, out["39"], **switch.answer_fields(out))
