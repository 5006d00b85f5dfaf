"""``regime-sim sweep``: run a scenario's sweep section."""

# no `from __future__ import annotations`: typer reads the annotations of every command on each
# start, and annotations kept as text it compiles and evaluates, twice (0.05-0.1 s; issue 13)

import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from ..clitools import (
    ParamsOpt,
    SetOpt,
    StyleOpt,
    check_style,
    err_console,
    friendly,
    out_console,
    with_overlay,
)
from ..scenario.errors import ScenarioError
from ..textsafe import plain, slug

#: past these, a sweep asks for --yes
MAX_HOURS = 2.0
MAX_GB = 10.0


def estimate(plan, workers: int) -> tuple[float, float, float]:
    """(seconds per run, total hours, disk GB) from one timed pilot run in memory, timed after
    the compiled kernels are loaded (numba's first call alone took 0.2 s: thirty times a mutiny
    run, which made the announced time of its 200-run sweep 0.4 min for 1.3 s)."""
    from ..model.model import RegimeModel
    from . import warm  # noqa: F401 - the kernels loaded, as every worker has them before it runs

    t0 = time.perf_counter()
    scn = plan.scenario.model_copy(update={"sweep": None})
    m = RegimeModel(scn, seed=1, record_track=False)
    m.run()
    per_run = time.perf_counter() - t0
    hours = plan.n_runs * per_run / max(1, workers) / 3600.0
    rows = len(m.rows) / max(1.0, plan.series_every_hours / scn.outputs.series_every_hours)
    disk = plan.n_runs * (2_000 + rows * len(plan.series_vars) * 10) / 1e9
    return per_run, hours, disk


def confirm_size(plan, workers: int, yes: bool) -> None:
    from ..scenario.loader import duration

    per_run, hours, disk = estimate(plan, workers)
    out_console.print(f"{plan.n_runs:,} runs ({plan.n_points:,} points x {plan.replications} replications, "
                      f"{plan.design_name} design); about {per_run:.2g} s a run -> {duration(hours * 3600)} on "
                      f"{workers} worker{'s' if workers > 1 else ''}, {disk * 1000:,.0f} MB on disk")
    if yes or (hours <= MAX_HOURS and disk <= MAX_GB):
        return
    if sys.stdin.isatty():
        if typer.confirm("This is a large sweep. Go ahead?", default=False):
            return
        raise typer.Exit(1)
    raise ScenarioError(f"a sweep of about {hours:.1f} h and {disk:.1f} GB needs --yes to start "
                        f"(limits: {MAX_HOURS:g} h, {MAX_GB:g} GB)", field="sweep")


def check_executor(workers: int, executor: str, resume: bool, out: Path | None) -> None:
    """The options every sweep-running command shares."""
    if workers < 1:
        raise ScenarioError("--workers must be at least 1", field="workers")
    if executor not in ("process", "dask"):
        raise ScenarioError(f"unknown executor '{executor}': use process or dask", field="executor")
    if resume and out is None:
        raise ScenarioError("--resume needs --out: the folder of the interrupted sweep", field="out")


def start(plan, folder: Path, *, workers: int, executor: str, scheduler: str | None, resume: bool, yes: bool,
          resume_hint: str):
    """Run (or resume) a plan into ``folder``: refuse a used folder, ask past the size limits,
    and on an interruption say how to finish (exit 130)."""
    from ..folders import check_out_target
    from .execute import run_sweep

    check_out_target(folder)  # not a file, not the root folder
    if not resume:
        if folder.exists() and any(folder.iterdir()):
            raise ScenarioError("already exists and is not empty; choose another --out, or --resume",
                                file=str(folder))
        confirm_size(plan, workers, yes)
    res = run_sweep(plan, folder, workers=workers, executor=executor, scheduler=scheduler, resume=resume,
                    console=err_console)
    if res.interrupted and res.error:  # a failed write (a full disk): one line, with how to finish
        err_console.print(f"error: {folder}: {res.error}; {res.runs}/{plan.n_runs} runs are saved; make room, "
                          f"then finish with: {resume_hint} --resume --out {folder}", markup=False)
        raise typer.Exit(2)
    if res.interrupted:
        err_console.print(f"interrupted: {res.runs}/{plan.n_runs} runs are saved in {folder}; "
                          f"finish with: {resume_hint} --resume --out {folder}", markup=False)
        raise typer.Exit(130)
    return res


