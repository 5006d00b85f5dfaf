from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
TINY = DATA / "tiny.yaml"

# shared/sources sits beside the work tree on the developers' machines
SOURCES = Path(os.environ.get("REGIME_SIM_SOURCES", ROOT.parent / "shared" / "sources"))


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    """Tests that draw keep the figure objects they check; close them after each test (pyplot
    warns past 20 open figures, and each one holds its memory until the worker exits)."""
    yield
    plt = sys.modules.get("matplotlib.pyplot")  # only where a test drew: no import for the rest
    if plt is not None:
        plt.close("all")


@pytest.fixture(scope="session")
def tiny():
    from sim.scenario.loader import load_scenario

    return load_scenario(TINY)


def load(path, *sets):
    from sim.scenario.loader import load_scenario

    return load_scenario(path, list(sets))


# Debian's chromium, driven by Playwright without downloading a browser (never `playwright install`)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


#: how long a test waits for a server it started to answer: generous, since a loaded machine
#: (load 16 on 2 cores) has taken over 45 s to start the dashboard; the wait ends as soon as it answers
SERVER_WAIT_S = float(os.environ.get("REGIME_SIM_SERVER_WAIT_S", "300"))


def wait_for_server(url: str, proc: subprocess.Popen, log: Path, limit_s: float | None = None) -> float:
    """Seconds until the server ``proc`` started answers ``url`` with 200: first its port takes
    a connection, then the page comes. Polls (never a fixed sleep) and fails, with the server's
    output, as soon as it exits, or when ``limit_s`` (default :data:`SERVER_WAIT_S`) runs out."""
    from urllib.parse import urlsplit

    limit = SERVER_WAIT_S if limit_s is None else limit_s
    parts = urlsplit(url)
    t0 = time.monotonic()

    def check() -> None:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with status {proc.returncode} before it answered {url}:\n"
                        f"{log.read_text()}")
        if time.monotonic() - t0 > limit:
            pytest.fail(f"the server did not answer {url} within {limit:g} s:\n{log.read_text()}")

    while True:  # the port
        check()
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=2):
                break
        except OSError:
            time.sleep(0.25)
    while True:  # the page (the first one is rendered slowly on a loaded machine)
        check()
        try:
            with urllib.request.urlopen(url, timeout=30) as resp:
                if resp.status == 200:
                    return time.monotonic() - t0
        except (urllib.error.URLError, OSError):
            time.sleep(0.25)


def require_chromium() -> None:
    """Skip a browser test when chromium is absent - except under CI, where it must run."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing; CI must run the browser tests (make test installs it)")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); the browser check is skipped")


@contextmanager
def chromium_page(width: int = 1280, height: int = 2000) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A headless Chromium page; yields (page, every request's URL, console and page errors)."""
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            yield page, requests, errors
        finally:
            browser.close()


def cli(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m sim ARGS`` in a fresh process, this checkout first on the path."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd, env=env)


def one_line(res: subprocess.CompletedProcess, *fragments: str) -> str:
    """Bad input: exit 2, no traceback, one line on stderr holding every fragment."""
    assert res.returncode == 2, (res.returncode, res.stderr[-2000:])
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr[-2000:]
    for frag in fragments:
        assert frag in lines[0], (frag, lines[0])
    return lines[0]


def census(grid) -> dict[str, int]:
    """Count a population grid's agents from its cells, not from the tallies the code keeps.

    ``citizens``: cells naming a citizen (each counted once); ``active``: cells of the active kind;
    ``quiet_or_jailed``: cells of the citizen kind (a jailed citizen stays on her cell);
    ``cops``: cells naming a policeman.
    """
    import numpy as np

    from sim.public.kernel import K_ACT, K_CIT

    occupants = grid.cell[grid.cell >= 0]
    assert np.unique(occupants).size == occupants.size, "a citizen stands on two cells"
    return {
        "citizens": int(occupants.size),
        "active": int(np.count_nonzero(grid.kind == K_ACT)),
        "quiet_or_jailed": int(np.count_nonzero(grid.kind == K_CIT)),
        "cops": int(np.count_nonzero(grid.cell <= -2)),
    }


def assert_outcome_matches_state(res, scenario) -> None:
    """The outcome label agrees with the statuses the run ends with (read from its measures,
    not from the code that chose the label): who is still in office, and which challenge ended how."""
    m = res.measures
    out = m["outcome"]
    in_office = m["ruler_status"] in ("in_office", "isolated")
    mode = {cid: c.mode for cid, c in scenario.challengers.items() if f"status__{cid}" in m}
    status = {cid: m[f"status__{cid}"] for cid in mode}
    active = {cid for cid, st in status.items() if st == "active"}
    ended = {st: {cid for cid, s in status.items() if s == st} for st in ("won", "settled", "crushed", "gave_up")}
    failed = ended["crushed"] | ended["gave_up"]
    # a rival centre that rose against a strike and holds the seat when it is over has "won"
    # its stand, with the ruler still in office (the parliament of August 1991): the outcome is
    # then read from the strike, so only other sides' wins contradict it
    won_power = {c for c in ended["won"] if mode[c] != "rally"}
    if out == "unresolved":
        assert active and in_office and not m["resolved_before_horizon"], (out, status)
    elif out in ("negotiated_settlement", "mutiny_crushed", "coup_fails"):
        assert in_office and not active and not won_power, (out, status)
        need = {"negotiated_settlement": ended["settled"],
                "mutiny_crushed": {c for c in failed if mode[c] == "march"},
                "coup_fails": {c for c in failed if mode[c] == "seize"}}[out]
        assert need, (out, status)
    elif out == "regime_survives":
        assert not won_power and (not in_office or not active), (out, status, m["ruler_status"])
    elif out in ("mutiny_takes_power", "coup_succeeds"):
        wanted = "march" if out == "mutiny_takes_power" else "seize"
        takers = {c for c in ended["won"] | active if mode[c] == wanted}
        assert takers and (not in_office or ended["won"]), (out, status, m["ruler_status"])
        assert m["capital_holder"] != scenario.ruler.name, (out, m["capital_holder"])
    elif out in ("popular_revolution", "ruler_ousted"):
        assert not in_office, (out, m["ruler_status"])
        assert m["capital_holder"] != scenario.ruler.name, (out, m["capital_holder"])
    elif out == "civil_war":
        assert any(mode[c] in ("march", "seize") for c in active), (out, status)
    else:
        raise AssertionError(f"unknown outcome {out!r}")
