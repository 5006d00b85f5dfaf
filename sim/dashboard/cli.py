"""``regime-sim dashboard``: serve the live classroom dashboard of a scenario.

Imported by ``sim.cli`` on every ``regime-sim`` call to register the command, so it imports
nothing heavy at module level: solara, Mesa's visualization and the model load only when the
command runs, in the server process it starts.
"""

# no `from __future__ import annotations`: typer reads the annotations of every command on each
# start, and annotations kept as text it compiles and evaluates, twice (0.05-0.1 s; issue 13)

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..clitools import fail, friendly, out_console
from ..scenario.errors import ScenarioError
from ..textsafe import terminal
from . import DEFAULT_SCENARIO, PARAMS_ENV, SCENARIO_ENV
from .serve import PARENT_ENV

APP_MODULE = "sim.dashboard.app"
GRACE_SECONDS = 3.0


def check_address(host: str, port: int) -> None:
    """The port is a port and the host an address of this machine, and the port is free there;
    a :class:`ScenarioError` naming the option otherwise (not 'port in use' for a bad host)."""
    import socket  # imported by the command, not by every start of the command line

    if not 1 <= port <= 65535:
        raise ScenarioError(f"expected a port from 1 to 65535, got {port}", file="--port")
    try:
        # an address written as numbers is checked as one (999.1.1.1 is no name to look up)
        numeric = ":" in host or all(c.isdigit() or c == "." for c in host)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_NUMERICHOST if numeric else 0)
    except (socket.gaierror, UnicodeError):
        raise ScenarioError(f"expected an IP address of this machine (such as 127.0.0.1 or 0.0.0.0), got "
                            f"'{host}'", file="--host") from None
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # as the server binds: a port whose last connections are still closing is free
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ScenarioError(f"port {port} on {host} is in use; choose another with --port",
                                    file="--port") from None
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise ScenarioError(f"not allowed to listen on port {port} (ports below 1024 need root); "
                                    "expected a port from 1024 to 65535", file="--port") from None
            raise ScenarioError(f"cannot listen on {host}: {exc.strerror}; expected an address of this "
                                "machine (such as 127.0.0.1)", file="--host") from None


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server: uvicorn's graceful stop (SIGTERM), its forced one, then a kill.

    Uvicorn forces the stop on a SIGINT that follows a first signal (its "Ctrl-C again"), in
    case an open browser session holds up the graceful one.
    """
    for sig in (signal.SIGTERM, signal.SIGINT):
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(GRACE_SECONDS)
            return
        except subprocess.TimeoutExpired:
            pass
    proc.kill()
    proc.wait()


def server_command(host: str, port: int) -> list[str]:
    """The solara command line (through ``serve.py``: dies with this command, never fetches
    assets): production mode, no browser, no call to PyPI."""
    return [sys.executable, "-m", "sim.dashboard.serve", "run", APP_MODULE, "--host", host, "--port", str(port),
            "--production", "--no-open", "--no-check-version", "--log-level", "warning"]


def server_env(scenario: str, params: str = "") -> dict[str, str]:
    """The server's environment: which scenario to show, and no telemetry leaving the machine."""
    # solara warns on every plain-http visit to 127.0.0.1 that it sets a 'lax' session cookie,
    # which is right for a local server
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    warnings = ",".join(w for w in (os.environ.get("PYTHONWARNINGS", ""), quiet) if w)
    return {**os.environ, SCENARIO_ENV: scenario, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
            "PYTHONWARNINGS": warnings, PARENT_ENV: str(os.getpid()), PARAMS_ENV: params}


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@friendly
def dashboard(
    file: Annotated[str, typer.Argument(help="scenario YAML file, or the name of a bundled one")]
    = DEFAULT_SCENARIO,
    port: Annotated[int, typer.Option(help="port to listen on")] = 8765,
    host: Annotated[str, typer.Option(help="address to listen on (0.0.0.0: reachable from other machines)")]
    = "127.0.0.1",
    params: Annotated[Path | None, typer.Option(
        "--params", help="a calibrated overlay (calibrated/CASE.yaml): its values as --set values")] = None,
) -> None:
    """Serve a live dashboard of a scenario in the browser: step it, change its controls, reset."""
    from sim.scenario.loader import load_scenario, resolve_path
    from sim.scenario.overlay import overlay_sets

    from .assets import AssetsError, ensure_assets

    scn = load_scenario(file, overlay_sets(params))  # a bad file is reported here, not in the browser
    path = resolve_path(file)
    check_address(host, port)
    # its own process group: Ctrl-C reaches only this process, which stops the server once; it
    # still dies with this process (serve.py sets a parent-death signal)
    proc = subprocess.Popen(server_command(host, port), env=server_env(str(path.resolve()), str(params.resolve()) if params else ""),
                            process_group=0)
    signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop: shut down the same way
    try:
        # checked (and fetched, the first time) while the server starts; no browser asks for
        # them before the address is printed
        ensure_assets(log=lambda msg: out_console.print(msg, markup=False))
        out_console.print(f"[bold]{terminal(scn.title or scn.name)}[/bold]: dashboard at http://{host}:{port}/ "
                          "(Ctrl-C stops it)")
        code = proc.wait()
    except AssetsError as err:
        _stop(proc)
        fail(str(err))
    except KeyboardInterrupt:
        _stop(proc)
        out_console.print("dashboard stopped")
        return
    if code != 0:
        fail(f"the dashboard server exited with status {code}", code=1)
