"""The consoles every command prints with, and what it does when its output closes or a file
fails: rich only, no typer (``sim/quick.py`` prints with them without the command line's
framework; ``sim/clitools.py`` hands them to the commands).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys

from rich.console import Console

#: the exit status of a command whose output pipe closed before it finished (128 + SIGPIPE,
#: what a shell reports for a program stopped by a closed pipe)
CLOSED_PIPE_EXIT = 141
CLOSED_PIPE_MESSAGE = ("stopped: the output was closed before the command finished (a pipe such as "
                       "'| head'); files written so far are kept")


def stdout_to_devnull() -> None:
    """Send what is still to be printed nowhere: the reader of our output has gone ('| head'),
    and Python would otherwise fail again flushing stdout at exit."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def os_error_line(err: OSError) -> str:
    """A failed write or read as one line naming the file: a full disk, a lost mount."""
    where = f"{err.filename}: " if err.filename else ""
    if err.errno == errno.ENOSPC:
        return f"{where}the disk is full; expected room to write the results (nothing was saved after this point)"
    return f"{where}{err.strerror or err}"


class _Console(Console):
    """rich's console, except that a closed output pipe raises :class:`BrokenPipeError` (rich
    exits with status 1 without a word): ``stdout_may_close`` and ``friendly``
    (``sim/clitools.py``) decide."""

    def on_broken_pipe(self) -> None:
        if self.quiet:
            return
        stdout_to_devnull()
        raise BrokenPipeError(errno.EPIPE, "the output was closed")


out_console = _Console(highlight=False, soft_wrap=True, emoji=False)  # "x.yaml:100:" is a line, not an emoji code
err_console = _Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
