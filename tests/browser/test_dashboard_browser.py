"""The explorer served as a dashboard by Voilà, driven in a real headless Chromium.

Starts ``python -m voila notebooks/utforska.ipynb`` on a free loopback port, opens it in
Debian's Chromium through Playwright (never ``playwright install``), changes the kommun and
the indicator like a user would, and checks that the chart, the map and the table change.
Every request the page makes is recorded: anything that is not the local server is blocked
and fails the test, so the dashboard is known to work offline (the widget JavaScript of
ipywidgets 8 is served by Voilà from the installed ``jupyterlab_widgets``). Voilà's page
template links a Font Awesome stylesheet on a CDN; a Content-Security-Policy header passed on
the command line stops the browser from even trying. A screenshot is saved under
``reports/screenshots/``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.core import paths
from helpers.sources.demo import build as demo

CHROMIUM = Path("/usr/bin/chromium")
ROOT = paths.PACKAGE_DIR.parent.parent
NOTEBOOK = ROOT / "notebooks" / "utforska.ipynb"
#: Only the page's own origin; inline styles/scripts and blob:/data: images as Voilà needs them.
CSP = (
    "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
    "connect-src 'self'; frame-ancestors 'self'"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_S = 60
PAGE_LOAD_MS = 180_000
UPDATE_MS = 90_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium saknas"),
]


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path) -> None:
    """Wait until the server accepts connections (without requesting a page: that starts a kernel)."""
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"Voilà avslutades (kod {proc.returncode}):\n{log.read_text()[-3000:]}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    pytest.fail(f"Voilà svarade inte inom {SERVER_START_S} s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    """Stop the Voilà server and its kernels (its own process group), politely first."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    try:  # kernels left behind in the group
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture
def voila_url(tmp_path: Path):
    """Serve the explorer with Voilà on a free loopback port; stop it afterwards."""
    demo.build_all()  # the notebook then only reads the demo data
    port = free_port()
    log = tmp_path / "voila.log"
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    cmd = [
        sys.executable,
        "-m",
        "voila",
        str(NOTEBOOK),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--show_tracebacks=True",
        "--VoilaExecutor.timeout=300",
        "--Voila.tornado_settings=" + json.dumps({"headers": {"Content-Security-Policy": CSP}}),
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_for_port(port, proc, log)
        yield f"http://127.0.0.1:{port}/", log
    finally:
        stop(proc)


def test_dashboard_updates_chart_map_and_table(voila_url):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, log = voila_url
    external: list[str] = []
    local_host = url.split("/")[2]
    shot = paths.reports_dir() / "screenshots" / "utforska_dashboard.png"
    shot.parent.mkdir(parents=True, exist_ok=True)

    def only_loopback(route) -> None:
        target = route.request.url
        if target.startswith(("data:", "blob:")) or target.split("/")[2:3] == [local_host]:
            route.continue_()
        else:
            external.append(target)
            route.abort()

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 3000})
            page.set_default_timeout(UPDATE_MS)
            page.route("**/*", only_loopback)
            page.goto(url, timeout=PAGE_LOAD_MS, wait_until="domcontentloaded")
            table = 'table[data-testid="explorer-table"]'
            try:
                page.wait_for_selector(f'{table}[data-kommun="2080"]', timeout=PAGE_LOAD_MS)
            except sync_api.TimeoutError:
                pytest.fail(f"Utforskaren visades inte:\n{log.read_text()[-3000:]}")
            chart, map_img = "img.explorer-chart", "img.explorer-map"
            page.wait_for_function(
                "s => document.querySelector(s) && document.querySelector(s).src.startsWith('blob:')",
                arg=chart,
            )
            assert "Falun" in page.inner_text(f"{table} tr[data-role='kommun']")
            assert "Syntetiska demodata" in page.inner_text(".explorer-header")
            headers = page.eval_on_selector_all(
                f"{table} th", "ths => ths.map(t => t.dataset.column)"
            )
            assert "flag" in headers and "flag_reason" in headers
            before = {s: page.get_attribute(s, "src") for s in (chart, map_img)}

            # A new kommun: the table's first row, the chart and the map follow.
            page.select_option(".explorer-kommun select", label="Borlänge")
            page.wait_for_selector(f'{table}[data-kommun="2081"]')
            for sel in (chart, map_img):
                page.wait_for_function(
                    "([s, old]) => document.querySelector(s).src !== old", arg=[sel, before[sel]]
                )
            assert "Borlänge" in page.inner_text(f"{table} tr[data-role='kommun']")
            assert "Borlänge" in page.inner_text(".explorer-header")
            after_kommun = {s: page.get_attribute(s, "src") for s in (chart, map_img)}

            # A survey indicator: survey columns, flags and the chart change again.
            page.select_option(".explorer-indicator select", label="Röker dagligen")
            page.wait_for_selector(f'{table}[data-indicator="daglig_rokning"][data-kommun="2081"]')
            for sel in (chart, map_img):
                page.wait_for_function(
                    "([s, old]) => document.querySelector(s).src !== old",
                    arg=[sel, after_kommun[sel]],
                )
            text = page.inner_text(table)
            assert "Borlänge" in text and "svarande" in text and "Jämfört med länet" in text
            assert "Röker dagligen" in page.inner_text(".explorer-header")
            flags = set(
                page.eval_on_selector_all(f"{table} tbody tr", "r => r.map(x => x.dataset.flag)")
            )
            assert flags <= {"tillförlitlig", "osäker", "undertryckt", "saknas", "ej bedömd"}
            assert "undertryckt" in flags  # small kommuner's estimates are withheld, visibly

            # The chart image is a real, non-empty PNG drawn by the kernel.
            size = page.eval_on_selector(chart, "img => [img.naturalWidth, img.naturalHeight]")
            assert size[0] > 300 and size[1] > 200

            # The export button writes the table and the chart (reports/export/).
            page.click(".explorer-export-button")
            page.wait_for_selector('[data-testid="explorer-export"]')
            assert "daglig_rokning_2081_borlange" in page.inner_text(".explorer-export")

            page.evaluate("() => document.querySelectorAll('*').forEach(e => e.scrollTop = 0)")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.exists() and shot.stat().st_size > 10_000
    assert external == [], f"Sidan försökte hämta från internet: {external}"
