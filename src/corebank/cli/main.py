"""`corebank`: init, demo, serve, db upgrade, user add, audit verify, backup, restore."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

import corebank.cli.bulk_payments
import corebank.cli.camt
import corebank.cli.loan_workouts  # noqa: F401 -- its commands join the `loan` group
from corebank import bootstrap
from corebank.cli import atm as atm_cli
from corebank.cli import calendar as calendar_cli
from corebank.cli import cards as cards_cli
from corebank.cli import channel_monitor as channel_monitor_cli
from corebank.cli import channels as channels_cli
from corebank.cli import clearing as clearing_cli
from corebank.cli import collateral as collateral_cli
from corebank.cli import ebank as ebank_cli
from corebank.cli import loans as loans_cli
from corebank.cli import mandates as mandates_cli
from corebank.cli import payments as payments_cli
from corebank.cli import points as points_cli
from corebank.cli import products as products_cli
from corebank.cli import reconcile as reconcile_cli
from corebank.cli import statements
from corebank.cli.common import build_bank, console, refuse
from corebank.cli.eod import eod_app
from corebank.config import Settings
from corebank.kernel.errors import CoreBankError
from corebank.security import SYSTEM
from corebank.security import service as security
from corebank.security.schemas import UserCreate

app = typer.Typer(help="CoreBank: an open-source retail core-banking platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Staff users.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(products_cli.app, name="product")
app.add_typer(calendar_cli.app, name="calendar")
app.add_typer(eod_app, name="eod")
app.add_typer(loans_cli.app, name="loan")
app.add_typer(collateral_cli.app, name="collateral")
app.add_typer(payments_cli.app, name="payment")
app.add_typer(mandates_cli.mandate_app, name="mandate")
app.add_typer(mandates_cli.standing_order_app, name="standing-order")
app.add_typer(mandates_cli.biller_app, name="biller")
app.add_typer(reconcile_cli.app, name="reconcile")
app.add_typer(clearing_cli.app, name="clearing")
channels_cli.app.command("monitor")(channel_monitor_cli.monitor)
app.add_typer(channels_cli.app, name="channel")
app.add_typer(ebank_cli.app, name="ebank")
app.add_typer(cards_cli.app, name="card")
app.add_typer(atm_cli.app, name="atm")
app.add_typer(points_cli.app, name="points")
app.command("statement")(statements.statement)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the Alembic migrations up to REVISION."""
    bank = build_bank()
    bootstrap.upgrade_db(bank, revision)
    console.print(f"schema at {revision} on {make_url(bank.settings.database_url).render_as_string()}")


@app.command()
def init(
    business_date: Annotated[
        str | None, typer.Option(help="first business date, YYYY-MM-DD (default today)")
    ] = None,
    demo: Annotated[
        bool, typer.Option(help="also load the demo bank: 60 days of activity ending today")
    ] = False,
) -> None:
    """Create the schema and set up a new bank (head office 0001, chart, products, admin). Safe to re-run."""
    bank = build_bank()
    bootstrap.upgrade_db(bank)
    start = date.fromisoformat(business_date) if business_date else None
    if demo and start is None:
        from corebank.demo import DEMO_DAYS

        start = date.today() - timedelta(days=DEMO_DAYS)
    result = bootstrap.initialize(bank, start)
    if result.created:
        console.print(f"[green]bank initialized[/green], business date {result.business_date}")
        console.print(f"admin password (shown once): [bold]{result.admin_password}[/bold]")
        pw_file = bank.settings.var_dir / "admin-password.txt"
        if bank.settings.environment == "development":
            pw_file.parent.mkdir(parents=True, exist_ok=True)
            pw_file.write_text(f"{result.admin_password}\n")
            pw_file.chmod(0o600)
            console.print(f"(development only: also written to {pw_file})")
    else:
        console.print("bank already initialized")
    if demo:
        _demo(bank)


def _demo(bank: bootstrap.Bank) -> None:
    from corebank import demo as demo_mod

    if not demo_mod.is_empty(bank):
        console.print("the bank already has customers: demo not loaded")
        return
    summary = demo_mod.load(bank, console=console)
    console.print(f"[green]demo bank loaded[/green]: {summary}")


