"""``regime-sim audit`` and ``regime-sim compare``: arms on common random numbers.

Like ``sim/sweep``, this package does not draw: the command line passes in the figures
(``sim/plots/paired.py``) and the report page (``sim/report/compare_html.py``).
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

from ..clitools import StyleOpt, check_style, err_console, friendly, out_console
from ..scenario.errors import ScenarioError

Workers = Annotated[int, typer.Option(help="parallel workers (processes)")]
Executor = Annotated[str, typer.Option(help="process or dask")]
Scheduler = Annotated[str | None, typer.Option(help="address of a running Dask scheduler")]
Resume = Annotated[bool, typer.Option("--resume", help="finish an interrupted run of this command in --out")]
Out = Annotated[Path | None, typer.Option(help="results folder (default: a new one under results/)")]
MasterSeed = Annotated[int, typer.Option("--seed", help="master seed: run i of every arm gets SeedSequence(seed, spawn_key=(i,))")]


def _check(seeds: int, workers: int, executor: str, resume: bool, out: Path | None, master: int) -> None:
    from ..sweep.cli import check_executor

    if seeds < 1:
        raise ScenarioError(f"--seeds must be at least 1, got {seeds}", field="--seeds")
    if master < 0:
        raise ScenarioError("--seed must be a whole number >= 0", field="--seed")
    check_executor(workers, executor, resume, out)


def _run(root: Path, arms, seeds: int, master: int, workers: int, executor: str, scheduler: str | None,
         series: bool, hint: str):
    from ..provenance import git_commit
    from .arms import MANIFEST, run_arms

    res = run_arms(root, arms, seeds=seeds, master_seed=master, workers=workers, executor=executor,
                   scheduler=scheduler, series=series, console=err_console)
    man = json.loads((root / MANIFEST).read_text())
    man.update(workers=workers, executor=executor, git_commit=git_commit())
    (root / MANIFEST).write_text(json.dumps(man, indent=2) + "\n")
    if res.interrupted:
        why = f" ({res.error})" if res.error else ""
        err_console.print(f"interrupted{why}: the finished arms are saved in {root}; finish with: {hint} --resume "
                          f"--out {root}", markup=False)
        raise typer.Exit(2 if res.error else 130)
    return res, man


def audit_command(draw: Callable[..., object] | None = None) -> Callable[..., None]:
    """``regime-sim audit``; ``draw(audit_table, png_path, style)`` draws its heat map."""

    @friendly
    def audit(
        scenarios: Annotated[list[str] | None, typer.Argument(
            help="scenario files or bundled names (default: every bundled scenario)")] = None,
        seeds: Annotated[int, typer.Option(help="seeds per arm (the same for every arm)")] = 40,
        rule: Annotated[list[str] | None, typer.Option("--rule", help="audit only this rule (repeatable)")] = None,
        workers: Workers = 1,
        executor: Executor = "process",
        scheduler: Scheduler = None,
        seed: MasterSeed = 12345,
        out: Out = None,
        resume: Resume = False,
        markdown: Annotated[Path | None, typer.Option(
            help="also write the audit as Markdown here (docs/audit.md), its heat map beside it")] = None,
        style: StyleOpt = "paper",
    ) -> None:
        """Switch each rule off in each scenario on the same seeds and test what its statement says it does."""
        from . import audit as au
        from .arms import MANIFEST, open_root

        check_style(style)
        _check(seeds, workers, executor, resume, out, seed)
        rules = au.check_rules(rule)
        effects = au.stated_effects(rules)
        names = au.scenario_names(scenarios)
        arms, pairs = au.build_arms(names, rules)
        ons = [a for a in arms if a.name.endswith(f"/{au.ON}")]
        out_console.print(f"audit: which rules {len(ons)} scenarios ask about, on {seeds} seeds ...", markup=False)
        t_probe = time.perf_counter()
        asked = {a.name.split("/")[0]: au.rules_asked(a, seeds, seed, workers) for a in ons}
        t_probe = time.perf_counter() - t_probe
        arms, pairs, skipped = au.skip_unasked(arms, pairs, asked)
        root = out or Path("results") / f"audit-{dt.datetime.now():%Y%m%d-%H%M%S}"
        open_root(root, "audit", arms, seeds, seed, resume, extra={"rules": rules})
        out_console.print(f"audit: {len(rules)} rules x {len(names)} scenarios = {len(pairs) + len(skipped)} pairs, "
                          f"{len(skipped)} never asked about (not run), {len(arms)} arms x {seeds} seeds = "
                          f"{len(arms) * seeds:,} runs -> {root}", markup=False)
        _, man = _run(root, arms, seeds, seed, workers, executor, scheduler, False,
                      f"regime-sim audit {' '.join(names)} --seeds {seeds} --seed {seed}"
                      + "".join(f" --rule {r}" for r in rule or []))
        man["wall_seconds"] = round(float(man.get("wall_seconds", 0.0)) + t_probe, 1)  # the probe is part of it
        man["probe_seconds"] = round(t_probe, 1)
        (root / MANIFEST).write_text(json.dumps(man, indent=2) + "\n")
        table, long = au.analyse(root, arms, pairs, effects, skipped)
        au.write_tables(root, table, long)
        png = root / "audit_heatmap.png"
        if draw is not None:
            draw(table, png, style)
        if markdown is not None:
            fig = None
            if draw is not None:
                target = markdown.with_name(f"{markdown.stem}_heatmap.png")
                target.write_bytes(png.read_bytes())
                fig = target.name
            markdown.write_text(au.markdown(table, man, fig))
        counts = table["class"].value_counts()
        out_console.print(f"{counts.get(au.ACTS, 0)} pairs act as stated, {counts.get(au.NONE, 0)} show no "
                          f"detectable effect, {counts.get(au.CONTRARY, 0)} are contrary to their statement "
                          f"(total {float(man.get('wall_seconds', 0)) / 60:.1f} min) -> {root}/audit.csv", markup=False)
        for _, r in table[table["class"] == au.CONTRARY].iterrows():
            out_console.print(f"  contrary: {r['rule']} in {r['scenario']}: {r['stated_quantity']} off - on = "
                              f"{r['diff']:+.3g} [{r['low']:+.3g}, {r['high']:+.3g}], stated {r['stated_when_off']}",
                              markup=False)

    return audit


def compare_command(draw: Callable[..., object] | None = None,
                    report: Callable[..., object] | None = None) -> Callable[..., None]:
    """``regime-sim compare``; ``draw(table, png, label_a, label_b, style, heading=...)`` draws its figure
    and ``report(root, **parts)`` writes its page."""

    @friendly
    def compare(
        file_a: Annotated[str, typer.Argument(help="scenario A: a file or a bundled name")],
        file_b: Annotated[str | None, typer.Argument(help="scenario B (default: A again, with --b-set)")] = None,
        a_set: Annotated[list[str] | None, typer.Option("--a-set", help="override for arm A: path=value (repeatable)")]
        = None,
        b_set: Annotated[list[str] | None, typer.Option("--b-set", help="override for arm B: path=value (repeatable)")]
        = None,
        seeds: Annotated[int, typer.Option(help="pairs of runs (the same seeds for both arms)")] = 40,
        workers: Workers = 1,
        executor: Executor = "process",
        scheduler: Scheduler = None,
        seed: MasterSeed = 12345,
        out: Out = None,
        resume: Resume = False,
        figures: Annotated[bool, typer.Option("--figures/--no-figures", help="draw the figure and report.html")] = True,
        style: StyleOpt = "paper",
    ) -> None:
        """Run two variants of a scenario on common random numbers and report their paired differences."""
        from . import compare as cp
        from .arms import open_root

        check_style(style)
        _check(seeds, workers, executor, resume, out, seed)
        arms = cp.build_arms(file_a, file_b, a_set, b_set)
        diffs = cp.differences(arms[0].raw, arms[1].raw)
        root = out or Path("results") / f"compare-{dt.datetime.now():%Y%m%d-%H%M%S}"
        open_root(root, "compare", arms, seeds, seed, resume)
        hint = " ".join(["regime-sim compare", file_a, *([file_b] if file_b else []),
                         *[f"--a-set '{s}'" for s in a_set or []], *[f"--b-set '{s}'" for s in b_set or []],
                         f"--seeds {seeds} --seed {seed}"])
        _, man = _run(root, arms, seeds, seed, workers, executor, scheduler, True, hint)
        table, flipped = cp.analyse(root, arms)
        table.to_parquet(root / "compare.parquet", index=False)
        table.to_csv(root / "compare.csv", index=False)
        flipped.to_csv(root / "flips.csv", index=False)
        text = cp.answer(table, flipped, arms, diffs)
        (root / "answer.txt").write_text(text + "\n")
        out_console.print(text, markup=False)
        for _, f in flipped.head(5).iterrows():
            out_console.print(f"  flipped: run {f['run_id']} ({f['outcome_a']} -> {f['outcome_b']}): {f['replay_b']}",
                              markup=False)
        if figures and draw is not None:
            heading, words_a, words_b = cp.figure_labels(file_a, file_b, diffs)
            draw(table, root / "compare.png", words_a, words_b, style, heading=heading)
            if report is not None:
                report(root, table=table, flips=flipped, labels=(arms[0].label, arms[1].label), diffs=diffs,
                       answer=text, manifest=man)
        out_console.print(f"{len(arms) * seeds} runs in {float(man.get('wall_seconds', 0)):.1f} s -> {root}",
                          markup=False)

    return compare
