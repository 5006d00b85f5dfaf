"""Issue 14, items 9, 10 and 11 (dashboard): the server dies with its command, its asset proxy
stays offline, and bad --port / --host values are one line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT, TINY, wait_for_server


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("args,fragments", [
    (["--port", "70000"], ["--port", "1 to 65535"]),
    (["--port", "0"], ["--port", "1 to 65535"]),
    (["--host", "999.1.1.1"], ["--host", "999.1.1.1", "IP address"]),
])
def test_bad_port_or_host_is_one_line_naming_the_option(args: list[str], fragments: list[str]) -> None:
    res = _cli("dashboard", str(TINY), *args)
    assert res.returncode == 2, res.stderr[-2000:]
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    for frag in fragments:
        assert frag in lines[0], lines[0]
    assert "in use" not in lines[0]


def test_the_asset_proxy_never_looks_up_or_fetches_an_uncached_file(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("solara")
    from solara.server import cdn_helper

    from sim.dashboard.serve import AssetNotCached, offline_asset_proxy

    lookups: list[object] = []

    def no_network(*args: object, **kwargs: object):
        lookups.append(args)
        raise AssertionError("the asset proxy went to the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(cdn_helper, "fetch_from_cdn", cdn_helper.fetch_from_cdn)  # restored afterwards
    offline_asset_proxy()
    (tmp_path / "cached@1.0.0").mkdir()
    (tmp_path / "cached@1.0.0" / "a.js").write_text("ok")
    assert cdn_helper.get_path(tmp_path, "cached@1.0.0/a.js").read_text() == "ok"
    with pytest.raises(AssetNotCached):
        cdn_helper.get_path(tmp_path, "missing@1.0.0/x.js")
    assert not lookups


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(t) for t in text]
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_server_dies_with_its_command_and_answers_404_offline(tmp_path: Path) -> None:
    pytest.importorskip("solara")
    from sim.dashboard.assets import missing

    if missing():
        pytest.skip("the dashboard's asset cache is not filled (python -m sim.dashboard.assets)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        cmd = subprocess.Popen([sys.executable, "-m", "sim", "dashboard", str(TINY), "--port", str(port)],
                               cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"})
    servers: list[int] = []
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_server(url, cmd, log)
        servers = _children(cmd.pid)
        assert servers, "no server process"
        # an uncached front-end file: a 404 at once, not a trip to the CDN
        t1 = time.time()
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{url}_solara/cdn/not-a-package@9.9.9/x.js", timeout=30)
        assert err.value.code == 404 and time.time() - t1 < 5
        os.kill(cmd.pid, signal.SIGKILL)  # the command dies without a chance to stop its server
        cmd.wait()
        deadline = time.time() + 15
        while any(_alive(p) for p in servers) and time.time() < deadline:
            time.sleep(0.2)
        assert not any(_alive(p) for p in servers), "the server outlived its command"
    finally:
        if cmd.poll() is None:
            cmd.kill()
            cmd.wait()
        for p in servers:
            if _alive(p):
                os.kill(p, signal.SIGKILL)


# A server that takes its time: it opens its port only after SLOW_S seconds, and even then
# answers its first page only after a further pause (as solara does on a loaded machine).
_SLOW_SERVER = """
import http.server, sys, time
time.sleep(float(sys.argv[2]))
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(1.0)
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def _start(tmp_path: Path, code: str, *args: str) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=out, stderr=subprocess.STDOUT)
    return proc, log


def test_the_readiness_wait_outlasts_a_slow_start(tmp_path: Path) -> None:
    """The browser tests wait for their server by polling its port, then its page, for as long
    as a loaded machine needs (not a fixed sleep, not a fixed 45 s): a server that opens its
    port after 6 s and answers a second later is waited for, and no longer than that."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc, log = _start(tmp_path, _SLOW_SERVER, str(port), "6")
    try:
        waited = wait_for_server(f"http://127.0.0.1:{port}/", proc, log, limit_s=120)
        assert 6.0 <= waited < 60.0, waited
    finally:
        proc.kill()
        proc.wait()


def test_the_readiness_wait_fails_at_once_on_a_server_that_died(tmp_path: Path) -> None:
    proc, log = _start(tmp_path, "import sys; print('no such scenario'); sys.exit(2)")
    t0 = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match=r"(?s)exited with status 2.*no such scenario"):
        wait_for_server("http://127.0.0.1:9/", proc, log, limit_s=120)
    assert time.monotonic() - t0 < 60


def test_the_readiness_wait_gives_up_at_its_limit(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc, log = _start(tmp_path, _SLOW_SERVER, str(port), "600")
    try:
        with pytest.raises(pytest.fail.Exception, match="did not answer .* within 3 s"):
            wait_for_server(f"http://127.0.0.1:{port}/", proc, log, limit_s=3)
    finally:
        proc.kill()
        proc.wait()
