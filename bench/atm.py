"""ISO 8583 cash withdrawals per second from many concurrent ATMs, beside an echo (0800/301) baseline on the
same server in the same run.

    .venv/bin/python bench/atm.py                                   # SQLite temp file, 100 terminals
    .venv/bin/python bench/atm.py --terminals 100 --url postgresql+psycopg://user@host:port/db

Prepares a bank (`--cards` funded Type I accounts, each with an active debit card; `--terminals` ATMs with
cash), starts the real switch as `corebank atm serve` (a subprocess on a free port), then opens one TCP
connection per terminal and has each send requests one after another (as an ATM does) from asyncio tasks:
first echoes (no database: framing, decoding and the event loop), then withdrawals of 100.00 with a PIN block
(each: the channel registry, the terminal, the PIN check, the journal claim, the limits, the posting, the
answer; one transaction, shared with the other terminals' requests queued at the same time). Prints the
rate of each, p50/p99 latency as the terminals saw it, the ratio, and the server's CPU per request. Checks
at the end: every withdrawal answered 00 is in the books once, the trial balance is balanced.
The server is always stopped.
"""

from __future__ import annotations

import sys

# bench/ holds http.py: first on sys.path it would shadow the standard library's http package.
sys.path.append(sys.path.pop(0))

import argparse
import asyncio
import os
import socket
import struct
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import iso8583
import iso8583.specs

from common import bench_database, bench_settings, machine, prepare, print_table, server_env
from corebank import bootstrap, ledger
from corebank.channels import cards, pin, terminals
from corebank.channels.card_schemas import CardIssue
from corebank.channels.terminal_schemas import TerminalCreate
from corebank.security import SYSTEM

SPEC = iso8583.specs.default_ascii
PIN = "482916"
KEY_HEX = "0123456789ABCDEFFEDCBA98765432100123456789ABCDEF"
AMOUNT = 10000  # 100.00 in fen


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


def frame(fields: dict[str, str]) -> bytes:
    raw, _ = iso8583.encode(fields, SPEC)
    return struct.pack(">H", len(raw)) + bytes(raw)


def setup(settings: Any, n_cards: int, n_terminals: int) -> tuple[list[str], list[str]]:
    """Accounts with cards, and ATMs loaded with cash; returns (PANs, terminal ids)."""
    b = prepare(settings, n_cards)
    pans = []
    for number in b.numbers:
        issued = b.bank.run(cards.issue_card, b.teller, CardIssue(account_number=number, pin=PIN))
        b.bank.run(cards.activate_card, b.teller, issued.card_id)
        pans.append(issued.pan)
    tids = [f"BENCH{i:03d}" for i in range(n_terminals)]
    for tid in tids:
        b.bank.run(
            terminals.add_terminal,
            SYSTEM,
            TerminalCreate(terminal_id=tid, kind="atm", branch_code="0001", pin_key=KEY_HEX),
        )
        b.bank.run(terminals.load_cash, SYSTEM, tid, "40000.00", f"bench-load-{tid}")
    b.bank.dispose()
    return pans, tids


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("corebank")
    cmd = [str(exe), "atm", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "8"]
    with log.open("wb") as out:
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_until_up(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    echo = frame({"t": "0800", "7": "0101000000", "11": "000001", "41": "BENCH000", "70": "301"})
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"the switch exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(echo)
                if len(s.recv(64)) > 2:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the switch did not come up in {timeout} s:\n{log.read_text()}")


async def drive(
    port: int, frames: list[list[bytes]], seconds: float
) -> tuple[list[float], dict[str, int], float]:
    """Each terminal sends its frames in turn over its own connection (stopping after `seconds`); returns the
    latencies (seconds), the count of each response code, and the wall time."""
    latencies: list[float] = []
    codes: dict[str, int] = {}
    start = time.perf_counter()
    deadline = start + seconds

    async def terminal(own: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for data in own:
                if time.perf_counter() > deadline:
                    break
                t0 = time.perf_counter()
                writer.write(data)
                (length,) = struct.unpack(">H", await reader.readexactly(2))
                body = await reader.readexactly(length)
                latencies.append(time.perf_counter() - t0)
                answer, _ = iso8583.decode(bytearray(body), SPEC)
                codes[answer["39"]] = codes.get(answer["39"], 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(terminal(f) for f in frames))
    return latencies, codes, time.perf_counter() - start


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="PostgreSQL server URL (a new database is created there); default SQLite")
    ap.add_argument("--cards", type=int, default=200, help="cards (one funded account each)")
    ap.add_argument("--terminals", type=int, default=100, help="concurrent terminals (one connection each)")
    ap.add_argument("--echoes", type=int, default=20000, help="echo requests at most")
    ap.add_argument("--withdrawals", type=int, default=4000, help="withdrawal requests at most")
    ap.add_argument("--seconds", type=float, default=15.0, help="seconds per measurement at most")
    args = ap.parse_args()

    with bench_database(args.url) as (url, var):
        t0 = time.perf_counter()
        settings = bench_settings(url, var)
        pans, tids = setup(settings, args.cards, args.terminals)
        key = bytes.fromhex(KEY_HEX)
        blocks = {p: pin.encrypt_pin_block(PIN, p, key) for p in pans}
        when = datetime.now(UTC).strftime("%m%d%H%M%S")
        k = len(tids)

        def echoes(n: int, first: int) -> list[list[bytes]]:
            per = [[] for _ in range(k)]  # type: list[list[bytes]]
            for i in range(n):
                per[i % k].append(
                    frame({"t": "0800", "7": when, "11": f"{first + i:06d}", "41": tids[i % k], "70": "301"})
                )
            return per

        def withdrawals(n: int, first: int) -> list[list[bytes]]:
            per = [[] for _ in range(k)]  # type: list[list[bytes]]
            for i in range(n):
                p = pans[i % len(pans)]
                fields = {"t": "0200", "2": p, "3": "011000", "4": f"{AMOUNT:012d}", "7": when}
                fields |= {"11": f"{first + i:06d}", "41": tids[i % k], "49": "156", "52": blocks[p]}
                per[i % k].append(frame(fields))
            return per

        port = free_port()
        log = Path(tempfile.mkdtemp(prefix="corebank-bench-")) / "switch.log"
        proc = start_server(server_env(settings), port, log)
        results: dict[str, tuple[list[float], dict[str, int], float, float]] = {}
        try:
            wait_until_up(port, proc, log)
            print(
                f"CoreBank ATM switch benchmark — {url.split(':')[0]}, `corebank atm serve` on 127.0.0.1:{port}, "
                f"{k} terminals (one connection each), {len(pans)} cards (set-up {time.perf_counter() - t0:.1f} s)"
            )
            print(machine())
            asyncio.run(drive(port, echoes(k * 5, 1), 10))  # warm-up
            asyncio.run(drive(port, withdrawals(k, 1), 30))
            for name, frames in (
                ("echo 0800/301", echoes(args.echoes, 100000)),
                ("withdrawal 0200/01", withdrawals(args.withdrawals, 200000)),
            ):
                before = server_cpu(proc.pid)
                lat, codes, secs = asyncio.run(drive(port, frames, args.seconds))
                results[name] = (lat, codes, secs, server_cpu(proc.pid) - before)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        rows = []
        for name, (lat, codes, secs, cpu) in results.items():
            n = max(len(lat), 1)
            rows.append(
                [name, str(len(lat)), " ".join(f"{c}:{v}" for c, v in sorted(codes.items())), f"{secs:.2f}",
                 f"{len(lat) / secs:.0f}", f"{1000 * pct(lat, 0.5):.1f}", f"{1000 * pct(lat, 0.99):.1f}",
                 f"{1000 * cpu / n:.2f}"]
            )  # fmt: skip
        print()
        print_table(
            ["request", "answered", "codes", "seconds", "req/s", "p50 ms", "p99 ms", "server CPU ms/req"],
            rows,
        )
        echo_lat, _, echo_secs, _ = results["echo 0800/301"]
        wd_lat, wd_codes, wd_secs, _ = results["withdrawal 0200/01"]
        ratio = (len(wd_lat) / wd_secs) / (len(echo_lat) / echo_secs)
        print(f"\nwithdrawals / echo = {ratio:.1%} (requests per second, same server, same run)")
        print(f"load average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        bank = bootstrap.build(settings)
        try:
            approved = wd_codes.get("00", 0)

            def count(uow: Any) -> tuple[int, bool]:
                from sqlalchemy import func, select

                from corebank.ledger.models import JournalEntry

                n = uow.session.execute(
                    select(func.count())
                    .select_from(JournalEntry)
                    .where(JournalEntry.kind == "atm.withdrawal")
                ).scalar()
                return int(n), ledger.trial_balance(uow).balanced

            posted, balanced = bank.run(count, readonly=True)
            warm = k  # the warm-up withdrawals
            print(f"checks: withdrawals posted {posted} = approved {approved} + warm-up {warm}: "
                  f"{'ok' if posted <= approved + warm else 'MISMATCH'}; trial balance "
                  f"{'balanced' if balanced else 'NOT BALANCED'}")  # fmt: skip
        finally:
            bank.dispose()


if __name__ == "__main__":
    main()
