"""Progress of long work: a run's steps, a run's figures and the frames of its animated map.

A short run prints nothing extra; a long one shows a bar on a terminal (or, when the console
is a file or a pipe, a plain line every few seconds), so a long run never looks hung.
:class:`DrawProgress` is what ``regime-sim plot`` and ``regime-sim run --gif`` both show while
they draw: a line per figure and a bar over the GIF's frames (about 20 s for a long run).
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

#: a run shows its progress once it has run this long
SHOW_AFTER_SECONDS = 3.0
#: without a terminal, one line this often
LINE_EVERY_SECONDS = 5.0


class RunProgress:
    """``on_step(step, planned)`` for :func:`sim.runner.run`; use as a context manager.

    ``unit`` names what is counted in the plain lines ("step", "frame"); ``show_after`` is how
    long the work runs before anything shows (0: from the first call).
    """

    def __init__(self, console: Console, label: str, unit: str = "step",
                 show_after: float = SHOW_AFTER_SECONDS) -> None:
        self.console = console
        self.label = label
        self.unit = unit
        self.show_after = show_after
        self.t0 = time.perf_counter()
        self.last_line = self.t0
        self.bar: Progress | None = None
        self.task = None

    def __enter__(self) -> RunProgress:
        self.t0 = self.last_line = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, step: int, planned: int) -> None:
        now = time.perf_counter()
        elapsed = now - self.t0
        if elapsed < self.show_after:
            return
        if self.console.is_terminal:
            if self.bar is None:
                self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                    TimeRemainingColumn(), console=self.console, transient=True)
                self.task = self.bar.add_task(self.label, total=planned)
                self.bar.start()
            self.bar.update(self.task, completed=step)
            return
        if now - self.last_line >= LINE_EVERY_SECONDS or self.last_line == self.t0:
            left = elapsed / max(step, 1) * max(planned - step, 0)
            self.console.print(f"  {self.label}: {self.unit} {step:,}/{planned:,} ({step / max(planned, 1):.0%}), "
                               f"{elapsed:.0f} s so far, about {left:.0f} s left", markup=False, highlight=False)
            self.last_line = now


class DrawProgress:
    """Callbacks for drawing a run's figures and its GIF; use as a context manager.

    ``figure(name, paths, seconds)`` after each figure (for ``draw_run_figures``'s
    ``on_figure``) prints a line when ``lines``; ``frame(i, n)`` after each GIF frame (for
    ``on_frame``) drives a bar over the frames, and names the GIF with its time once done.
    """

    def __init__(self, console: Console, lines: bool = True) -> None:
        self.console = console
        self.lines = lines
        self.frames: RunProgress | None = None
        self.gif_t0 = 0.0

    def __enter__(self) -> DrawProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self._end_frames()

    def figure(self, name: str, paths: list[str], seconds: float) -> None:
        if self.lines:
            self.console.print(f"  {name:9s} {', '.join(Path(p).name for p in paths)}  ({seconds:.1f} s)",
                               markup=False, highlight=False)

    def frame(self, i: int, n: int) -> None:
        if self.frames is None:
            self.gif_t0 = time.perf_counter()
            self.frames = RunProgress(self.console, "map.gif", unit="frame", show_after=0.0).__enter__()
        self.frames(i + 1, n)
        if i + 1 >= n:
            self._end_frames()
            self.console.print(f"  {'map.gif':9s} {n} frames  ({time.perf_counter() - self.gif_t0:.1f} s)",
                               markup=False, highlight=False)

    def _end_frames(self) -> None:
        if self.frames is not None:
            self.frames.__exit__(None, None, None)
            self.frames = None
