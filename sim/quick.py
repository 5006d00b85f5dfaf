"""``regime-sim``'s entry point: ``validate FILE...`` runs before the command line is imported.

Importing ``sim.cli`` - typer, rich and every package's command module - takes about 0.2 s of
CPU before a command starts: a third of what ``validate`` of a new or edited file took, which
issue 13 asks to finish within 0.5 s. So ``regime-sim validate FILE...`` given file names only
(no option, no ``--``) runs here, with the same verdicts (``sim/scenario/verdicts.py``), lines
and exit statuses as the ``validate`` command of ``sim/cli.py``. A line is written as it is when
rich, which that command prints with, would print it unchanged (no markup, no emoji code, no tab,
no control character: :func:`_as_is`; output in UTF-8); any other line, and every error, is
printed with the command line's own consoles (``sim/consoles.py``). Anything else goes to
``sim.cli``.
"""

from __future__ import annotations

import os
import sys

#: what rich's markup (``[``, ``]``, ``\\``) or its emoji codes (``:fire:``) would change
_RICH = frozenset("[]\\:")


def _as_is(text: str) -> bool:
    """rich prints ``text`` inside a line as it is: printable characters (no tab, newline or
    other space than ' ', no control or format character), none that markup or emoji codes read."""
    return text.isprintable() and _RICH.isdisjoint(text)


def validate_files(args: list[str]) -> list[str] | None:
    """The files of a command line ``validate FILE...``; None for anything else (an option, ``--``,
    another command, text that is not clean UTF-8, click's shell completion), which typer runs."""
    if len(args) < 2 or args[0] != "validate":
        return None
    for arg in args[1:]:
        if arg.startswith("-"):
            return None
        try:
            arg.encode("utf-8")  # undecodable bytes on the command line: typer converts them
        except UnicodeError:
            return None
    if any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
        return None
    return args[1:]


#: pydantic's plugin loader, and the values of PYDANTIC_DISABLE_PLUGINS with which it loads none
_PLUGIN_LOADER = "pydantic.plugin._loader"
_PLUGINS_OFF = ("__all__", "1", "true")


def _without_plugin_lookup() -> None:
    """With its plugins switched off (``PYDANTIC_DISABLE_PLUGINS``, which :func:`main` sets unless
    the user did), pydantic's plugin loader answers "none" the first time a validator is built,
    without looking; but importing it imports :mod:`importlib.metadata` and with it email,
    zipfile, csv, tempfile, socket, ...: 30-50 ms of ``validate``. This stand-in gives the same
    answer without them; any other name asked of it is the real loader's. With any other value
    of the variable (plugins named to leave out, or none), pydantic's own loader runs."""
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in _PLUGINS_OFF or _PLUGIN_LOADER in sys.modules:
        return
    import types

    stand_in = types.ModuleType(_PLUGIN_LOADER, "pydantic's plugin loader, plugins off (sim/quick.py)")

    def get_plugins() -> tuple:
        return ()

    def __getattr__(name: str) -> object:  # noqa: N807 - a module's own __getattr__ (PEP 562)
        import importlib

        if name.startswith("__"):  # what the import system asks of any module (__path__: a package?)
            raise AttributeError(name)
        if sys.modules.get(_PLUGIN_LOADER) is stand_in:
            del sys.modules[_PLUGIN_LOADER]
        return getattr(importlib.import_module(_PLUGIN_LOADER), name)

    stand_in.get_plugins = get_plugins  # type: ignore[attr-defined]
    stand_in.__getattr__ = __getattr__  # type: ignore[attr-defined]
    sys.modules[_PLUGIN_LOADER] = stand_in


def validate(files: list[str]) -> int:
    """``regime-sim validate FILES``: print a line per valid file, stop at the first bad one
    with its one-line error; the exit status (``sim/clitools.py: friendly``'s)."""
    from .scenario.errors import ScenarioError

    _without_plugin_lookup()
    try:
        from .scenario.verdicts import ok_line, validate_file
        from .textsafe import plain

        # another encoding: rich's console, which adds a hint to an error writing what it cannot encode
        utf8 = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "") == "utf8"
        for f in files:
            verdict = validate_file(f)
            if utf8 and _as_is(plain(f)) and _as_is(plain(verdict.name)):
                sys.stdout.write(ok_line(f, verdict, plain) + "\n")
                sys.stdout.flush()
            else:
                from .consoles import out_console
                from .textsafe import terminal

                out_console.print(ok_line(f, verdict, terminal))
    except BrokenPipeError:
        from .consoles import CLOSED_PIPE_EXIT, CLOSED_PIPE_MESSAGE, err_console, stdout_to_devnull

        stdout_to_devnull()
        err_console.print(CLOSED_PIPE_MESSAGE, markup=False)
        return CLOSED_PIPE_EXIT
    except ScenarioError as err:
        from .consoles import err_console

        err_console.print(f"error: {err}", markup=False)
        return 2
    except OSError as err:
        from .consoles import err_console, os_error_line

        err_console.print(f"error: {os_error_line(err)}", markup=False)
        return 2
    except KeyboardInterrupt:
        from .consoles import err_console

        err_console.print("interrupted")
        return 130
    return 0


def main() -> None:
    # pydantic's plugins: see sim/cli.py: main
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    files = validate_files(sys.argv[1:])
    if files is not None:
        sys.exit(validate(files))
    from .cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