@app.command()
def demo() -> None:
    """Load the deterministic demo bank into an initialized bank that has no customers yet."""
    bank = build_bank()
    _demo(bank)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="default COREBANK_HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="default COREBANK_PORT or 8000")] = None,
    workers: Annotated[int | None, typer.Option(help="uvicorn worker processes")] = None,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs)."""
    import uvicorn

    s = Settings()
    h, p = host or s.host, port or s.port
    console.print(f"CoreBank serving on http://{h}:{p}  ·  API docs http://{h}:{p}/docs  ·  health /health")
    from corebank.kernel.logs import log_config

    uvicorn.run(
        "corebank.web.asgi:make_app",
        factory=True,
        host=h,
        port=p,
        workers=workers or s.workers,
        loop="uvloop",
        http="httptools",
        log_config=log_config(),
        access_log=False,
    )


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[list[str], typer.Option("--role", help="repeat for several roles")],
    branch: Annotated[str, typer.Option("--branch", help="branch code, e.g. 0001")] = "0001",
    full_name: Annotated[str, typer.Option(help="display name")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
) -> None:
    """Add a staff user; prints a generated password unless --password-stdin is given."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    bank = build_bank()
    try:
        created = bank.run(
            security.create_user,
            SYSTEM,
            UserCreate(
                username=username, roles=role, branch_code=branch, full_name=full_name, password=password
            ),
        )
    except CoreBankError as exc:
        refuse(exc)
        return
    console.print(f"user {created.user.username} ({', '.join(created.user.roles)}) at branch {branch}")
    if created.generated_password:
        console.print(f"password (shown once): [bold]{created.generated_password}[/bold]")


@user_app.command("unlock")
def user_unlock(username: str) -> None:
    """Unlock a user locked after failed logins."""
    bank = build_bank()
    try:
        bank.run(security.unlock_user, SYSTEM, username)
    except CoreBankError as exc:
        refuse(exc)
    console.print(f"user {username} unlocked")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chain; exit 1 if any record was altered or removed."""
    bank = build_bank()
    result = bank.run(security.verify_audit_chain, readonly=True)
    if result.ok:
        console.print(f"[green]audit chain intact[/green]: {result.records} records")
    else:
        console.print(f"[red]audit chain broken[/red] at record {result.first_bad_seq}: {result.detail}")
        raise typer.Exit(1)


def _sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    return Path(u.database) if u.get_backend_name() == "sqlite" and u.database else None


@app.command()
def backup(path: Path) -> None:
    """Write a consistent copy of the database to PATH (SQLite online backup, or pg_dump for PostgreSQL)."""
    s = Settings()
    src = _sqlite_path(s.database_url)
    if src is not None:
        with sqlite3.connect(src) as live, sqlite3.connect(path) as copy:
            live.backup(copy)
        console.print(f"backed up {src} to {path}")
        return
    url = make_url(s.database_url).set(drivername="postgresql")
    with path.open("wb") as out:
        subprocess.run(
            ["pg_dump", "--format=custom", url.render_as_string(hide_password=False)], check=True, stdout=out
        )
    console.print(f"pg_dump written to {path}")


@app.command()
def restore(
    path: Path, yes: Annotated[bool, typer.Option("--yes", help="replace without asking")] = False
) -> None:
    """Replace the database with a backup made by `corebank backup` (stop the server first)."""
    s = Settings()
    if not path.exists():
        console.print(f"[red]no backup at {path}[/red]")
        raise typer.Exit(2)
    if not yes and not typer.confirm(f"replace the database with {path}?"):
        raise typer.Exit(1)
    dst = _sqlite_path(s.database_url)
    if dst is not None:
        with sqlite3.connect(path) as check:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                console.print("[red]the backup fails its integrity check[/red]")
                raise typer.Exit(2)
        for suffix in ("-wal", "-shm"):
            Path(str(dst) + suffix).unlink(missing_ok=True)
        shutil.copyfile(path, dst)
        console.print(f"restored {dst} from {path}")
        return
    url = make_url(s.database_url).set(drivername="postgresql")
    subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "-d",
            url.render_as_string(hide_password=False),
            str(path),
        ],
        check=True,
    )
    console.print(f"restored from {path}")


if __name__ == "__main__":
    app()
