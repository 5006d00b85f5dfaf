"""The ``regime-sim`` command line.

Bad input (a scenario file, a --set path, an output folder) is reported as one line naming
the file, the line and the field, with exit status 2 and no traceback.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from .scenario.errors import ScenarioError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="regime-sim: an agent-based scenario model of regime transition (Russia 2022-2023).",
)
out_console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="override a parameter: path.to.param=value (repeatable)"),
]


def fail(message: str, code: int = 2) -> None:
    err_console.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def os_error_line(err: OSError) -> str:
    """A failed write or read as one line naming the file: a full disk, a lost mount."""
    where = f"{err.filename}: " if err.filename else ""
    if err.errno == errno.ENOSPC:
        return f"{where}the disk is full; expected room to write the results (nothing was saved after this point)"
    return f"{where}{err.strerror or err}"


def friendly(fn: Callable) -> Callable:
    """Turn bad input into a one-line error with exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ScenarioError as err:
            fail(str(err))
        except OSError as err:
            fail(os_error_line(err))
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper


def _load(path: str, sets: list[str] | None):
    from .scenario.loader import load_scenario_with_raw

    return load_scenario_with_raw(path, sets or [])


def print_measures(measures: dict) -> None:
    from .textsafe import terminal

    table = Table(title="Outcome and measures", show_header=True, header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    skip = {"outcome", "outcome_reason"}
    for key, value in measures.items():
        if key in skip or key.startswith("peak_protest__"):
            continue
        if isinstance(value, float):
            if "share" in key:
                text = f"{value:.3%}"
            elif abs(value) >= 100:
                text = f"{value:,.0f}"
            else:
                text = f"{value:.3f}"
        else:
            text = str(value)
        table.add_row(terminal(key), text)
    peaks = {k.split("__", 1)[1]: v for k, v in measures.items() if k.startswith("peak_protest__") and v > 0}
    if peaks:
        top = sorted(peaks.items(), key=lambda kv: -kv[1])[:4]
        table.add_row("peak protest by region", ", ".join(f"{terminal(k)} {v:.2%}" for k, v in top))
    out_console.print(table)


# ============================================================================ commands
@app.command()
@friendly
def run(
    file: Annotated[str, typer.Argument(help="scenario YAML file, or the name of a bundled one")],
    seed: Annotated[int | None, typer.Option(help="random seed (default: the scenario's)")] = None,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="results folder (default: a new one under results/)")] = None,
    figures: Annotated[bool, typer.Option("--figures/--no-figures", help="draw the figures")] = True,
    gif: Annotated[bool, typer.Option("--gif/--no-gif", help="also write the animated map (map.gif)")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print only the outcome")] = False,
    force: Annotated[bool, typer.Option("--force", help="replace the previous run in an existing --out folder")]
    = False,
) -> None:
    """Run a scenario once: print its timeline and outcome, write tables and figures."""
    from .output import default_out_dir, prepare_run_dir, write_run
    from .progress import RunProgress
    from .runner import run as run_scenario
    from .scenario.loader import estimate_seconds
    from .textsafe import plain, terminal

    scn, raw, _ = _load(file, set_)
    used_seed = scn.seed if seed is None else seed
    if seed is not None and seed < 0:
        raise ScenarioError("--seed must be a whole number >= 0", file=file, field="seed")
    folder = prepare_run_dir(out or default_out_dir(scn.name, used_seed), force=force)
    started = dt.datetime.now().isoformat(timespec="seconds")
    expected = estimate_seconds(scn)
    if expected > 5:
        err_console.print(f"{scn.steps:,} steps: about {expected:,.0f} s (estimated)", markup=False)
    with RunProgress(err_console, f"run {terminal(scn.name)}") as progress:
        result = run_scenario(scn, seed=used_seed, on_step=progress)
    if not quiet:
        out_console.print(f"[bold]{terminal(scn.title or scn.name)}[/bold] - seed {used_seed}")
        for line in result.timeline():
            out_console.print("  " + plain(line), markup=False)
        out_console.print()
        print_measures(result.measures)
    out_console.print(
        f"outcome: [bold]{result.measures['outcome_label']}[/bold] after "
        f"{result.measures['time_to_outcome_h']:g} h - {terminal(result.measures['outcome_reason'])}"
    )
    files = write_run(result, folder, file, raw, set_ or [], started, figures=figures, gif=gif)
    out_console.print(f"wrote {len(files)} files to {folder}", markup=False)


