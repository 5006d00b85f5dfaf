"""The ``regime-sim`` command line.

Bad input (a scenario file, a --set path, an output folder) is reported as one line naming
the file, the line and the field, with exit status 2 and no traceback.
"""

# no `from __future__ import annotations`: typer reads the annotations of every command on each
# start, and annotations kept as text it compiles and evaluates, twice (0.05-0.1 s; issue 13)

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from .analysis import cli as analysis_cli
from .calibrate import cli as calibrate_cli
from .clitools import (
    ParamsOpt,
    SetOpt,
    StyleOpt,
    check_style,
    err_console,
    fail,
    friendly,
    out_console,
    stdout_may_close,
    with_overlay,
)
from .dashboard import cli as dashboard_cli
from .paired import cli as paired_cli
from .patterns import cli as patterns_cli
from .report import cli as report_cli
from .scenario.errors import ScenarioError
from .sweep import cli as sweep_cli

__all__ = ["app", "main", "SetOpt", "err_console", "fail", "friendly", "out_console"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # click's plain help and usage errors: typer's rich formatting imports rich.markdown and
    # more, about 0.2 s of CPU on every --help (issue 13 asks for a start within 0.5 s)
    rich_markup_mode=None,
    help="regime-sim: an agent-based scenario model of regime transition (Russia 2022-2023).",
)


def _load(path: str, sets: list[str] | None):
    from .scenario.loader import load_scenario_with_raw

    return load_scenario_with_raw(path, sets or [])


