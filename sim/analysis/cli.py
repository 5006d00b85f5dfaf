"""``regime-sim sensitivity`` (Sobol/Morris indices) and ``regime-sim discover`` (PRIM boxes)."""

# no `from __future__ import annotations`: typer reads the annotations of every command on each
# start, and annotations kept as text it compiles and evaluates, twice (0.05-0.1 s; issue 13)

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from ..clitools import SetOpt, err_console, friendly, out_console
from ..scenario.errors import ScenarioError
from ..textsafe import slug


def _finished(folder: Path, plan_hash: str) -> bool:
    """Whether ``folder`` already holds this very sweep, complete (then only the analysis is redone)."""
    manifest = folder / "manifest.json"
    if not manifest.exists():
        return False
    old = json.loads(manifest.read_text())
    if old.get("status") != "done":
        return False
    if old.get("plan_hash") != plan_hash:
        raise ScenarioError("refusing to resume: this folder was made from a different scenario or design "
                            f"(hash {str(old.get('plan_hash', '?'))[:12]} here, {plan_hash[:12]} now)",
                            file=str(folder))
    return True


@friendly
def sensitivity(
    file: Annotated[str, typer.Argument(help="scenario YAML with a sweep: section, or a bundled name")],
    method: Annotated[str, typer.Option(help="sobol (variance shares) or morris (screening)")] = "sobol",
    samples: Annotated[int | None, typer.Option(
        help="base samples N (sobol: a power of two, N(D+2) points; morris: N trajectories, N(D+1) points); "
             "default: the sweep's 'samples'")] = None,
    replications: Annotated[int | None, typer.Option(help="runs per sample (default: the sweep's)")] = None,
    measure: Annotated[str | None, typer.Option(help="numeric measure to explain, e.g. time_to_outcome_h")] = None,
    outcome: Annotated[str | None, typer.Option(
        help="outcome whose probability to explain; several, comma-separated, count together "
             "(default: the sweep's answer_outcome)")] = None,
    second_order: Annotated[bool, typer.Option("--second-order", help="sobol: pairwise indices S2 too")] = False,
    workers: Annotated[int, typer.Option(help="parallel workers (processes)")] = 1,
    executor: Annotated[str, typer.Option(help="process or dask")] = "process",
    scheduler: Annotated[str | None, typer.Option(help="address of a running Dask scheduler")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="finish an interrupted analysis in --out, or re-analyse its finished runs")] = False,
    set_: SetOpt = None,
    out: Annotated[Path | None, typer.Option(help="results folder (default: a new one under results/)")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="start even if the sweep is large")] = False,
    figures: Annotated[bool, typer.Option("--figures/--no-figures", help="draw the figure")] = True,
) -> None:
    """Which swept parameters decide the outcome: Sobol or Morris indices, with a dummy's noise floor.

    The scenario's swept parameters (ranges, and value lists as discrete parameters) plus a dummy
    that the model never reads are sampled with SALib and run as a sweep (parallel, Dask,
    resumable); the indices, their intervals and a plain answer go into the results folder.
    """
    import pandas as pd

    from ..sweep.cli import check_executor, start
    from .sensitivity import analyse, describe_design, plan_sensitivity, resolve_response, write

    check_executor(workers, executor, resume, out)
    plan = plan_sensitivity(file, set_, method, samples=samples, replications=replications,
                            second_order=second_order)
    response = resolve_response(plan.scenario, measure, outcome, source=file)
    folder = out or Path("results") / f"{slug(plan.name)}-sensitivity-{method}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    out_console.print(describe_design(plan))
    failed = 0
    if resume and _finished(folder, plan.hash):
        out_console.print(f"the runs in {folder} are complete: analysing them again")
    else:
        res = start(plan, folder, workers=workers, executor=executor, scheduler=scheduler, resume=resume, yes=yes,
                    resume_hint=f"regime-sim sensitivity {file} --method {method} (with the same --samples, "
                                "--replications and --set)")
        failed = res.failed
    runs = pd.read_parquet(folder / "runs.parquet")
    result = analyse(plan, runs, response)
    written = write(result, folder)
    if figures:
        from ..plots.sensitivity import plot_sensitivity

        written += [Path(p).name for p in plot_sensitivity(folder)]
    out_console.print(result.text, markup=False)
    out_console.print(f"wrote {', '.join(written)} -> {folder}", markup=False)
    if failed:
        err_console.print(f"warning: {failed} runs failed and are left out; see the 'error' column of runs.parquet")
        raise typer.Exit(1)


@friendly
def discover(
    results: Annotated[Path, typer.Argument(help="a finished sweep's results folder (with runs.parquet)")],
    outcome: Annotated[str | None, typer.Option(
        help="the outcome whose region to find; several, comma-separated, count together")] = None,
    measure: Annotated[str | None, typer.Option(help="or a numeric measure, with --above or --below")] = None,
    above: Annotated[float | None, typer.Option(help="case of interest: measure above this")] = None,
    below: Annotated[float | None, typer.Option(help="case of interest: measure below this")] = None,
    threshold: Annotated[float, typer.Option(
        help="minimum density of a reported box (share of its runs with the outcome)")] = 0.8,
    boxes: Annotated[int, typer.Option(help="most boxes to find (covering)")] = 3,
    peel_alpha: Annotated[float, typer.Option(help="share of a box's runs peeled off per step")] = 0.05,
    mass_min: Annotated[float, typer.Option(help="smallest box, as a share of all runs")] = 0.05,
    seed: Annotated[int, typer.Option(help="seed of the feature ranking and the dummy column")] = 0,
    out: Annotated[Path | None, typer.Option(help="where to write (default: RESULTS/discovery)")] = None,
    figures: Annotated[bool, typer.Option("--figures/--no-figures", help="draw the figures")] = True,
) -> None:
    """Scenario discovery on a finished sweep: PRIM boxes where an outcome is likely, and a ranking.

    PRIM (Friedman & Fisher 1999) peels and pastes boxes of parameter space; the chosen box is the
    one with the most coverage at --threshold density. Extra-trees importance and mutual
    information rank the parameters against a random dummy column.
    """
    from .discovery import discover as run_discovery
    from .discovery import load_sweep, resolve_target, write

    runs, manifest = load_sweep(results)
    target = resolve_target(runs, outcome, measure, above, below, source=str(results))
    try:
        d = run_discovery(runs, manifest, target, threshold=threshold, peel_alpha=peel_alpha, mass_min=mass_min,
                          max_boxes=boxes, seed=seed)
    except ScenarioError as err:
        err.file = err.file or str(results)  # the folder is what the user named
        raise
    folder = out or Path(results) / "discovery"
    written = write(d, folder)
    if figures:
        from ..plots.sensitivity import plot_discovery

        written += [Path(p).name for p in plot_discovery(folder)]
    out_console.print(d.text, markup=False)
    out_console.print(f"wrote {', '.join(written)} -> {folder}", markup=False)
