"""Progress of one long run, shown only once it has taken a few seconds.

A short run prints nothing extra; a long one shows a bar on a terminal (or, when stderr is a
file or a pipe, a plain line every few seconds), so a long run never looks hung.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

#: a run shows its progress once it has run this long
SHOW_AFTER_SECONDS = 3.0
#: without a terminal, one line this often
LINE_EVERY_SECONDS = 5.0


class RunProgress:
    """``on_step(step, planned)`` for :func:`sim.runner.run`; use as a context manager."""

    def __init__(self, console: Console, label: str) -> None:
        self.console = console
        self.label = label
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
        if elapsed < SHOW_AFTER_SECONDS:
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
            self.console.print(f"  step {step:,}/{planned:,} ({step / max(planned, 1):.0%}), "
                               f"{elapsed:.0f} s so far, about {left:.0f} s left", markup=False)
            self.last_line = now