@app.command()
@friendly
def validate(files: Annotated[list[str], typer.Argument(help="scenario files to check")]) -> None:
    """Check scenario files against the schema; exit 2 on the first bad one."""
    from .scenario.loader import load_scenario
    from .textsafe import terminal

    for f in files:
        scn = load_scenario(f)
        out_console.print(f"{terminal(f)}: ok ({terminal(scn.name)}: {len(scn.regions)} regions, {len(scn.units)} units, "
                          f"{len(scn.events)} events, {scn.steps} steps)")


@app.command()
def schema(
    markdown: Annotated[bool, typer.Option("--markdown", help="print docs/parameters.md instead")] = False,
) -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from .scenario.schema import Scenario

    if markdown:
        from .docs_gen import params_markdown

        sys.stdout.write(params_markdown())
        return
    print(json.dumps(Scenario.model_json_schema(), indent=2))


@app.command("list")
def list_() -> None:
    """List the bundled scenarios, one line each."""
    from .scenario.loader import SCENARIO_DIR, load_scenario
    from .textsafe import terminal

    for p in sorted(SCENARIO_DIR.glob("*.yaml")):
        try:
            scn = load_scenario(p)
            line = scn.title or scn.description.what_is_it.split(".")[0]
        except ScenarioError as err:
            line = f"(invalid: {err})"
        out_console.print(f"[bold]{terminal(p.stem):22s}[/bold] {terminal(line)}")


@app.command()
def rules(
    markdown: Annotated[bool, typer.Option("--markdown", help="print docs/rules.md")] = False,
) -> None:
    """Print the table of behavioural rules with their evidence."""
    from .docs_gen import rules_markdown
    from .rules import RULES

    if markdown:
        sys.stdout.write(rules_markdown())
        return
    table = Table(show_lines=True, title=f"{len(RULES)} rules (switch one off with rules: {{disable: [id]}})")
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("statement")
    table.add_column("evidence")
    table.add_column("literature")
    for r in RULES.values():
        ev = "\n".join(f"{e.source}: \"{e.quote}\"" for e in r.evidence)
        table.add_row(r.id, r.statement, ev, "\n".join(r.literature))
    out_console.print(table)


@app.command()
@friendly
def demo(
    out: Annotated[Path | None, typer.Option(help="results folder")] = None,
    figures: Annotated[bool, typer.Option("--figures/--no-figures")] = True,
) -> None:
    """Run every bundled scenario once and print each outcome."""
    from .output import prepare_out_dir, write_run
    from .runner import run as run_scenario
    from .scenario.loader import SCENARIO_DIR, load_scenario_with_raw

    root = prepare_out_dir(out or Path("results") / f"demo-{dt.datetime.now():%Y%m%d-%H%M%S}")
    out_console.print("[bold]regime-sim demo: every bundled scenario, once (its own seed)[/bold]")
    for p in sorted(SCENARIO_DIR.glob("*.yaml")):
        scn, raw, _ = load_scenario_with_raw(p)
        t0 = time.perf_counter()
        result = run_scenario(scn)
        wall = time.perf_counter() - t0
        folder = prepare_out_dir(root / p.stem)
        write_run(result, folder, str(p), raw, [], dt.datetime.now().isoformat(timespec="seconds"), figures)
        m = result.measures
        out_console.print(f"  {p.stem:20s} [bold]{m['outcome_label']:22s}[/bold] after {m['time_to_outcome_h']:5g} h"
                          f"  ({wall:.2f} s)  {m['outcome_reason']}")
    out_console.print(f"tables, timelines and figures in {root}/")


# Commands that live in their own modules register themselves on ``app`` when imported.
COMMAND_MODULES = ("sim.sweep.cli", "sim.patterns.cli", "sim.report.cli", "sim.dashboard.cli",
                   "sim.analysis.cli")


def _register_commands() -> None:
    import importlib
    import importlib.util

    for name in COMMAND_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:  # the parent package is not there yet
            found = False
        if found:
            importlib.import_module(name)


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    # commands register on the importable module's app, not on this __main__ copy
    from sim.cli import main as _main

    _main()
