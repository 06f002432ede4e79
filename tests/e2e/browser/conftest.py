"""Browser tests: a real `corebank serve` over a demo bank, driven by headless Chromium through Playwright.

Run them with `make test-browser` (or `.venv/bin/python -m pytest tests/e2e/browser -q`); `make test` and
`make test-pg` leave this folder out (pyproject's addopts ignore it unless it is named on the command line).
Add `--screenshots` to save the `shot(page, name)` pictures under docs/screenshots/.

The bank (`live_bank`, once per session) is built by the real CLI in a temporary var dir: `corebank init`
then the deterministic demo loader. By default a reduced demo (200 customers, 15 business days ending
today, about 15 s); COREBANK_BROWSER_DEMO=full loads the full `corebank init --demo` (1,000 customers,
60 days, about a minute). Chromium is /usr/bin/chromium: without it the tests are skipped, unless
COREBANK_REQUIRE_BROWSER=1 (CI), which makes that a failure.

Demo logins (development only) — every demo staff user has the password DEMO_PASSWORD = "Demo-pass-2026":

    DEMO_ADMIN              admin01        admin              head office 0001
    DEMO_MANAGER            manager01      branch_manager     0001
    DEMO_SUPERVISOR         supervisor01   supervisor         0001
    DEMO_TELLER             teller01       teller             0001
    DEMO_TELLER2            teller02       teller             0001
    DEMO_ACCOUNTANT         accountant01   accountant         0001
    DEMO_CREDIT             credit01       credit_officer     0001
    DEMO_APPROVER           approver01     credit_approver    0001
    DEMO_RISK               risk01         risk_officer       0001
    DEMO_AUDITOR            auditor01      auditor            0001
    DEMO_CHANNEL_MANAGER    channel01      channel_manager    0001
    DEMO_PRODUCT_MANAGER    product01      product_manager    0001   (product02 too)
    DEMO_BRANCH_MANAGER     manager21      branch_manager     branch 0002
    DEMO_BRANCH_SUPERVISOR  supervisor21   supervisor         0002
    DEMO_BRANCH_TELLER      teller21       teller             0002   (teller22 too)

(`corebank init` also makes the bootstrap user `admin`, whose generated password is in
`live_bank.admin_password`.)

E-banking customers (DEMO_CUSTOMERS), password DEMO_PASSWORD too, card PIN DEMO_PIN = "135790":

    demo01  phone 13800138001        demo02  phone 13800138002        demo03  phone 13800138003

Their customer number, account number, card id and PAN depend on the demo's size: take them from the `demo`
fixture (`demo["customers"][0]["customer"]`, `["account"]`, `["pan"]` ...), read from the live bank's
var/demo-channels.json.

Fixtures: live_bank (.url .var_dir .env .cli(*args) .admin_password .channels), live_url, demo, browser,
page, mobile_page, axe, shot, sms_code, console_login.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
VENDOR = Path(__file__).resolve().parent / "vendor"
AXE_JS = VENDOR / "axe-core-4.14.1.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"

DEMO_PASSWORD = "Demo-pass-2026"
DEMO_PIN = "135790"
DEMO_ADMIN = "admin01"
DEMO_MANAGER = "manager01"
DEMO_SUPERVISOR = "supervisor01"
DEMO_TELLER = "teller01"
DEMO_TELLER2 = "teller02"
DEMO_ACCOUNTANT = "accountant01"
DEMO_CREDIT = "credit01"
DEMO_APPROVER = "approver01"
DEMO_RISK = "risk01"
DEMO_AUDITOR = "auditor01"
DEMO_CHANNEL_MANAGER = "channel01"
DEMO_PRODUCT_MANAGER = "product01"
DEMO_BRANCH_MANAGER = "manager21"
DEMO_BRANCH_SUPERVISOR = "supervisor21"
DEMO_BRANCH_TELLER = "teller21"
DEMO_CUSTOMERS: tuple[dict[str, str], ...] = (
    {"login": "demo01", "phone": "13800138001"},
    {"login": "demo02", "phone": "13800138002"},
    {"login": "demo03", "phone": "13800138003"},
)

SMALL_DEMO = {"customers": 200, "days": 15}
SERVER_START_TIMEOUT = 60.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        default=False,
        help="save shot(page, name) pictures to docs/screenshots/<name>.png",
    )


# --------------------------------------------------------------------------------------------- the live bank


@dataclass
class LiveBank:
    """A running `corebank serve` over a demo bank in its own var dir."""

    url: str
    var_dir: Path
    env: dict[str, str]
    admin_password: str = ""
    channels: dict[str, Any] = field(default_factory=dict)

    def cli(
        self, *args: str, check: bool = True, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `corebank ARGS...` against this bank; returns the finished process (text output)."""
        proc = subprocess.run(
            [_corebank(), *args], env=self.env, capture_output=True, text=True, input=stdin, timeout=120
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"corebank {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
            )
        return proc


