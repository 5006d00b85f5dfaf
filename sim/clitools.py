"""What every command of ``regime-sim`` shares: the consoles, one-line errors, ``--set``.

The packages' ``cli.py`` modules take these from here, not from ``sim/cli.py``: the top-level
command line imports the packages to compose itself, so they must not import it back. Only
typer and rich are imported here (every command's start-up pays for this module); the consoles
themselves live in ``sim/consoles.py`` (rich, no typer), which ``sim/quick.py`` uses too.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from .consoles import (
    CLOSED_PIPE_EXIT,
    CLOSED_PIPE_MESSAGE,
    err_console,
    os_error_line,
    out_console,  # noqa: F401 - the commands take it from here
    stdout_to_devnull,
)
from .scenario.errors import ScenarioError


def _defer_typer_coercion() -> None:
    """Let typer build a parameter's converter when a value needs converting, not before.

    typer (0.29) builds a pydantic ``TypeAdapter`` for every parameter it processes - its own
    ``--help`` flag left unset included, whose value it then never converts - and so imports
    pydantic and scans the installed packages for pydantic plugins (0.2-0.3 s) on every command.
    Here a parameter's converter is typer's own, built the first time a value reaches it; a text
    argument that already is clean text (``validate FILE``) is passed on as typer would pass it.
    Nothing changes if typer's internals are not the ones this was written against."""
    import dataclasses

    try:
        from typer import _coercion, core
    except ImportError:  # pragma: no cover - another typer
        return
    build = getattr(core, "build_runtime_param", None)
    base = getattr(_coercion, "RuntimeParam", None)
    if build is None or base is None or not dataclasses.is_dataclass(base) or getattr(build, "deferred", False):
        return

    def plain_text(value: Any) -> bool:
        try:
            value.encode("utf-8")  # surrogates (undecodable bytes on the command line) go to typer
        except (AttributeError, UnicodeError):
            return False
        return isinstance(value, str)

    @dataclasses.dataclass(frozen=True)
    class Deferred(base):  # type: ignore[misc,valid-type]
        descriptor: Any = None
        built: list = dataclasses.field(default_factory=list, compare=False, repr=False)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if getattr(self.parameter_info, "parser", None) is None:
                if self.annotation is str and plain_text(value):
                    return value
                if (self.annotation == list[str] and isinstance(value, list | tuple)
                        and all(plain_text(v) for v in value)):
                    return list(value)
            if not self.built:
                self.built.append(build(self.descriptor))
            return self.built[0]._coerce_value(value, param=param, ctx=ctx)

    def deferred(descriptor: Any) -> Any:
        return Deferred(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation,
                        descriptor=descriptor)

    deferred.deferred = True  # type: ignore[attr-defined]
    core.build_runtime_param = deferred


_defer_typer_coercion()

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


#: the figure styles (``sim/plots/style.py``), named here so a command checks ``--style``
#: before it imports matplotlib or runs anything
STYLES = ("paper", "talk")
StyleOpt = Annotated[
    str,
    typer.Option("--style", help="figure style: paper (default), or talk - slides of 1920 x 1080 with text of "
                                 "at least 18 pt, for a lecture hall"),
]


def check_style(name: str) -> str:
    """``name`` if it is a figure style; else a one-line error naming ``--style``."""
    if name not in STYLES:
        raise ScenarioError(f"unknown style '{name}': use {' or '.join(STYLES)}", file="<command line>",
                            field="--style")
    return name


def fail(message: str, code: int = 2) -> None:
    """Print ``error: message`` on stderr and exit with ``code`` (2: bad input)."""
    err_console.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


@contextlib.contextmanager
def stdout_may_close() -> Iterator[None]:
    """Printing that a closed pipe ('regime-sim run ... | head') must not stop: the rest of
    the printout is dropped and the command goes on (its files still get written)."""
    try:
        yield
        sys.stdout.flush()  # a closed pipe shows on the flush: here, not at exit
    except BrokenPipeError:
        stdout_to_devnull()


def friendly(fn: Callable) -> Callable:
    """Turn bad input into a one-line error with exit status 2; a closed output pipe into one
    line on stderr and status 141."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BrokenPipeError:
            stdout_to_devnull()
            err_console.print(CLOSED_PIPE_MESSAGE, markup=False)
            raise typer.Exit(CLOSED_PIPE_EXIT) from None
        except ScenarioError as err:
            fail(str(err))
        except OSError as err:
            fail(os_error_line(err))
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper
