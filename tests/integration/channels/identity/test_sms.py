"""The pluggable SMS sender: the development outbox, the log (code blanked out), production without codes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from corebank.bootstrap import Bank
from corebank.channels import sms
from corebank.channels.identity_errors import SmsSenderUnknown


@contextmanager
def _settings(bank: Bank, **change: Any) -> Iterator[None]:
    saved = bank.uow.settings
    bank.uow.settings = saved.model_copy(update=change)
    try:
        yield
    finally:
        bank.uow.settings = saved


def _send(bank: Bank, phone: str, code: str) -> None:
    bank.run(sms.send, phone=phone, text="[CoreBank] Your code is {code}.", code=code, purpose="test")


def test_the_outbox_keeps_messages_newest_first(bank: Bank) -> None:
    _send(bank, "13600000001", "111111")
    _send(bank, "136 0000 0001", "222222")
    msgs = bank.run(sms.outbox_for, "13600000001", readonly=True)
    assert [m.code for m in msgs] == ["222222", "111111"]
    assert msgs[0].text == "[CoreBank] Your code is 222222." and msgs[0].phone_masked == "136****0001"
    assert bank.run(sms.recent_outbox, phone="13600000001", last=1, readonly=True)[0].code == "222222"


def test_the_log_sender_never_writes_the_code(bank: Bank, caplog: pytest.LogCaptureFixture) -> None:
    with _settings(bank, sms_sender="log"), caplog.at_level(logging.INFO, logger="corebank.sms"):
        _send(bank, "13600000002", "345678")
    assert "345678" not in caplog.text and "136****0002" in caplog.text and "******" in caplog.text
    assert bank.run(sms.outbox_for, "13600000002", readonly=True) == []


def test_production_keeps_no_code_in_the_outbox_and_an_unknown_sender_is_refused(bank: Bank) -> None:
    with _settings(bank, environment="production"):
        _send(bank, "13600000003", "456789")
    [msg] = bank.run(sms.outbox_for, "13600000003", readonly=True)
    assert msg.code is None and "456789" not in msg.text
    with _settings(bank, sms_sender="carrier-pigeon"), pytest.raises(SmsSenderUnknown):
        _send(bank, "13600000004", "567890")
