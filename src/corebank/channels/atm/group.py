"""Group commit for the switch's financial requests: several terminals' requests in one transaction.

With SQLite (one writer, `synchronous=FULL`) every transaction ends in an fsync, and the writer lock is held
through it: one transaction per withdrawal measured at about a third of a withdrawal's time spent committing.
Here the requests that queue while a transaction runs are taken together into the next one, each in a
savepoint of its own:

- a request's answer (approved, refused, a counted wrong PIN) is kept in its savepoint; a request that raises a
  refusal (a closed channel) rolls back its savepoint only, with its audit records and events;
- a transient failure (a busy database, a serialization conflict) re-runs the whole batch (the unit of work's
  retry); any other failure re-runs each request of the batch on its own, so one broken request costs the
  others nothing;
- every answer is handed back only after the batch has committed: nothing is answered that could be lost.

There is no timer: the thread that finds no batch running takes whatever has queued (itself included) and
commits it while the next requests queue, so an idle switch answers at once and a busy one commits less often.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

from corebank.channels.atm import switch
from corebank.db.uow import UnitOfWork, UnitOfWorkFactory
from corebank.kernel.errors import CoreBankError

MAX_BATCH = 32


@dataclass(slots=True)
class _Pending:
    req: switch.CardRequest
    done: threading.Event = field(default_factory=threading.Event)
    answer: dict[str, str] | None = None
    error: BaseException | None = None


def _process_many(uow: UnitOfWork, reqs: list[switch.CardRequest]) -> list[dict[str, str] | CoreBankError]:
    """`switch.process` for each request in its own savepoint of this unit of work."""
    out: list[dict[str, str] | CoreBankError] = []
    for req in reqs:
        audits, events = len(uow.audits), len(uow.events)
        try:
            with uow.session.begin_nested():
                out.append(switch.process(uow, req))
        except CoreBankError as exc:
            # The savepoint is gone: so are the audit records and events it had queued.
            del uow.audits[audits:], uow.events[events:]
            out.append(exc)
    return out


class GroupCommit:
    """Runs `switch.process` for requests from many threads, several to a transaction (see the module)."""

    def __init__(self, runner: UnitOfWorkFactory, max_batch: int = MAX_BATCH) -> None:
        self.runner = runner
        self.max_batch = max_batch
        self._queue: deque[_Pending] = deque()
        self._leader = threading.Lock()

    def process(self, req: switch.CardRequest) -> dict[str, str]:
        """The answer to one financial request, once the transaction that carried it has committed; raises
        what `switch.process` raised for it."""
        item = _Pending(req)
        self._queue.append(item)
        while not item.done.is_set():
            with self._leader:
                if item.done.is_set():
                    break
                batch: list[_Pending] = []
                while self._queue and len(batch) < self.max_batch:
                    batch.append(self._queue.popleft())
                if batch:
                    self._commit(batch)
        if item.error is not None:
            raise item.error
        assert item.answer is not None
        return item.answer

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            self._run(batch)
        finally:  # whatever happened, no thread is left waiting for an answer that will not come
            for p in batch:
                if not p.done.is_set():
                    p.error = RuntimeError("the batch was interrupted")
                    p.done.set()

    def _run(self, batch: list[_Pending]) -> None:
        try:
            results = self.runner.run(_process_many, [p.req for p in batch])
        except Exception:  # not transient (those were retried): each request on its own
            for p in batch:
                try:
                    p.answer = self.runner.run(switch.process, p.req)
                except Exception as exc:  # handed to that request's thread, which answers it
                    p.error = exc
                p.done.set()
            return
        for p, result in zip(batch, results, strict=True):
            if isinstance(result, CoreBankError):
                p.error = result
            else:
                p.answer = result
            p.done.set()
