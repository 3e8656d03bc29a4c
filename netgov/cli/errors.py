"""The command's one error boundary: every failure is one ``netgov: error:`` line and an exit status.

Commands raise and never print their own errors: ``ConfigError`` (bad input: exit 2), ``Failed`` (the
input was fine but the work could not finish: exit 1), an ``OSError`` that escaped (exit 1), and Typer's
usage errors (a flag's value of the wrong type, an unknown option: exit 2, with a pointer to ``--help``).
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import typer

from netgov.cli.output import err_console, say
from netgov.experiment.files import DamagedFile
from netgov.model.core.errors import ConfigError


class Failed(Exception):
    """Work that could not finish (a dead worker, a full disk, runs that failed): one line, exit ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class OneLineErrors(typer.core.TyperGroup):
    """The root command, with the error boundary around every subcommand.

    Typer draws its usage errors as a box of six or more lines; here they are one line like every other.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", DamagedFile)
                warnings.showwarning = _one_line_warnings(warnings.showwarning)
                rv = super().main(*args, **kwargs)
        except ConfigError as exc:
            say(str(exc))
            sys.exit(2)
        except Failed as exc:
            say(str(exc))
            sys.exit(exc.code)
        except typer.Abort:
            err_console.print("Aborted.", markup=False, highlight=False)
            sys.exit(1)
        except typer.TyperException as exc:  # Typer's own: usage errors (exit 2) and the like
            message = " ".join(exc.format_message().split())
            if exc.exit_code == 2:
                ctx = getattr(exc, "ctx", None)
                where = ctx.command_path if ctx is not None else "netgov"
                message += f" (`{where} --help` lists the options)"
            say(message)
            sys.exit(exc.exit_code)
        except MemoryError:  # the last guard: every size is checked first, but --i-know lifts the ceilings
            say("out of memory: the job is larger than this machine holds; make it smaller (points, runs, months)")
            sys.exit(1)
        except OSError as exc:  # writing a result failed after the work (disk full, file vanished)
            say(f"{exc.filename}: {exc.strerror or exc}" if exc.filename else str(exc.strerror or exc))
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


def _one_line_warnings(shown: Any) -> Any:
    """``warnings.showwarning`` that writes a skipped damaged file as one ``netgov: warning:`` line, once per
    command however often the table is read (pandas resets Python's own once-only registry), and hands any
    other warning to ``shown`` (Python's own)."""
    said: set[str] = set()

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, DamagedFile):
            if str(message) not in said:
                said.add(str(message))
                say(str(message), "warning")
        else:
            shown(message, category, *args, **kwargs)

    return show
