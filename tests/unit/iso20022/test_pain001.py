"""pain.001 bulk files: streamed validation, counts and sums, the error codes, bounded memory."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from corebank.iso20022 import (
    PAIN001,
    Iso20022Error,
    Pain001Header,
    Pain001Line,
    Pain001PaymentInfo,
    build_pacs008,
    build_pain001,
    iter_pain001,
    scan_pain001,
    validate,
)
from corebank.iso20022.pain001 import Pain001Row, read_pain001
from tests.unit.iso20022 import samples

DEBTOR_ACCOUNT = "6222000011112222"


def make_lines(n: int, per_block: int, amount: Decimal = Decimal("12.34")) -> Iterator[Pain001Line]:
    for seq in range(1, n + 1):
        yield Pain001Line(
            pmt_inf_id=f"PMT{(seq - 1) // per_block + 1}",
            seq=seq,
            end_to_end_id=f"SAL-{seq:06d}",
            amount=amount,
            currency="CNY",
            creditor_name=f"员工{seq}",
            creditor_account=f"6217{seq:012d}",
            creditor_bank_code=samples.OTHER_BANK if seq % 2 else samples.OUR_BANK,
            remittance="11月工资",
        )


def make_file(
    path: Path, n: int = 5, per_block: int = 3, amount: Decimal = Decimal("12.34")
) -> tuple[Pain001Header, list[Pain001PaymentInfo]]:
    blocks = (n + per_block - 1) // per_block
    infos = []
    for b in range(1, blocks + 1):
        size = min(per_block, n - (b - 1) * per_block)
        infos.append(
            Pain001PaymentInfo(
                pmt_inf_id=f"PMT{b}",
                debtor_name="北京某某科技有限公司",
                debtor_account=DEBTOR_ACCOUNT,
                debtor_bank_code=samples.OUR_BANK,
                requested_execution_date=date(2026, 11, 25),
                nb_of_txs=size,
                control_sum=amount * size,
                batch_booking=b % 2 == 1,
            )
        )
    header = Pain001Header(
        "PAYROLL-202611", datetime(2026, 11, 24, 18, 0), n, amount * n, "北京某某科技有限公司"
    )
    build_pain001(header, infos, make_lines(n, per_block, amount), path)
    return header, infos


def test_round_trip_scan_and_iter(tmp_path: Path) -> None:
    path = tmp_path / "payroll.xml"
    header, infos = make_file(path)
    xml = path.read_bytes()
    assert validate(xml) == PAIN001
    samples.xmlschema_validate(PAIN001, xml)
    assert build_pain001(header, infos, make_lines(5, 3)) == xml  # bytes and file agree
    assert scan_pain001(path) == (header, infos)
    assert list(iter_pain001(path)) == list(make_lines(5, 3))


def test_read_hands_on_the_lines_in_chunks_after_validating(tmp_path: Path) -> None:
    path = tmp_path / "payroll.xml"
    header, infos = make_file(path, n=7, per_block=3)
    chunks: list[list[Pain001Row]] = []
    assert read_pain001(path, chunks.append, chunk=3) == (header, infos)
    assert [len(c) for c in chunks] == [3, 3, 1]
    rows = [row for c in chunks for row in c]
    expected = [
        Pain001Row(
            ln.seq,
            ln.pmt_inf_id,
            ln.end_to_end_id,
            1234,
            ln.currency,
            ln.creditor_name,
            ln.creditor_account,
            ln.creditor_bank_code,
            ln.remittance,
        )
        for ln in make_lines(7, 3)
    ]
    assert rows == expected


def test_lines_read_field_by_field_as_written(tmp_path: Path) -> None:
    """Long remittances come back whole (written as 140-character Ustrd pieces); absent parts are "";
    a name of blanks is kept (the parser drops only the indentation between elements)."""
    path = tmp_path / "p.xml"
    lines = [
        Pain001Line("PMT1", 1, "E2E-1", Decimal("5"), "CNY", "", "", "", "x" * 300),
        Pain001Line("PMT1", 2, "E2E-2", Decimal("0.10"), "CNY", "张三", "6217000000000001", "", ""),
        Pain001Line("PMT1", 3, "E2E-3", Decimal("1.00"), "CNY", "  ", "6217000000000002", "", " x "),
    ]
    info = Pain001PaymentInfo(
        "PMT1", "", DEBTOR_ACCOUNT, samples.OUR_BANK, date(2026, 11, 25), 3, Decimal("6.10"), True
    )
    header = Pain001Header("M-1", datetime(2026, 11, 24, 18, 0), 3, Decimal("6.10"), "")
    build_pain001(header, [info], lines, path)
    assert list(iter_pain001(path)) == lines
    chunks: list[list[Pain001Row]] = []
    read_pain001(path, chunks.append)
    assert [(r.amount, r.creditor_name, r.creditor_account, r.remittance) for r in chunks[0]] == [
        (500, "", "", "x" * 300),
        (10, "张三", "6217000000000001", ""),
        (100, "  ", "6217000000000002", " x "),
    ]


@pytest.mark.parametrize(
    ("text", "minor"), [("12", 1200), ("12.3", 1230), ("12.340", 1234), ("+0.5", 50), (" 7.00 ", 700)]
)
def test_amounts_in_every_decimal_form(tmp_path: Path, text: str, minor: int) -> None:
    path = tmp_path / "p.xml"
    make_file(path, n=1, per_block=1, amount=Decimal("99.99"))
    rewrite(path, 'Ccy="CNY">99.99<', f'Ccy="CNY">{text}<')
    rewrite(path, "<CtrlSum>99.99</CtrlSum>", f"<CtrlSum>{Decimal(minor) / 100}</CtrlSum>", count=2)
    chunks: list[list[Pain001Row]] = []
    header, _ = read_pain001(path, chunks.append)
    assert chunks[0][0].amount == minor
    assert header.control_sum == Decimal(minor) / 100


def test_missing_optional_counts_are_filled_from_the_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    make_file(path, n=2, per_block=2)
    text = path.read_text("utf-8")
    text = text.replace(
        "<NbOfTxs>2</NbOfTxs>\n      <CtrlSum>24.68</CtrlSum>\n      <ReqdExctnDt>", "<ReqdExctnDt>"
    )
    text = text.replace("<CtrlSum>24.68</CtrlSum>", "")
    path.write_text(text, "utf-8")
    header, infos = scan_pain001(path)
    assert (header.control_sum, infos[0].nb_of_txs, infos[0].control_sum) == (
        Decimal("24.68"),
        2,
        Decimal("24.68"),
    )


def code_of(path: Path) -> str:
    with pytest.raises(Iso20022Error) as caught:
        scan_pain001(path)
    return caught.value.code


def rewrite(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), "utf-8")


def test_malformed(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    make_file(path)
    path.write_bytes(path.read_bytes()[:-40])  # truncated upload
    assert code_of(path) == "XML_MALFORMED"
    path.write_bytes(b"")
    assert code_of(path) == "XML_MALFORMED"


@pytest.mark.parametrize("keep", [0.3, 0.5, 0.9, 0.999])
def test_a_truncated_file_fails_however_far_it_got(tmp_path: Path, keep: float) -> None:
    """Cut anywhere (inside a line, between lines, in the closing tags), a file is refused as broken XML
    by the one-pass read too, whatever lines it has handed on already."""
    path = tmp_path / "p.xml"
    make_file(path, n=200, per_block=50)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    assert code_of(path) == "XML_MALFORMED"
    with pytest.raises(Iso20022Error) as caught:
        read_pain001(path, lambda rows: None, chunk=10)
    assert caught.value.code == "XML_MALFORMED"


def test_schema_invalid(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    make_file(path)
    rewrite(path, "<PmtMtd>TRF</PmtMtd>", "<PmtMtd>CASH</PmtMtd>")
    with pytest.raises(Iso20022Error) as caught:
        scan_pain001(path)
    assert caught.value.code == "XML_SCHEMA_INVALID"
    assert any("PmtMtd" in e for e in caught.value.errors)


def test_wrong_group_control_sum(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    make_file(path)
    rewrite(path, "<CtrlSum>61.70</CtrlSum>", "<CtrlSum>61.71</CtrlSum>")
    assert code_of(path) == "PAIN001_CONTROL_SUM"


def test_a_stated_zero_control_sum_is_checked_too(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    make_file(path)
    rewrite(path, "<CtrlSum>61.70</CtrlSum>", "<CtrlSum>0</CtrlSum>")
    assert code_of(path) == "PAIN001_CONTROL_SUM"


def test_wrong_payment_info_control_sum(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    make_file(path)
    rewrite(path, "<CtrlSum>37.02</CtrlSum>", "<CtrlSum>37.00</CtrlSum>")
    assert code_of(path) == "PAIN001_CONTROL_SUM"


def test_wrong_group_count(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    make_file(path)
    rewrite(path, "<NbOfTxs>5</NbOfTxs>", "<NbOfTxs>6</NbOfTxs>")
    assert code_of(path) == "PAIN001_COUNT"


def test_wrong_payment_info_count(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    make_file(path)
    rewrite(path, "<NbOfTxs>3</NbOfTxs>", "<NbOfTxs>2</NbOfTxs>")
    assert code_of(path) == "PAIN001_COUNT"


def test_mixed_currencies(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    make_file(path)
    rewrite(path, 'Ccy="CNY"', 'Ccy="USD"')
    assert code_of(path) == "PAIN001_CURRENCY"


def test_amount_with_too_many_decimals(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    make_file(path, n=1, per_block=1, amount=Decimal("1.005"))
    assert code_of(path) == "PAIN001_AMOUNT"


def test_wrong_message_type(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    path.write_bytes(build_pacs008(samples.pacs008()))
    assert code_of(path) == "XML_WRONG_MESSAGE"
    path.write_bytes(b"<?xml version='1.0'?><Document xmlns='urn:example'><x/></Document>")
    assert code_of(path) == "XML_UNKNOWN_MESSAGE"


def test_build_refuses_lines_of_an_unknown_block(tmp_path: Path) -> None:
    header, infos = make_file(tmp_path / "p.xml")
    stray = replace(next(make_lines(1, 1)), pmt_inf_id="NOPE")
    with pytest.raises(Iso20022Error):
        build_pain001(header, infos, [stray])


@pytest.mark.slow  # writing and scanning 100,000 lines under tracemalloc takes well over ten seconds
def test_a_100k_line_file_is_scanned_in_bounded_memory(tmp_path: Path) -> None:
    n = 100_000
    path = tmp_path / "big.xml"
    make_file(path, n=n, per_block=25_000, amount=Decimal("100.01"))
    assert path.stat().st_size > 40_000_000  # the file is bigger than the memory budget below
    tracemalloc.start()
    try:
        header, infos = scan_pain001(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (header.nb_of_txs, header.control_sum) == (n, Decimal("10001000.00"))
    assert [info.nb_of_txs for info in infos] == [25_000] * 4
    assert peak < 50 * 1024 * 1024, f"peak traced memory {peak / 1e6:.1f} MB"
    last = None
    for count, last in enumerate(iter_pain001(path), start=1):  # noqa: B007
        pass
    assert last is not None and (count, last.seq, last.end_to_end_id) == (n, n, f"SAL-{n:06d}")


def test_a_dtd_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    make_file(path)
    text = path.read_text("utf-8").replace(
        "<Document", '<!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<Document', 1
    )
    path.write_text(text.replace("<MsgId>PAYROLL-202611</MsgId>", "<MsgId>&x;</MsgId>"), "utf-8")
    assert code_of(path) == "XML_MALFORMED"