def _corebank() -> str:
    exe = Path(sys.executable).parent / "corebank"
    if exe.exists():
        return str(exe)
    found = shutil.which("corebank")
    if not found:
        raise RuntimeError("the corebank command is not installed (run make install)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bank_env(var_dir: Path) -> dict[str, str]:
    """The environment without any COREBANK_* setting of the caller (a test database URL, say), plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COREBANK_")}
    env.update(COREBANK_VAR_DIR=str(var_dir), COREBANK_ENVIRONMENT="development", PYTHONUNBUFFERED="1")
    return env


def _run(cmd: list[str], env: dict[str, str], log: Path, timeout: float) -> None:
    with log.open("ab") as out:
        out.write(f"$ {' '.join(cmd)}\n".encode())
        out.flush()
        rc = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout).returncode
    if rc != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {rc}:\n{log.read_text(errors='replace')[-4000:]}")


_LOAD_SMALL = """
import sys
from corebank import bootstrap, demo
from corebank.config import Settings
print(demo.load(bootstrap.build(Settings()), customers=int(sys.argv[1]), days=int(sys.argv[2])))
"""


def _build_demo(var_dir: Path, env: dict[str, str], log: Path) -> None:
    if os.environ.get("COREBANK_BROWSER_DEMO", "small") == "full":
        _run([_corebank(), "init", "--demo"], env, log, timeout=900)
        return
    days = SMALL_DEMO["days"]
    start = (date.today() - timedelta(days=days)).isoformat()
    _run([_corebank(), "init", "--business-date", start], env, log, timeout=300)
    _run([sys.executable, "-c", _LOAD_SMALL, str(SMALL_DEMO["customers"]), str(days)], env, log, timeout=600)


def _wait_for_health(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    end = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"corebank serve exited {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"corebank serve did not answer /health within {SERVER_START_TIMEOUT:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def live_bank() -> Iterator[LiveBank]:
    """A demo bank served by `corebank serve` on a free port on 127.0.0.1 (stopped at the end)."""
    var_dir = Path(tempfile.mkdtemp(prefix="corebank-browser-"))
    env = _bank_env(var_dir)
    log = var_dir / "setup.log"
    started = time.monotonic()
    _build_demo(var_dir, env, log)
    built = time.monotonic() - started
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    serve_log = var_dir / "serve.log"
    with serve_log.open("wb") as out:
        proc = subprocess.Popen(
            [_corebank(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=var_dir,
        )
    try:
        _wait_for_health(url, proc, serve_log)
        pw_file = var_dir / "admin-password.txt"
        channels_file = var_dir / "demo-channels.json"
        bank = LiveBank(
            url=url,
            var_dir=var_dir,
            env=env,
            admin_password=pw_file.read_text().strip() if pw_file.exists() else "",
            channels=json.loads(channels_file.read_text()) if channels_file.exists() else {},
        )
        print(f"\nlive bank {url} in {var_dir} (demo built in {built:.1f} s)", file=sys.stderr)
        yield bank
    finally:
        _stop(proc)
        if os.environ.get("COREBANK_BROWSER_KEEP") != "1":
            shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_url(live_bank: LiveBank) -> str:
    """Base URL of the live bank, e.g. http://127.0.0.1:41234 (no trailing slash)."""
    return live_bank.url


@pytest.fixture(scope="session")
def demo(live_bank: LiveBank) -> dict[str, Any]:
    """The demo logins: staff usernames by role, the password, and the e-banking customers with their
    customer number, account, phone, card id and PAN in this live bank."""
    by_login = {m["login_name"]: m for m in live_bank.channels.get("logins", [])}
    customers = [{**c, **by_login.get(c["login"], {})} for c in DEMO_CUSTOMERS]
    return {
        "password": DEMO_PASSWORD,
        "pin": DEMO_PIN,
        "admin": DEMO_ADMIN,
        "manager": DEMO_MANAGER,
        "supervisor": DEMO_SUPERVISOR,
        "teller": DEMO_TELLER,
        "teller2": DEMO_TELLER2,
        "accountant": DEMO_ACCOUNTANT,
        "credit": DEMO_CREDIT,
        "approver": DEMO_APPROVER,
        "risk": DEMO_RISK,
        "auditor": DEMO_AUDITOR,
        "channel_manager": DEMO_CHANNEL_MANAGER,
        "product_manager": DEMO_PRODUCT_MANAGER,
        "branch_manager": DEMO_BRANCH_MANAGER,
        "branch_supervisor": DEMO_BRANCH_SUPERVISOR,
        "branch_teller": DEMO_BRANCH_TELLER,
        "customers": customers,
        "atm": live_bank.channels.get("atm", ""),
        "pos": live_bank.channels.get("pos", ""),
        "pin_key": live_bank.channels.get("pin_key", ""),
    }


# ------------------------------------------------------------------------------------------------ the browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (/usr/bin/chromium) for the whole session."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("COREBANK_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        pw.stop()


@pytest.fixture
def page(browser: Any, live_url: str) -> Iterator[Any]:
    """A page in a fresh context (no cookies): 1280x900, English, relative URLs against the live bank."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_url, locale="en-US")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def mobile_page(browser: Any, live_url: str) -> Iterator[Any]:
    """A phone-sized page in a fresh context: 390x844, touch, English."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        base_url=live_url,
        locale="en-US",
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


_AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target, html: n.html.slice(0, 200)})),
    count: v.nodes.length,
  }));
}"""


@pytest.fixture
def axe() -> Callable[..., list[dict[str, Any]]]:
    """`axe(page)` → the page's axe-core violations of impact "critical" (each: id, impact, help, helpUrl,
    count, nodes = the first five targets and their HTML). `axe(page, impacts=("critical", "serious"))` to
    see more. Assert `axe(page) == []`."""

    def run(page: Any, impacts: tuple[str, ...] = ("critical",)) -> list[dict[str, Any]]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE_JS))
        violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN)
        return [v for v in violations if v.get("impact") in impacts]

    return run


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path | None]:
    """`shot(page, "name")` saves the viewport as docs/screenshots/name.png when pytest runs with
    --screenshots; otherwise it does nothing (returns None)."""
    enabled = bool(request.config.getoption("--screenshots"))

    def take(page: Any, name: str) -> Path | None:
        if not enabled:
            return None
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            raise ValueError(f"screenshot name {name!r}: use letters, digits, - _ .")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        tmp = SCREENSHOTS / f"{name}.png.tmp"
        page.screenshot(path=str(tmp), full_page=False, type="png", animations="disabled")
        tmp.replace(path)
        return path

    return take


@pytest.fixture
def sms_code(live_bank: LiveBank) -> Callable[[str], str]:
    """`sms_code(phone)` → the newest one-time code the development SMS sender "sent" to that phone."""

    def latest(phone: str) -> str:
        proc = live_bank.cli("ebank", "outbox", "--phone", phone, "--code-only", check=False)
        code = proc.stdout.strip()
        if proc.returncode != 0 or not code:
            raise AssertionError(f"no SMS code for {phone} in the outbox ({proc.stdout}{proc.stderr})")
        return code

    return latest


@pytest.fixture
def console_login(live_url: str) -> Callable[..., None]:
    """`console_login(page, username, password=DEMO_PASSWORD, next="/console")` signs in at /console/login
    and waits until the browser is on `next`."""

    def sign_in(page: Any, username: str, password: str = DEMO_PASSWORD, next: str = "/console") -> None:
        page.goto(f"/console/login?next={urllib.parse.quote(next, safe='/')}")
        form = page.locator("form[action='/console/login']")
        form.locator("input[name=username]").fill(username)
        form.locator("input[name=password]").fill(password)
        form.locator("button[type=submit]").click()
        target = re.compile(re.escape(live_url + next) + r"(?:[?#].*)?$")
        page.wait_for_url(target)

    return sign_in
