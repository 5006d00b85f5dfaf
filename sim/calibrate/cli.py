"""``regime-sim calibrate CASE [CASE...]``: ABC-SMC against observed targets.

Writes into ``--out`` (default ``results/calibrate-CASES-TIME``): ``abc.db`` (pyabc's history,
for ``--resume``), ``calibration.json`` (the set-up, checked on resume), ``posterior.parquet``
(the last generation's particles and weights), ``generations.csv`` (threshold, acceptance
rate, simulations and seconds per generation), ``parameters.csv`` (prior range, posterior
median and 90% interval per parameter), ``predictive.csv`` (the posterior predictive check),
``manifest.json``, and through the command line's drawing the figures and ``report.html``;
and ``calibrated/CASES.yaml`` (``--params`` for run, sweep and dashboard). This package draws
nothing: ``sim/cli.py`` passes the drawing in, as for sweeps.
"""

# no `from __future__ import annotations`: typer reads the annotations of every command on each
# start, and annotations kept as text it compiles and evaluates, twice (0.05-0.1 s; issue 13)

import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from ..clitools import err_console, friendly, out_console
from ..scenario.errors import ScenarioError


def write_overlay(path: Path, cases: list[str], rows: list[dict], folder: Path) -> list[Path]:
    """The calibrated values as a ``--params`` file: the shared parameters' posterior medians.

    Where cases were fitted together and some parameters are each case's own, each case also gets
    ``PATH.CASE.yaml`` with the shared values and its own; returns the files written."""
    def text(target: Path, chosen: list[dict], note: str) -> None:
        lines = [f"# Calibrated by `regime-sim calibrate {' '.join(cases)}` ({folder}){note}.",
                 "# Posterior medians; the comment gives each one's 90% credible interval and prior range.",
                 "# Use with: regime-sim run SCENARIO --params " + str(target),
                 f"cases: [{', '.join(cases)}]",
                 "params:" if chosen else "params: {}"]
        for r in chosen:
            lines.append(f"  {r.get('param') or r['path']}: {r['median']:.6g}   # 90% credible interval "
                         f"{r['q05']:.4g} to {r['q95']:.4g}; prior {r['prior_low']:g} to {r['prior_high']:g}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n")

    shared = [r for r in rows if not r.get("case")]
    own = sorted({r["case"] for r in rows if r.get("case")})
    text(path, shared, "; the parameters every case shares" if own else "")
    written = [path]
    for case in own:
        target = path.with_name(f"{path.stem}.{case}{path.suffix}")
        text(target, shared + [r for r in rows if r.get("case") == case], f"; for {case}")
        written.append(target)
    return written