def sweep_command(draw: Callable[[Path, str], object] | None = None) -> Callable[..., None]:
    """The ``regime-sim sweep`` command; with ``--figures`` it calls ``draw(folder, style)`` on the
    finished sweep's folder. The command line passes the drawing in (``sim/plots/sweep.py``):
    this package runs sweeps and never draws."""

    @friendly
    def sweep(
        file: Annotated[str, typer.Argument(help="scenario YAML with a sweep: section, or a bundled name")],
        workers: Annotated[int, typer.Option(help="parallel workers (processes)")] = 1,
        executor: Annotated[str, typer.Option(help="process or dask")] = "process",
        scheduler: Annotated[str | None, typer.Option(help="address of a running Dask scheduler")] = None,
        resume: Annotated[bool, typer.Option("--resume", help="finish an interrupted sweep in --out")] = False,
        set_: SetOpt = None,
        params: ParamsOpt = None,
        out: Annotated[Path | None, typer.Option(help="results folder (default: a new one under results/)")] = None,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="start even if the sweep is large")] = False,
        figures: Annotated[bool, typer.Option("--figures/--no-figures", help="draw the sweep figures")] = True,
        design: Annotated[str | None, typer.Option(
            help="the design (default: the sweep section's); 'priors': a Latin hypercube over the assumed "
                 "range of every default the scenario relies on (no sweep section needed)")] = None,
        samples: Annotated[int | None, typer.Option(help="design points (lhs, priors; default 64 for priors)")] = None,
        reps: Annotated[int | None, typer.Option(help="replications (seeds) per design point (default 4 for priors)")]
        = None,
        style: StyleOpt = "paper",
    ) -> None:
        """Run the scenario's sweep: a design of parameter values, each point replicated with its own seed."""
        from .design import DESIGNS
        from .plan import build_plan
        from .summary import answer

        check_style(style)
        check_executor(workers, executor, resume, out)
        if design is not None and design not in DESIGNS:
            raise ScenarioError(f"unknown design '{design}': use one of {', '.join(DESIGNS)}", field="--design")
        for name, value in (("--samples", samples), ("--reps", reps)):
            if value is not None and value < 1:
                raise ScenarioError(f"{name} must be at least 1, got {value}", field=name)
        plan = build_plan(file, with_overlay(params, set_), design=design, samples=samples, replications=reps)
        folder = out or Path("results") / f"{slug(plan.name)}-sweep-{dt.datetime.now():%Y%m%d-%H%M%S}"
        hint = " ".join([f"regime-sim sweep {file}", *([f"--params {params}"] if params else []),
                         *(f"--set '{s_}'" for s_ in set_ or []),
                         *(f"--{k} {v}" for k, v in (("design", design), ("samples", samples), ("reps", reps))
                           if v is not None)])
        res = start(plan, folder, workers=workers, executor=executor, scheduler=scheduler, resume=resume, yes=yes,
                    resume_hint=hint)
        import pandas as pd

        summary = pd.read_parquet(folder / "summary.parquet")
        text = answer(summary, plan, runs=pd.read_parquet(folder / "runs.parquet"))
        (folder / "answer.txt").write_text(text + "\n")
        out_console.print(plain(text), markup=False)
        if figures and draw is not None:
            draw(folder, style)
        rate = (res.runs - res.skipped) / max(res.wall_seconds, 1e-9)
        out_console.print(f"{res.runs} runs ({res.failed} failed) in {res.wall_seconds:.1f} s ({rate:.2f} runs/s) "
                          f"-> {folder}")
        if res.failed:
            err_console.print(f"warning: {res.failed} runs failed; see the 'error' column of runs.parquet")
            raise typer.Exit(1)

    return sweep
