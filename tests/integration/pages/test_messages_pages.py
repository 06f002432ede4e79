"""Secure messages in the pages: a customer writes in internet banking, the teller finds it in the counter's
inbox and answers, the customer sees the answer with an unread badge that goes when it is read; refusals keep
what was typed and store nothing; a form without the CSRF token is refused; staff outside the branch scope or
without P.CUSTOMER_WRITE cannot reach or answer the thread."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import func, select

from corebank.bootstrap import Bank
from corebank.channels.message_models import CustomerMessage
from corebank.db.uow import UnitOfWork
from tests.integration.pages.conftest import PageClient
from tests.integration.pages.test_bank_support import customer

__all__ = ["customer"]
THREAD = re.compile(r"/messages/(\d+)$")
NEXT = re.compile(r'href="(/console/messages\?cursor=\d+)"')


def stored(bank: Bank) -> int:
    def count(uow: UnitOfWork) -> int:
        return int(uow.session.execute(select(func.count()).select_from(CustomerMessage)).scalar_one())

    return bank.run(count, readonly=True)


def in_inbox(b: PageClient, thread_id: int) -> bool:
    """Whether the thread is in the staff member's inbox, on any of its pages."""
    url: str | None = "/console/messages"
    while url:
        r = b.get(url)
        assert r.status_code == 200, r.text[:500]
        if f'href="/console/messages/{thread_id}"' in r.text:
            return True
        m = NEXT.search(r.text)
        url = m.group(1) if m else None
    return False


def test_a_customer_writes_the_teller_answers_and_the_customer_reads_it(  # type: ignore[no-untyped-def]
    customer, console: Callable[[str], PageClient], bank: Bank
) -> None:
    c = customer(balance="")
    home = c.browser.get("/bank")
    assert 'href="/bank/messages"' in home.text
    r = c.browser.get("/bank/messages")
    assert r.status_code == 200 and 'id="unread-total"' not in r.text
    r = c.browser.post(
        "/bank/messages", {"subject": "Lost card", "body": "I lost my card <b>today</b>.\nPlease stop it."}
    )
    assert r.status_code == 200, r.text[:800]
    m = THREAD.search(r.url.path)
    assert m, r.url
    tid = int(m.group(1))
    assert "I lost my card &lt;b&gt;today&lt;/b&gt;.\nPlease stop it." in r.text  # plain text, escaped

    teller = console("teller")
    assert 'href="/console/messages"' in teller.get("/console").text
    assert in_inbox(teller, tid)
    r = teller.get(f"/console/customers/{c.person.number}/messages")
    assert r.status_code == 200 and f'href="/console/messages/{tid}"' in r.text and "Lost card" in r.text
    r = teller.get(f"/console/messages/{tid}")
    assert r.status_code == 200 and "Please stop it." in r.text and "badge-unread" in r.text
    r = teller.post(
        f"/console/messages/{tid}/reply", {"body": "We have stopped the card. Come to the counter."}
    )
    assert r.status_code == 200 and r.url.path == f"/console/messages/{tid}", r.text[:800]
    assert "We have stopped the card." in r.text and "badge-unread" not in r.text
    assert not in_inbox(teller, tid)

    r = c.browser.get("/bank/messages")
    assert 'id="unread-total"' in r.text and 'class="unread"' in r.text
    r = c.browser.get(f"/bank/messages/{tid}")
    assert (
        "We have stopped the card." in r.text and "teller" not in r.text
    )  # the bank answers, not a username
    r = c.browser.get("/bank/messages")
    assert 'id="unread-total"' not in r.text and f'href="/bank/messages/{tid}"' in r.text

    r = c.browser.post(f"/bank/messages/{tid}", {"body": "Thank you."})
    assert r.status_code == 200 and r.url.path == f"/bank/messages/{tid}" and "Thank you." in r.text
    assert in_inbox(teller, tid)
    r = teller.post(f"/console/messages/{tid}/read")
    assert r.status_code == 200 and "badge-unread" not in r.text


def test_the_counter_can_write_first_and_the_customer_sees_it_unread(  # type: ignore[no-untyped-def]
    customer, console: Callable[[str], PageClient]
) -> None:
    c = customer(balance="")
    teller = console("teller")
    r = teller.post(
        f"/console/customers/{c.person.number}/messages",
        {"subject": "Your card is ready", "body": "Collect it at the counter."},
    )
    assert r.status_code == 200 and THREAD.search(r.url.path), r.text[:800]
    r = c.browser.get("/bank/messages")
    assert 'id="unread-total"' in r.text and "Your card is ready" in r.text


