"""Back office, the dashboard: deposits and loans by branch, the NPL ratio and daily channel volume, each as a
chart and a table, computed by grouped queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from corebank.loans import workouts
from corebank.loans.workout_schemas import ClassificationChange
from tests.factories import funded_account
from tests.factories.loans import active_loan


def _row(html: str, table: str, branch: str) -> list[str]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    m = re.search(rf'<th scope="row">{branch} [^<]*</th>(.*?)</tr>', body, re.S)
    if m is None:
        return []
    return re.findall(r'<td class="num">([^<]*)</td>', m.group(1))


def _amount(text: str) -> Decimal:
    return Decimal(text.split()[0].replace(",", ""))


def test_a_new_deposit_and_a_new_loan_show_in_their_branch(console, bank, staff) -> None:
    b = console("manager")
    before = b.get("/console/dashboard")
    assert before.status_code == 200
    assert "/static/vendor/chart-4.6.1.umd.min.js" in before.text and 'id="deposits-chart"' in before.text
    dep0 = _row(before.text, "deposits-table", "0001")
    loan0 = _row(before.text, "loans-table", "0001")
    funded_account(bank, staff["teller"].actor, "1234.56")
    after = b.get("/console/dashboard")
    dep1 = _row(after.text, "deposits-table", "0001")
    start = _amount(dep0[1]) if dep0 else Decimal(0)
    assert _amount(dep1[1]) - start == Decimal("1234.56")
    assert int(dep1[0]) - (int(dep0[0]) if dep0 else 0) == 1

    made = active_loan(bank, staff["teller"].actor, staff["credit"].actor, staff["approver"].actor)
    bank.run(
        workouts.classify,
        staff["risk"].actor,
        made.loan_number,
        ClassificationChange(classification="substandard", reason="borrower lost their job"),
    )
    final = b.get("/console/dashboard")
    loan1 = _row(final.text, "loans-table", "0001")
    lstart = _amount(loan0[1]) if loan0 else Decimal(0)
    nstart = _amount(loan0[2]) if loan0 else Decimal(0)
    assert _amount(loan1[1]) - lstart == Decimal("100000.00")
    assert _amount(loan1[2]) - nstart == Decimal("100000.00")
    ratio = (_amount(loan1[2]) * 100 / _amount(loan1[1])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert loan1[3] == f"{ratio} %"
    assert _row(final.text, "npl-table", "0001") == [f"{ratio} %"]


def test_staff_scoped_to_a_branch_see_only_their_branch(console) -> None:
    b = console("east_supervisor")
    r = b.get("/console/dashboard")
    assert r.status_code == 200
    assert _row(r.text, "deposits-table", "0001") == []


def _atm_today(html: str) -> int:
    body = html.split('id="volume-table"', 1)[1].split("</table>", 1)[0]
    heads = re.findall(r'<th scope="col" class="num">([^<]*)</th>', body)
    today = datetime.now(UTC).date().isoformat()
    m = re.search(rf'<th scope="row">{today}</th>(.*?)</tr>', body, re.S)
    if m is None or "自助柜员机" not in heads:
        return 0
    cells = re.findall(r'<td class="num">(\d+)</td>', m.group(1))
    return int(cells[heads.index("自助柜员机")])


def test_the_channel_volume_table_counts_requests_per_day(console, bank) -> None:
    from corebank.channels import monitoring

    b = console("accountant")
    monitoring.Flusher(bank).flush_now()
    before = _atm_today(b.get("/console/dashboard").text)
    for _ in range(3):
        monitoring.observe("atm", "withdrawal", "00", 0.01)
    monitoring.Flusher(bank).flush_now()
    r = b.get("/console/dashboard")
    assert r.status_code == 200 and 'id="volume-chart"' in r.text
    assert _atm_today(r.text) - before == 3


def test_a_teller_may_not_open_the_dashboard(console) -> None:
    r = console("teller").get("/console/dashboard")
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
