"""What every command of ``regime-sim`` shares: the consoles, one-line errors, ``--set``.

The packages' ``cli.py`` modules take these from here, not from ``sim/cli.py``: the top-level
command line imports the packages to compose itself, so they must not import it back. Only
typer and rich are imported here (every command's start-up pays for this module).
"""

from __future__ import annotations

import errno
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from .scenario.errors import ScenarioError

out_console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="override a parameter: path.to.param=value (repeatable)"),
]
ParamsOpt = Annotated[
    Path | None,
    typer.Option("--params", help="a calibrated overlay (calibrated/CASE.yaml, from regime-sim calibrate): "
                                  "its values are applied like --set values, before them"),
]


def with_overlay(params: object, sets: list[str] | None) -> list[str]:
    """The overlay's values (``--params FILE``) followed by the ``--set`` values (which win)."""
    from .scenario.overlay import overlay_sets

    return overlay_sets(params) + list(sets or [])  # type: ignore[arg-type]


def fail(message: str, code: int = 2) -> None:
    """Print ``error: message`` on stderr and exit with ``code`` (2: bad input)."""
    err_console.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def os_error_line(err: OSError) -> str:
    """A failed write or read as one line naming the file: a full disk, a lost mount."""
    where = f"{err.filename}: " if err.filename else ""
    if err.errno == errno.ENOSPC:
        return f"{where}the disk is full; expected room to write the results (nothing was saved after this point)"
    return f"{where}{err.strerror or err}"


def friendly(fn: Callable) -> Callable:
    """Turn bad input into a one-line error with exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ScenarioError as err:
            fail(str(err))
        except OSError as err:
            fail(os_error_line(err))
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper
