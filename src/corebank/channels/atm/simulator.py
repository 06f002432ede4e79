"""A small ATM that talks to the switch: `corebank atm simulate`. It builds the same ISO 8583 messages a real
ATM sends (a 2-byte length, `default_ascii`), with the PIN encrypted into a format-0 PIN block under the
terminal's PIN key, and reads the answers. Blocking sockets: one terminal, one connection."""

from __future__ import annotations

import itertools
import random
import socket
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from corebank.channels import pin
from corebank.channels.atm import iso


@dataclass(frozen=True, slots=True)
class Balances:
    """What a balance inquiry told: response code, ledger and available balances (None unless approved)."""

    code: str
    ledger: Decimal | None = None
    available: Decimal | None = None


class AtmTerminal:
    """One ATM's connection to the switch."""

    def __init__(self, host: str, port: int, terminal_id: str, pin_key: bytes, timeout: float = 10.0) -> None:
        self.terminal_id = terminal_id
        self.pin_key = pin_key
        self.sock = socket.create_connection((host, port), timeout=timeout)
        # A terminal numbers its messages (STAN) from where it stopped; a fresh simulator starts anywhere.
        self._stan = itertools.count(random.randint(1, 900_000))

    def close(self) -> None:
        """Hang up."""
        self.sock.close()

    def __enter__(self) -> AtmTerminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def exchange(self, fields: dict[str, str]) -> dict[str, str]:
        """Send one message and return the decoded answer."""
        self.sock.sendall(iso.encode(fields))
        head = self._read(2)
        (length,) = struct.unpack(">H", head)
        return iso.decode(self._read(length))

    def _read(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("the switch closed the connection")
            buf += chunk
        return buf

    def base(self, mti: str) -> dict[str, str]:
        """The fields every message carries: MTI, transmission time, a new STAN, the terminal id."""
        stan = next(self._stan) % 1_000_000 or 1
        return {
            "t": mti,
            "7": iso.transmission_time(datetime.now(UTC)),
            "11": f"{stan:06d}",
            "41": self.terminal_id,
        }

    def network(self, code: str) -> str:
        """0800 with network code `code` (001 sign-on, 002 sign-off, 301 echo); the response code."""
        return self.exchange({**self.base("0800"), "70": code})["39"]

    def card_request(
        self, processing: str, pan: str, pin_text: str, amount: Decimal | None = None, **extra: str
    ) -> dict[str, str]:
        """A 0200 for the card `pan` with its PIN encrypted in field 52; `amount` in yuan."""
        fields = {
            **self.base("0200"),
            "2": pan,
            "3": processing,
            "49": "156",
            "52": pin.encrypt_pin_block(pin_text, pan, self.pin_key),
            **extra,
        }
        if amount is not None:
            fields["4"] = f"{int((amount * 100).to_integral_value()):012d}"
        return fields

    def balance(self, pan: str, pin_text: str) -> Balances:
        """A balance inquiry (31): the ledger and available balances of field 54."""
        answer = self.exchange(self.card_request("311000", pan, pin_text))
        if answer["39"] != iso.APPROVED:
            return Balances(answer["39"])
        groups = {g[1]: g[3] for g in iso.parse_balances(answer.get("54", ""))}
        return Balances(answer["39"], Decimal(groups.get("01", 0)) / 100, Decimal(groups.get("02", 0)) / 100)

    def withdraw(self, pan: str, pin_text: str, amount: Decimal) -> dict[str, str]:
        """A cash withdrawal (01); the answer."""
        return self.exchange(self.card_request("011000", pan, pin_text, amount))

    def transfer(self, pan: str, pin_text: str, amount: Decimal, payee: str) -> dict[str, str]:
        """A transfer (40) to account `payee` of this bank (field 103); the answer."""
        return self.exchange(self.card_request("401000", pan, pin_text, amount, **{"103": payee}))

    def reverse(self, original: dict[str, str]) -> dict[str, str]:
        """A reversal (0420) of the request `original` the ATM could not complete; the answer."""
        fields = {
            **self.base("0420"),
            "2": original["2"],
            "3": original["3"],
            "4": original["4"],
            "49": original.get("49", "156"),
            "90": iso.original_data(original["t"], original["11"], original["7"]),
        }
        return self.exchange(fields)
