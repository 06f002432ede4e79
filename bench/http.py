"""REST transfers per second against a no-op request on the same server.

    .venv/bin/python bench/http.py                          # SQLite temp file
    .venv/bin/python bench/http.py --url postgresql+psycopg://user@host:port/db   # a new database there

Prepares a bank (a teller and funded accounts), starts the real server as `corebank serve` does (uvicorn
with the `corebank.web.asgi:make_app` factory, uvloop and httptools, one worker, on a free port on
127.0.0.1), logs in, then sends
a bounded number of requests from concurrent asyncio tasks over keep-alive connections (httpx):
`GET /noop` (the baseline: routing, middleware and JSON, no database) and `POST /api/v1/transfers` with a
unique Idempotency-Key each. Prints requests/second of each and their ratio, plus the CPU each request cost
the server and the client. The server is always stopped at the end.
"""

from __future__ import annotations

import sys

# This file is named http.py: with bench/ first on sys.path it would shadow the standard library's http.
sys.path.append(sys.path.pop(0))


import argparse
import asyncio
import os
import random
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from common import (
    BENCH_PASSWORD,
    BENCH_USER,
    bench_database,
    bench_settings,
    machine,
    prepare,
    print_table,
    server_env,
)
from corebank import bootstrap, ledger


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) the server process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable, "-m", "uvicorn", "--factory", "corebank.web.asgi:make_app",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--loop", "uvloop", "--http", "httptools",
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_until_up(base: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not come up in {timeout} s:\n{log.read_text()}")


Request = Callable[[httpx.AsyncClient, int], "asyncio.Future[httpx.Response] | object"]


async def drive(
    base: str, make: Callable[[httpx.AsyncClient, int], object], total: int, tasks: int, seconds: float
) -> tuple[int, int, float, float]:
    """Send up to `total` requests from `tasks` concurrent tasks (stopping after `seconds`); return
    (successes, failures, wall seconds, client CPU seconds)."""
    limits = httpx.Limits(max_connections=tasks, max_keepalive_connections=tasks)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        next_i, ok, bad = 0, 0, 0
        start, cpu = time.perf_counter(), time.process_time()
        deadline = start + seconds

        async def worker() -> None:
            nonlocal next_i, ok, bad
            while next_i < total and time.perf_counter() < deadline:
                i, next_i = next_i, next_i + 1
                r = await make(client, i)  # type: ignore[misc]
                if r.status_code in (200, 201):
                    ok += 1
                else:
                    bad += 1
                    if bad <= 3:
                        print(f"  refused: {r.status_code} {r.text[:200]}")

        await asyncio.gather(*(worker() for _ in range(tasks)))
        return ok, bad, time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="PostgreSQL server URL (a new database is created there); default SQLite")
    ap.add_argument("--accounts", type=int, default=200)
    ap.add_argument("--transfers", type=int, default=1500, help="transfer requests at most")
    ap.add_argument("--noops", type=int, default=4000, help="no-op requests at most")
    ap.add_argument("--seconds", type=float, default=10.0, help="seconds per measurement at most")
    ap.add_argument("--tasks", type=int, default=4, help="concurrent client tasks (one connection each)")
    args = ap.parse_args()

    with bench_database(args.url) as (url, var):
        t0 = time.perf_counter()
        settings = bench_settings(url, var)
        b = prepare(settings, args.accounts)
        b.bank.dispose()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(tempfile.mkdtemp(prefix="corebank-bench-")) / "server.log"
        proc = start_server(server_env(settings), port, log)
        try:
            wait_until_up(base, proc, log)
            token = httpx.post(
                f"{base}/api/v1/auth/token", data={"username": BENCH_USER, "password": BENCH_PASSWORD}
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            rng = random.Random(7)
            pairs = [rng.sample(b.numbers, 2) for _ in range(args.transfers + 100)]
            amounts = [rng.randint(1, 999) for _ in pairs]

            def transfer(c: httpx.AsyncClient, i: int, tag: str = "t") -> object:
                payer, payee = pairs[i]
                body = {"from_account": payer, "to_account": payee, "amount": f"0.{amounts[i] % 100:02d}"}
                if amounts[i] % 100 == 0:
                    body["amount"] = "1.00"
                return c.post(
                    "/api/v1/transfers", json=body, headers={**auth, "Idempotency-Key": f"{tag}-{i}"}
                )

            def noop(c: httpx.AsyncClient, i: int) -> object:
                return c.get("/noop")

            print(
                f"CoreBank HTTP benchmark — {b.bank.engine.dialect.name}, uvicorn 1 worker on {base}, "
                f"{args.tasks} keep-alive client tasks (set-up {time.perf_counter() - t0:.1f} s)"
            )
            print(machine())
            asyncio.run(drive(base, noop, 200, args.tasks, 10))  # warm-up
            asyncio.run(drive(base, lambda c, i: transfer(c, i, "warm"), 50, args.tasks, 10))
            results = {}
            for name, make, total in (
                ("GET /noop", noop, args.noops),
                ("POST /transfers", transfer, args.transfers),
            ):
                before = server_cpu(proc.pid)
                ok, bad, secs, cpu = asyncio.run(drive(base, make, total, args.tasks, args.seconds))
                results[name] = (ok, bad, secs, cpu, server_cpu(proc.pid) - before)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        rows = []
        for name, (ok, bad, secs, cpu, srv) in results.items():
            n = max(ok + bad, 1)
            rows.append(
                [name, str(ok), str(bad), f"{secs:.2f}", f"{ok / secs:.0f}", f"{1000 * srv / n:.2f}",
                 f"{1000 * cpu / n:.2f}"]
            )  # fmt: skip
        print()
        print_table(
            ["request", "ok", "failed", "seconds", "req/s", "server CPU ms/req", "client CPU ms/req"], rows
        )
        noop_rate = results["GET /noop"][0] / results["GET /noop"][2]
        tr_rate = results["POST /transfers"][0] / results["POST /transfers"][2]
        print(f"\nREST transfer / no-op = {tr_rate / noop_rate:.1%} (requests per second)")
        srv = {k: v[4] / max(v[0] + v[1], 1) for k, v in results.items()}
        if srv["POST /transfers"] > 0:
            print(
                f"server CPU per no-op / per transfer = {srv['GET /noop'] / srv['POST /transfers']:.1%} "
                "(the ratio when the server, not the client, is the bottleneck)"
            )
        check = bootstrap.build(settings)
        tb = check.run(ledger.trial_balance, readonly=True)
        print(f"trial balance after the run: {'balanced' if tb.balanced else 'NOT BALANCED'}")
        check.dispose()


if __name__ == "__main__":
    main()