def calibrate_command(draw: Callable[[Path], object] | None = None) -> Callable[..., None]:
    """The command; ``draw(folder)`` writes the figures and the report page of a finished calibration."""

    @friendly
    def calibrate(
        cases: Annotated[list[str], typer.Argument(help="cases: targets files, or bundled names (targets/NAME.yaml)")],
        fit: Annotated[list[str] | None, typer.Option(
            "--fit", help="a parameter to fit, PATH or PATH=LOW:HIGH (repeatable; default: the targets' fit: lists)")]
        = None,
        particles: Annotated[int, typer.Option(help="particles per generation")] = 100,
        generations: Annotated[int, typer.Option(help="generations (populations) in all")] = 4,
        replications: Annotated[int | None, typer.Option(
            help="runs per particle (default: each targets file's replications)")] = None,
        leave_out: Annotated[str | None, typer.Option(
            "--leave-out", help="fit on the other cases; report this one's predictive check")] = None,
        draws: Annotated[int, typer.Option(help="posterior draws for the predictive check")] = 40,
        seed: Annotated[int, typer.Option(help="seed of the calibration (pyabc's sampling and every run)")] = 1,
        workers: Annotated[int, typer.Option(help="parallel workers (processes)")] = 1,
        executor: Annotated[str, typer.Option(help="process or dask")] = "process",
        scheduler: Annotated[str | None, typer.Option(help="address of a running Dask scheduler")] = None,
        min_acceptance: Annotated[float, typer.Option(help="stop when a generation accepts less")] = 0.0,
        resume: Annotated[bool, typer.Option("--resume", help="continue an interrupted calibration in --out")]
        = False,
        out: Annotated[Path | None, typer.Option(help="results folder")] = None,
        overlay: Annotated[Path | None, typer.Option(
            "--overlay", help="where to write the calibrated overlay (default: calibrated/CASES.yaml)")] = None,
        figures: Annotated[bool, typer.Option("--figures/--no-figures", help="draw figures and report.html")]
        = True,
    ) -> None:
        """Calibrate the model to what happened: ABC-SMC (pyabc) over the chosen parameters."""
        from ..folders import check_out_target
        from ..provenance import git_commit, versions
        from .engine import (
            Simulator,
            calibrate,
            generations_table,
            load_cases,
            make_sampler,
            posterior,
            predictive,
            resolve_priors,
            summarise,
        )

        for name, value, least in (("particles", particles, 2), ("generations", generations, 1),
                                   ("draws", draws, 1), ("workers", workers, 1)):
            if value < least:
                raise ScenarioError(f"expected a whole number >= {least}, got {value}", file="<command line>",
                                    field=f"--{name}")
        if seed < 0:
            raise ScenarioError("expected a whole number >= 0", file="<command line>", field="--seed")
        if executor not in ("process", "dask"):
            raise ScenarioError(f"expected process or dask, got '{executor}'", file="<command line>",
                                field="--executor")
        if scheduler and executor != "dask":
            raise ScenarioError("--scheduler needs --executor dask", file="<command line>", field="--scheduler")
        if resume and out is None:
            raise ScenarioError("--resume needs --out: the folder of the interrupted calibration",
                                file="<command line>", field="--out")
        names = list(dict.fromkeys(cases))
        if leave_out is not None and leave_out not in names:
            names.append(leave_out)
        models = load_cases(names, replications)
        held = [m for m in models if leave_out is not None and (m.name == leave_out or
                                                                 str(m.case.file) == leave_out
                                                                 or Path(m.case.file).stem == leave_out)]
        fitted = [m for m in models if m not in held]
        if leave_out is not None and not fitted:
            raise ScenarioError("--leave-out leaves no case to fit on; name at least one other case",
                                file="<command line>", field="--leave-out")
        priors, applies = resolve_priors(models, fit)
        sim = Simulator(cases=fitted, priors=priors, seed=seed, applies=applies)
        label = "+".join(m.name for m in fitted)
        folder = out or Path("results") / f"calibrate-{label}-{dt.datetime.now():%Y%m%d-%H%M%S}"
        check_out_target(folder)
        setup = {"cases": [m.name for m in fitted], "leave_out": [m.name for m in held],
                 "priors": [{"path": p.path, "low": p.low, "high": p.high, "origin": p.origin, "case": p.case} for p in priors],
                 "particles": particles, "seed": seed,
                 "replications": {m.name: m.replications for m in models}}
        db = folder / "abc.db"
        if resume:
            if not (folder / "calibration.json").exists():
                raise ScenarioError("holds no calibration to resume (no calibration.json)", file=str(folder))
            before = json.loads((folder / "calibration.json").read_text())
            if before != setup:
                raise ScenarioError("was started with other cases, parameters or options; resume it with the same "
                                    "ones or choose another --out", file=str(folder / "calibration.json"))
        else:
            if folder.exists() and any(folder.iterdir()):
                raise ScenarioError("already exists and is not empty; choose another --out, or --resume",
                                    file=str(folder))
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "calibration.json").write_text(json.dumps(setup, indent=2) + "\n")
        err_console.print(f"calibrating {label}: {len(priors)} parameters "
                          f"({', '.join(p.name for p in priors)}), {particles} particles x {generations} "
                          f"generations, runs per particle {', '.join(str(m.replications) for m in fitted)}",
                          markup=False)

        def report(g, total, left) -> None:
            err_console.print(f"generation {g.t + 1}/{total}: threshold {g.epsilon:.4g}, acceptance "
                              f"{g.acceptance:.1%} ({g.simulations} particles simulated) in {g.seconds:.0f} s; "
                              f"{time.perf_counter() - t0:.0f} s elapsed, about {left:.0f} s left", markup=False)
            if g.epsilon == 0 and g.simulations <= g.particles:
                err_console.print("  every particle fits the targets equally (threshold 0): they cannot tell these "
                                  "parameter values apart", markup=False)

        sampler, close = make_sampler(workers, executor, scheduler)
        t0 = time.perf_counter()
        started = dt.datetime.now().isoformat(timespec="seconds")
        try:
            history = calibrate(sim, db, particles=particles, generations=generations, seed=seed, resume=resume,
                                sampler=sampler, min_acceptance=min_acceptance, report=report)
        except KeyboardInterrupt:
            err_console.print(f"interrupted: finished generations are in {db}; continue with: regime-sim "
                              f"calibrate {' '.join(names)} --resume --out {folder} (same options)", markup=False)
            raise typer.Exit(130) from None
        finally:
            close()
        wall = time.perf_counter() - t0
        gens = generations_table(history, particles)
        gens.to_csv(folder / "generations.csv", index=False)
        post = posterior(history, priors)
        post.to_parquet(folder / "posterior.parquet", index=False)
        rows = summarise(post, priors)
        import pandas as pd

        pd.DataFrame(rows).to_csv(folder / "parameters.csv", index=False)
        err_console.print(f"posterior predictive check: {draws} draws", markup=False)
        t1 = time.perf_counter()
        check_models = held if held else fitted
        ppc_sim = Simulator(cases=check_models, priors=priors, seed=seed, applies=applies)
        ppc = predictive(check_models, ppc_sim, post, draws, seed + 10_000)
        ppc["in_sample"] = not held
        ppc.to_csv(folder / "predictive.csv", index=False)
        ppc_seconds = time.perf_counter() - t1
        # every particle simulated (the prior sample pyabc calibrates its distance on included),
        # each run with its case's replications
        sims = int(history.get_all_populations()["samples"].sum()) * sum(m.replications for m in fitted)
        overlay_path = overlay or Path("calibrated") / f"{label}.yaml"
        overlays = write_overlay(overlay_path, [m.name for m in fitted], rows, folder)
        manifest = {
            "command": "calibrate", "started": started, "cases": [m.name for m in fitted],
            "targets_files": {m.name: str(m.case.file) for m in models},
            "leave_out": [m.name for m in held], "priors": setup["priors"], "particles": particles,
            "generations_run": int(len(gens)), "seed": seed, "workers": workers, "executor": executor,
            "wall_seconds": wall, "model_runs": sims, "runs_per_second": sims / max(wall, 1e-9),
            "predictive_seconds": ppc_seconds, "overlay": str(overlay_path), "overlays": [str(o) for o in overlays], "commit": git_commit(),
            "versions": versions(), "resumed": resume,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        out_console.print(f"[bold]posterior[/bold] ({len(gens)} generations, {sims} model runs in {wall:.0f} s, "
                          f"{sims / max(wall, 1e-9):.2f} runs/s)")
        for r in rows:
            out_console.print(f"  {r['path']}: {r['median']:.4g} (90%: {r['q05']:.4g} to {r['q95']:.4g}; prior "
                              f"{r['prior_low']:g} to {r['prior_high']:g}){'' if r['constrained'] else ' - not constrained'}",
                              markup=False)
        which = "left-out case " + ", ".join(m.name for m in held) if held else "in-sample"
        out_console.print(f"[bold]predictive check[/bold] ({which}):")
        for r in ppc.itertuples():
            out_console.print(f"  {r.case} {r.measure}: observed {r.observed}; model {r.predicted_text}"
                              f"{'' if r.covered else '  MISSED'}", markup=False)
        if figures and draw is not None:
            draw(folder)
        out_console.print(f"-> {folder}; overlay {overlay_path}")

    return calibrate
