"""Back office, end of day (日终): the business date, the last runs step by step, and a Run button.

Reading is ledger.read, as GET /api/v1/eod/status; running is eod.run, as `corebank eod run`. The page starts
the same runner (`eod.run_until` for the current date) in a background thread of this process and answers at
once; the status panel then polls itself with htmx until the run has finished. The runner's own lease keeps a
second start (from this page, another process or the CLI) from running the same date twice.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from corebank import eod
from corebank.bootstrap import Bank
from corebank.kernel.errors import CoreBankError
from corebank.security import Actor, P
from corebank.web.deps import get_bank
from corebank.web.pages.errors import error_view
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, NavItem, redirect, register_nav, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Actor, Depends(console_page(P.LEDGER_READ))]
Runner = Annotated[Actor, Depends(console_page(P.EOD_RUN))]

register_nav(NavItem("console", N_("Books"), N_("End of day"), "/console/eod", P.LEDGER_READ, 50))

# Statuses of runs and steps as the runner records them, for the catalogs.
STATUS_NAMES = (N_("running"), N_("done"), N_("failed"), N_("pending"), N_("open"), N_("closing"))


@dataclass
class Job:
    """An end-of-day run this process started from the console."""

    started_by: str
    thread: threading.Thread | None = None
    closed: list[date] = field(default_factory=list)
    error: dict[str, str] | None = None
    step: str = ""

    @property
    def alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


_jobs: dict[int, Job] = {}  # id(bank) -> the last run started from this process's console
_lock = threading.Lock()


def last_job(bank: Bank) -> Job | None:
    """The last end-of-day run this process started for `bank` (tests wait on its thread)."""
    return _jobs.get(id(bank))


def _work(bank: Bank, actor: Actor, job: Job) -> None:
    def report(p: eod.Progress) -> None:
        job.step = p.step

    try:
        job.closed = eod.run_until(bank, actor, None, report=report)
    except CoreBankError as exc:
        job.error = {"code": exc.code, "title": exc.title, "detail": exc.detail}
    except Exception as exc:  # a crash in a step: the run row says where; the page shows the code
        job.error = {"code": "INTERNAL_ERROR", "title": "Unexpected error", "detail": type(exc).__name__}


def _context(request: Request, actor: Actor) -> dict[str, Any]:
    bank = get_bank(request)
    state = bank.run(eod.business_state, readonly=True)
    runs = bank.run(eod.eod_status, actor, None, 5, readonly=True)
    job = last_job(bank)
    running = (job is not None and job.alive) or any(r["status"] == "running" for r in runs[:1])
    job_error = None
    if job is not None and job.error is not None and not job.alive:
        e = job.error
        job_error = error_view(e["code"], e["title"], e["detail"])
    return {
        "state": state,
        "runs": runs,
        "running": running,
        "job": job,
        "job_error": job_error,
        "can_run": actor.can(P.EOD_RUN),
    }


@router.get("/eod")
def eod_page(request: Request, actor: Reader) -> Response:
    return render(request, "console/backoffice/eod.html", _context(request, actor))


@router.get("/eod/status")
def eod_status_panel(request: Request, actor: Reader) -> Response:
    """The status panel alone, for htmx polling while a run goes on."""
    return render(request, "console/backoffice/_eod_status.html", _context(request, actor))


@router.post("/eod/run")
def eod_run(request: Request, actor: Runner) -> Response:
    """Start closing the current business date in the background."""
    bank = get_bank(request)
    with _lock:
        job = _jobs.get(id(bank))
        if job is not None and job.alive:
            exc = eod.EodAlreadyRunning(f"started from the console by {job.started_by}")
            ctx = _context(request, actor) | {"run_error": error_view(exc.code, exc.title, exc.detail)}
            return render(request, "console/backoffice/eod.html", ctx, status=exc.status)
        job = Job(started_by=actor.username)
        job.thread = threading.Thread(target=_work, args=(bank, actor, job), name="console-eod", daemon=True)
        _jobs[id(bank)] = job
        job.thread.start()
    return redirect("/console/eod", text=_("End of day started."))
