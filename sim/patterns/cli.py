"""``regime-sim patterns``: run the pattern-oriented validation suite and print its verdicts."""

# no `from __future__ import annotations`: typer reads the annotations of every command on each
# start, and annotations kept as text it compiles and evaluates, twice (0.05-0.1 s; issue 13)

import datetime as dt
import json
import time
from pathlib import Path
from typing import Annotated

import typer

from ..clitools import friendly, out_console
from ..scenario.errors import ScenarioError


@friendly
def patterns(
    quick: Annotated[bool, typer.Option("--quick", help="few seeds and short runs (a smoke test for CI)")] = False,
    out: Annotated[Path | None, typer.Option(help="folder for figures and results "
                                                  "(default: results/patterns-<time>/)")] = None,
    seeds: Annotated[int | None, typer.Option(help="seeds per condition for every pattern "
                                                   "(default: 3-16 quick, 20-60 full)")] = None,
    workers: Annotated[int, typer.Option(help="worker processes")] = 2,
) -> None:
    """Check the model against published patterns: the regime model (counterweights, protest and
    defection, coup success, insiders' exits) and its building blocks (Epstein, Granovetter, Kuran).

    Prints one line per pattern (source, published value, ours, pass/fail), writes a figure
    per pattern and patterns.csv / patterns.json into the folder, and exits with status 1 if
    any pattern fails that is expected to hold, or one listed as a known failure passes.
    """
    import pandas as pd

    from ..output import prepare_out_dir
    from ..provenance import git_commit, versions
    from .suite import run_suite

    if seeds is not None and seeds < 1:
        raise ScenarioError(f"--seeds must be a whole number >= 1, got {seeds}", file="<command line>",
                            field="seeds")
    if workers < 1:
        raise ScenarioError(f"--workers must be >= 1, got {workers}", file="<command line>", field="workers")
    folder = prepare_out_dir(out or Path("results") / f"patterns-{dt.datetime.now():%Y%m%d-%H%M%S}")

    t0 = time.perf_counter()
    model_before = model_fingerprint()
    mode = "quick" if quick else "full"
    out_console.print(f"[bold]regime-sim patterns[/bold] ({mode} mode, {workers} workers)")
    results = run_suite(quick, folder, seeds=seeds, workers=workers,
                        progress=lambda msg: out_console.print(f"  running: {msg}", markup=False))

    from rich.table import Table

    table = Table(title=f"Pattern-oriented validation ({mode} mode)", show_lines=True)
    for col in ("pattern", "checks", "source", "published", "ours", "seeds", "result"):
        table.add_column(col, overflow="fold")
    for r in results:
        if r.expected:
            verdict = "[green]pass[/green]" if r.passed else "[bold red]FAIL[/bold red]"
        else:
            verdict = "[bold red]passes: not expected[/bold red]" if r.passed else "[yellow]fails (known)[/yellow]"
        table.add_row(r.name, "the code" if r.kind == "code" else "the regime model", r.source, r.published, r.ours,
                      str(r.n_seeds), verdict)
    out_console.print(table)

    model_after = model_fingerprint()
    if model_after != model_before:
        out_console.print("[bold red]warning:[/bold red] the model's source files changed during this run; "
                          "its results mix versions - run it again")
    rows = [{**r.row(), "as_expected": r.as_expected} for r in results]
    pd.DataFrame([{k: v for k, v in row.items() if k != "numbers"} for row in rows]).to_csv(
        folder / "patterns.csv", index=False)
    (folder / "patterns.json").write_text(json.dumps(
        {"mode": mode, "seeds": seeds, "workers": workers, "created": dt.datetime.now().isoformat(timespec="seconds"),
         "wall_s": round(time.perf_counter() - t0, 1), "git_commit": git_commit(), "versions": versions(),
         "model_sha256": model_after, "model_changed_during_run": model_after != model_before,
         "patterns": rows}, indent=2, default=_plain))
    failed = [r.name for r in results if not r.passed]
    known = [r.name for r in results if not r.passed and not r.expected]
    unexpected = [r.name for r in results if not r.as_expected]
    out_console.print(f"{len(results) - len(failed)} of {len(results)} patterns pass, {len(known)} known "
                      f"failure{'s' if len(known) != 1 else ''} ({time.perf_counter() - t0:.0f} s); figures and "
                      f"patterns.csv/.json in {folder}/")
    if known:
        out_console.print("[yellow]known failures (docs/patterns.md):[/yellow] " + "; ".join(known))
    if unexpected:
        out_console.print("[bold red]not as expected:[/bold red] " + "; ".join(unexpected))
        raise typer.Exit(1)


def model_fingerprint() -> str:
    """SHA-256 of the model's code, scenarios and data: which model these verdicts are about."""
    import hashlib  # here: OpenSSL's load is 5-10 ms of every start of the command line

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    files = [*root.glob("*.py"), *root.glob("model/*.py"), *root.glob("rules/*.py"), *root.glob("public/*.py"),
             *root.glob("scenario/*.py"), *root.glob("data/*.yaml"), *root.glob("epstein/*.py"),
             *root.parent.glob("scenarios/*.yaml")]
    for f in sorted(files):
        digest.update(f.relative_to(root.parent).as_posix().encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()


def _plain(value: object) -> object:
    """numpy scalars and the like, for json."""
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
