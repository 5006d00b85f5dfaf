"""``regime-sim plot`` and ``regime-sim report``: figures and a one-page report for a
results folder (``sim/cli.py`` registers them on the command line)."""

# no `from __future__ import annotations`: typer reads the annotations of every command on each
# start, and annotations kept as text it compiles and evaluates, twice (0.05-0.1 s; issue 13)

from pathlib import Path
from typing import Annotated

import typer

from ..clitools import StyleOpt, check_style, friendly, out_console
from ..textsafe import terminal
from . import check_sweep_folder, draw_run_figures, folder_kind, load_run, map_hour

ResultsDir = Annotated[Path, typer.Argument(help="a results folder written by 'regime-sim run' or 'sweep'")]
AtOpt = Annotated[str | None, typer.Option(
    "--at", help="when the map shows: hours from the start (20, '36h') or a clock time as the log prints it "
                 "('day 3 03:00'); default: the turning point")]


@friendly
def plot(
    results_dir: ResultsDir,
    at: AtOpt = None,
    gif: Annotated[bool, typer.Option("--gif/--no-gif", help="also write the animated map (map.gif)")] = True,
    style: StyleOpt = "paper",
) -> None:
    """Draw a run's figures into its folder: map, public by region, cascade, timeline, map.gif."""
    check_style(style)
    from ..plots import style as plot_style

    if folder_kind(results_dir) == "sweep":
        from ..plots.sweep import plot_sweep

        check_sweep_folder(results_dir)
        with plot_style.use(style):
            paths = plot_sweep(results_dir)
        out_console.print(f"wrote {len(paths)} sweep figure files to {results_dir}")
        return
    run = load_run(results_dir)
    hour = map_hour(run, at)
    out_console.print(f"[bold]{terminal(run.name)}[/bold] - seed {run.seed}: figures in {terminal(results_dir)}"
                      + (" (talk style)" if style == "talk" else ""))
    with plot_style.use(style):
        written = _draw_with_progress(run, results_dir, hour, gif)
    out_console.print(f"wrote {len(written)} files to {results_dir}")


def _draw_with_progress(run, folder: Path, hour: float | None, gif: bool) -> list[str]:
    """The run's figures, a line each as they are drawn, then the GIF with a bar over its frames
    (the same progress as ``regime-sim run --gif``: :class:`sim.progress.DrawProgress`)."""
    from ..progress import DrawProgress

    with DrawProgress(out_console) as drawing:
        return draw_run_figures(run, folder, at=hour, gif=gif, on_figure=drawing.figure, on_frame=drawing.frame)


@friendly
def report(results_dir: ResultsDir, at: AtOpt = None, style: StyleOpt = "paper") -> None:
    """Write report.html: one self-contained page (outcome, scenario, figures, parameters, rules)."""
    check_style(style)
    from ..plots import style as plot_style
    from .html import write_report

    if folder_kind(results_dir) == "sweep":
        from .sweep_html import write_sweep_report

        check_sweep_folder(results_dir)
        with plot_style.use(style):
            path = write_sweep_report(results_dir)
        out_console.print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, self-contained)")
        return
    run = load_run(results_dir)
    hour = map_hour(run, at)
    out_console.print(f"[bold]{terminal(run.name)}[/bold] - seed {run.seed}: drawing the figures for the report")
    with plot_style.use(style):
        path = write_report(run, results_dir / "report.html", at=hour,
                            on_figure=lambda name, s: out_console.print(f"  {name:9s} ({s:.1f} s)"))
    out_console.print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, self-contained: open it in a browser "
                      "or print it to PDF)")