def test_refused_messages_keep_the_text_and_store_nothing(  # type: ignore[no-untyped-def]
    customer, console: Callable[[str], PageClient], bank: Bank
) -> None:
    c = customer(balance="")
    before = stored(bank)
    r = c.browser.post("/bank/messages", {"subject": "Only a subject", "body": "  "})
    assert r.status_code == 422 and "MESSAGE_EMPTY" in r.text and 'value="Only a subject"' in r.text
    r = c.browser.post("/bank/messages", {"subject": "Long", "body": "z" * 4001})
    assert r.status_code == 422 and "MESSAGE_TOO_LONG" in r.text and "z" * 4001 in r.text
    assert stored(bank) == before

    r = c.browser.post("/bank/messages", {"subject": "Hours", "body": "When do you open?"})
    tid = int(THREAD.search(r.url.path).group(1))  # type: ignore[union-attr]
    r = c.browser.post(f"/bank/messages/{tid}", {"body": ""})
    assert r.status_code == 422 and "MESSAGE_EMPTY" in r.text
    teller = console("teller")
    r = teller.post(f"/console/messages/{tid}/reply", {"body": "y" * 4001})
    assert r.status_code == 422 and "MESSAGE_TOO_LONG" in r.text
    assert stored(bank) == before + 1

    other = customer(balance="")
    assert other.browser.get(f"/bank/messages/{tid}").status_code == 404
    r = other.browser.post(f"/bank/messages/{tid}", {"body": "Let me in."})
    assert r.status_code == 404 and "NOT_FOUND" in r.text
    assert stored(bank) == before + 1


def test_forms_without_the_csrf_token_are_refused_and_change_nothing(  # type: ignore[no-untyped-def]
    customer, console: Callable[[str], PageClient], bank: Bank
) -> None:
    c = customer(balance="")
    c.browser.get("/bank/messages")
    before = stored(bank)
    r = c.browser.post("/bank/messages", {"subject": "Hi", "body": "Forged?"}, csrf=False)
    assert r.status_code == 403 and "CSRF_FAILED" in r.text
    r = c.browser.post("/bank/messages", {"subject": "Hi", "body": "Forged?", "csrf": "forged"}, csrf=False)
    assert r.status_code == 403
    assert stored(bank) == before

    r = c.browser.post("/bank/messages", {"subject": "Hi", "body": "A real one."})
    tid = int(THREAD.search(r.url.path).group(1))  # type: ignore[union-attr]
    teller = console("teller")
    teller.get(f"/console/messages/{tid}")
    r = teller.post(f"/console/messages/{tid}/reply", {"body": "Forged reply"}, csrf=False)
    assert r.status_code == 403 and "CSRF_FAILED" in r.text
    r = teller.post(f"/console/messages/{tid}/read", csrf=False)
    assert r.status_code == 403
    assert stored(bank) == before + 1
    assert "badge-unread" in teller.get(f"/console/messages/{tid}").text


def test_staff_out_of_scope_or_without_write_cannot_answer(  # type: ignore[no-untyped-def]
    customer, console: Callable[[str], PageClient], bank: Bank
) -> None:
    c = customer(balance="")  # a customer of head office 0001
    r = c.browser.post("/bank/messages", {"subject": "Scope", "body": "Who can read this?"})
    tid = int(THREAD.search(r.url.path).group(1))  # type: ignore[union-attr]
    before = stored(bank)

    east = console("east_teller")
    r = east.get(f"/console/messages/{tid}")
    assert r.status_code == 403 and "OUT_OF_BRANCH_SCOPE" in r.text
    assert east.get(f"/console/customers/{c.person.number}/messages").status_code == 403
    east.get("/console/messages")
    r = east.post(f"/console/messages/{tid}/reply", {"body": "Me."})
    assert r.status_code == 403 and "OUT_OF_BRANCH_SCOPE" in r.text
    assert not in_inbox(east, tid)

    auditor = console("auditor")
    r = auditor.get(f"/console/messages/{tid}")
    assert r.status_code == 200 and "Who can read this?" in r.text
    assert f'action="/console/messages/{tid}/reply"' not in r.text
    r = auditor.post(f"/console/messages/{tid}/reply", {"body": "Me."})
    assert r.status_code == 403
    assert stored(bank) == before