def print_measures(measures: dict) -> None:
    """The measures as the report words them: counts of people as whole numbers, casualties of
    the crisis apart from the scripted losses at the front."""
    from rich.table import Table

    from .measures import MEASURES
    from .textsafe import terminal

    table = Table(title="Outcome and measures", show_header=True, header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("unit")
    table.add_row("outcome", terminal(str(measures.get("outcome_label", ""))), "")
    for key, (label, unit, fmt) in MEASURES.items():
        if key in measures:
            table.add_row(terminal(label), terminal(fmt(measures[key])), unit)
    for key, value in measures.items():
        if key.startswith("status__"):
            table.add_row(f"{terminal(key.split('__', 1)[1])} at the end", terminal(str(value).replace("_", " ")), "")
    peaks = {k.split("__", 1)[1]: v for k, v in measures.items() if k.startswith("peak_protest__") and v > 0}
    if peaks:
        top = sorted(peaks.items(), key=lambda kv: -kv[1])[:4]
        table.add_row("peak protest by region", ", ".join(f"{terminal(k)} {v:.2%}" for k, v in top), "")
    for prefix, what in (("deaths__", "killed in crowds"), ("ground_deaths__", "killed in ground fighting")):
        dead = {k.split("__", 1)[1]: v for k, v in measures.items() if k.startswith(prefix) and v >= 0.5}
        if dead:
            top = sorted(dead.items(), key=lambda kv: -kv[1])[:4]
            table.add_row(f"{what}, by region", ", ".join(f"{terminal(k)} {round(v):,}" for k, v in top), "people")
    out_console.print(table)


# ============================================================================ commands
@app.command()
@friendly
def run(
    file: Annotated[str | None, typer.Argument(help="scenario YAML file, or the name of a bundled one")] = None,
    seed: Annotated[int | None, typer.Option(help="random seed (default: the scenario's)")] = None,
    set_: SetOpt = None,
    params: ParamsOpt = None,
    out: Annotated[Path | None, typer.Option(help="results folder (default: a new one under results/)")] = None,
    figures: Annotated[bool, typer.Option("--figures/--no-figures", help="draw the figures")] = True,
    gif: Annotated[bool, typer.Option("--gif/--no-gif", help="also write the animated map (map.gif)")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print only the outcome")] = False,
    from_sweep: Annotated[Path | None, typer.Option(
        "--from-sweep", help="re-run one run of this finished sweep's folder (with --run-id), "
                             "with its figures and report.html")] = None,
    run_id: Annotated[int | None, typer.Option("--run-id", help="the run of --from-sweep to re-run")] = None,
    force: Annotated[bool, typer.Option("--force", help="replace the previous run in an existing --out folder")]
    = False,
    style: StyleOpt = "paper",
) -> None:
    """Run a scenario once: print its timeline and outcome, write tables and figures.

    With --from-sweep DIR --run-id N, re-run run N of a finished sweep exactly: its scenario,
    its swept values and its seed.
    """
    from .output import default_out_dir, prepare_run_dir, write_run
    from .progress import DrawProgress, RunProgress
    from .runner import run as run_scenario
    from .scenario.loader import estimate_seconds
    from .textsafe import plain, terminal

    check_style(style)
    replay = None
    if params is not None:
        if from_sweep is not None:
            raise ScenarioError("--params cannot change a sweep's run; give the file instead of --from-sweep",
                                file="<command line>", field="--params")
        set_ = with_overlay(params, set_)
    if from_sweep is not None or run_id is not None:
        replay = _sweep_run(file, from_sweep, run_id, seed, set_)
        scn, raw, used_seed, source, sets = replay.scenario, replay.raw, replay.seed, str(
            from_sweep / "scenario.yaml"), replay.sets
    elif file is None:
        raise ScenarioError("give a scenario file (or a bundled name), or --from-sweep DIR --run-id N",
                            file="<command line>")
    else:
        scn, raw, _ = _load(file, set_)
        if seed is not None and seed < 0:
            raise ScenarioError("--seed must be a whole number >= 0", file=file, field="seed")
        used_seed, source, sets = scn.seed if seed is None else seed, file, set_ or []
    folder = prepare_run_dir(out or default_out_dir(scn.name, used_seed, "replay" if replay else "run"), force=force)
    started = dt.datetime.now().isoformat(timespec="seconds")
    expected = estimate_seconds(scn)
    if expected > 5:
        err_console.print(f"{scn.steps:,} steps: about {expected:,.0f} s (estimated)", markup=False)
    with RunProgress(err_console, f"run {terminal(scn.name)}") as progress:
        result = run_scenario(scn, seed=used_seed, on_step=progress)
    # a reader that stops early ('| head') loses the rest of the printout, not the results
    with stdout_may_close():
        if not quiet:
            heading = f"[bold]{terminal(scn.title or scn.name)}[/bold] - seed {used_seed}"
            if replay is not None:
                heading += f" - run {replay.run_id} of the sweep in {terminal(replay.folder)} (point {replay.point})"
            out_console.print(heading)
            for line in result.timeline():
                out_console.print("  " + plain(line), markup=False)
            out_console.print()
            print_measures(result.measures)
        out_console.print(
            f"outcome: [bold]{result.measures['outcome_label']}[/bold] after "
            f"{result.measures['time_to_outcome_h']:g} h - {terminal(result.measures['outcome_reason'])}"
        )
    if figures:
        from .plots import style as plot_style

        # the figures and the GIF (about 20 s) show their progress on stderr, beside the run's
        with plot_style.use(style), DrawProgress(err_console, lines=not quiet) as drawing:
            files = write_run(result, folder, source, raw, sets, started, figures=figures, gif=gif,
                              on_figure=drawing.figure, on_frame=drawing.frame)
            if replay is not None:
                files += _finish_replay(replay, folder, figures)
    else:
        files = write_run(result, folder, source, raw, sets, started, figures=figures, gif=gif)
        if replay is not None:
            files += _finish_replay(replay, folder, figures)
    with stdout_may_close():
        out_console.print(f"wrote {len(files)} files to {folder}", markup=False)
    if replay is not None:
        differ = replay.differences(result.measures)
        if differ:  # the code changed since the sweep, or the replay is not exact
            err_console.print(f"warning: this replay differs from run {replay.run_id} as the sweep recorded it "
                              f"({'; '.join(differ[:3])})", markup=False)
            raise typer.Exit(1)
        out_console.print(f"replay of run {replay.run_id}: outcome and measures as the sweep recorded them",
                          markup=False)


def _sweep_run(file: str | None, folder: Path | None, run_id: int | None, seed: int | None,
               sets: list[str] | None):
    """The run that ``--from-sweep`` names, after checking the options go together."""
    from .sweep.replay import load_sweep_run

    where = "<command line>"
    if folder is None:
        raise ScenarioError("--run-id needs --from-sweep DIR: the sweep's folder", file=where)
    if run_id is None:
        raise ScenarioError("--from-sweep needs --run-id N: which run of the sweep to re-run", file=where)
    if file is not None:
        raise ScenarioError(f"give either a scenario file ('{file}') or --from-sweep, not both: a sweep's run "
                            "takes its scenario from the sweep's folder", file=where)
    if seed is not None or sets:
        raise ScenarioError("--seed and --set do not go with --from-sweep: the replay uses the run's own seed and "
                            "values (run the scenario file to change them)", file=where)
    return load_sweep_run(folder, run_id)


def _finish_replay(replay, folder: Path, figures: bool) -> list[str]:
    """Record in the manifest what the replay is of, write its report, say how to get it from
    the scenario file."""
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["replay_of"] = {"sweep": str(replay.folder), "run_id": replay.run_id, "point": replay.point,
                             "replication": replay.replication, "seed": replay.seed,
                             "overrides": replay.overrides, "same_as": replay.command()}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    written = []
    if figures:
        from .report import load_run
        from .report.html import write_report

        write_report(load_run(folder), folder / "report.html")
        written.append("report.html")
    if replay.base_sets is None:
        out_console.print(f"note: {replay.note}", markup=False)
    else:
        out_console.print(f"the same run from the scenario file: {replay.command()}", markup=False)
    return written


@app.command()
@friendly
def validate(files: Annotated[list[str], typer.Argument(help="scenario files to check")]) -> None:
    """Check scenario files against the schema; exit 2 on the first bad one."""
    # a file found valid before, unchanged, is not validated again: sim/scenario/verdicts.py
    # `regime-sim validate FILE...` runs in sim/quick.py, without typer; this is the command for
    # its other forms (an option, `--`) and for callers of sim.cli.main
    from .scenario.verdicts import ok_line, validate_file
    from .textsafe import terminal

    for f in files:
        out_console.print(ok_line(f, validate_file(f), terminal))


@app.command()
def schema(
    markdown: Annotated[bool, typer.Option("--markdown", help="print docs/parameters.md instead")] = False,
    model: Annotated[
        bool,
        typer.Option("--model", help="print the schema of the merged, validated scenario instead "
                     "(every field complete, `at` in hours): what a file becomes after its base is merged"),
    ] = False,
) -> None:
    """Print the JSON Schema (Draft 2020-12) of scenario files, for editors and CI: a file with
    `base:` may be partial and `at` may be a time text, as the loader accepts."""
    # the same text for the same code: kept between calls (sim/cache.py), pydantic is not imported
    from .cache import cached_text

    def made() -> str:
        from .docs_gen import file_json_schema, params_markdown
        from .scenario.schema import Scenario

        if markdown:
            return params_markdown()
        return json.dumps(Scenario.model_json_schema() if model else file_json_schema(), indent=2) + "\n"

    sys.stdout.write(cached_text("parameters-md" if markdown else "schema-model" if model else "schema-file", made))


@app.command("list")
def list_() -> None:
    """List the bundled scenarios, one line each ('validate' checks them)."""
    # each file's own title, read without the schema or the base world: a listing should start
    # at once, and validating five scenarios with their sweeps takes seconds
    from .scenario.bundled import bundled_scenarios, title_line
    from .textsafe import terminal

    paths = bundled_scenarios()
    width = max((len(terminal(p.stem)) for p in paths), default=22)
    for p in paths:
        try:
            line = title_line(p)
        except ScenarioError as err:
            line = f"(unreadable: {err})"
        out_console.print(f"[bold]{terminal(p.stem):{width}s}[/bold] {terminal(line)}")


@app.command()
def rules(
    markdown: Annotated[bool, typer.Option("--markdown", help="print docs/rules.md")] = False,
) -> None:
    """Print the table of behavioural rules with their graded evidence (states / context)."""
    if markdown:
        from .docs_gen import rules_markdown  # imports pydantic: only for the Markdown

        sys.stdout.write(rules_markdown())
        return
    out_console.print(rules_listing(out_console.width if out_console.is_terminal else None), markup=True)


def rules_listing(width: int | None) -> str:
    """The rule table as a block per rule (rich markup: the ids in bold): its id, then its
    statement, evidence and literature, each under its label and wrapped to ``width`` columns
    (``None``: one line each, for a pipe or a file). rich's table layout took 0.3 s for the
    same text, and at 80 columns it cut long words in its narrow columns."""
    import textwrap

    from rich.markup import escape

    from .rules import RULES

    indent = 14  # "  literature  "
    wrap = textwrap.TextWrapper(width=max(width - indent, 30) if width else 10**9, break_long_words=False,
                                break_on_hyphens=False)
    lines = [escape(f"{len(RULES)} rules (switch one off with rules: {{disable: [id]}})")]
    for r in RULES.values():
        evidence = ((["literature only"] if r.literature_only else [])
                    + [f"{e.source} ({e.grade}): \"{e.quote}\"" for e in r.evidence])
        lines += ["", f"[bold]{escape(r.id)}[/bold]"]
        for name, entries in (("statement", [r.statement]), ("evidence", evidence),
                              ("literature", list(r.literature))):
            text = [part for entry in entries for part in wrap.wrap(entry)] or ["-"]
            lines += [escape(f"  {name if i == 0 else '':{indent - 2}}{part}") for i, part in enumerate(text)]
    return "\n".join(lines) + "\n"


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
    paths = sorted(SCENARIO_DIR.glob("*.yaml"))
    # columns as wide as the longest name and outcome ('unresolved at the horizon'), so the
    # gallery's long names (mechanism_pay_and_immunity) do not push their line out of line
    width = max((len(p.stem) for p in paths), default=20)
    for p in paths:
        scn, raw, _ = load_scenario_with_raw(p)
        t0 = time.perf_counter()
        result = run_scenario(scn)
        wall = time.perf_counter() - t0
        folder = prepare_out_dir(root / p.stem)
        write_run(result, folder, str(p), raw, [], dt.datetime.now().isoformat(timespec="seconds"), figures)
        m = result.measures
        out_console.print(f"  {p.stem:{width}s} [bold]{m['outcome_label']:25s}[/bold] after {m['time_to_outcome_h']:5g} h"
                          f"  ({wall:.2f} s)  {m['outcome_reason']}")
    out_console.print(f"tables, timelines and figures in {root}/")


# ============================================================================ composition
# The packages' commands are registered here: the command line composes the packages, which
# never import it. What the sweep package must not do itself (draw) is passed in.
def _draw_sweep(folder: Path, style: str = "paper") -> object:
    from .plots import style as plot_style
    from .plots.sweep import plot_sweep

    with plot_style.use(style):
        return plot_sweep(folder)


def _draw_audit(table, png: Path, style: str = "paper") -> object:
    from .plots import style as plot_style
    from .plots.paired import plot_audit

    with plot_style.use(style):
        return plot_audit(table, png)


def _draw_compare(table, png: Path, label_a: str, label_b: str, style: str = "paper", heading: str = "") -> object:
    from .plots import style as plot_style
    from .plots.paired import plot_compare

    with plot_style.use(style):
        return plot_compare(table, png, label_a, label_b, heading)


def _compare_report(root: Path, **parts) -> object:
    from .report.compare_html import write_compare_report

    return write_compare_report(root, **parts)


def _draw_calibration(folder: Path) -> object:
    from .plots.calibration import plot_calibration
    from .report.calibration_html import write_calibration_report

    plot_calibration(folder)
    return write_calibration_report(folder)


app.command("sweep")(sweep_cli.sweep_command(draw=_draw_sweep))
app.command("calibrate")(calibrate_cli.calibrate_command(draw=_draw_calibration))
app.command("audit")(paired_cli.audit_command(draw=_draw_audit))
app.command("compare")(paired_cli.compare_command(draw=_draw_compare, report=_compare_report))
app.command()(patterns_cli.patterns)
app.command()(report_cli.plot)
app.command()(report_cli.report)
app.command()(dashboard_cli.dashboard)
app.command()(analysis_cli.sensitivity)
app.command()(analysis_cli.discover)


def main() -> None:
    # pydantic scans every installed package's entry points for its plugins (observability hooks)
    # the first time it builds a validator: 0.1-0.2 s of `validate`. The command line uses none; a
    # PYDANTIC_DISABLE_PLUGINS the user sets (even to nothing) is left as it is.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app()


if __name__ == "__main__":
    main()
