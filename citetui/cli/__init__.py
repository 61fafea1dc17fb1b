"""The command line: bare ``citetui`` opens the browser; subcommands do the rest.

Every command is registered here, from the ``COMMANDS`` of the module of its
group: :mod:`~citetui.cli.browse` (hubs, show, search, stats), :mod:`~citetui.cli.io`
(import, export, fetch), :mod:`~citetui.cli.user` (notes, tags, statuses, stars,
labels, views, history) and :mod:`~citetui.cli.analysis` (align, ablate, timeline,
compare). Heavy imports happen inside the commands, so ``citetui --help`` and the
browser start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from citetui import __version__
from citetui.cli import analysis, browse, io, user
from citetui.cli.common import Ctx, Group, complete_stdout, finish_output, friendly_errors
from citetui.core.paths import ENV_DB


@click.group(
    cls=Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"The library file (default: ${ENV_DB}, else the user data directory).",
)
@click.version_option(__version__, prog_name="citetui")
@click.pass_context
def cli(ctx: click.Context, db: Path | None) -> None:
    """citetui: browse citation hubs in the terminal.

    With no command, opens the browser on the library.
    """
    ctx.obj = Ctx(db)
    if ctx.invoked_subcommand is None:
        friendly_errors(_run_tui)(ctx.obj)
    else:
        complete_stdout()


def _run_tui(c: Ctx) -> None:
    lib = c.open()
    from citetui.tui.app import run

    run(lib)


COMMANDS = (*browse.COMMANDS, *io.COMMANDS, *user.COMMANDS, *analysis.COMMANDS)
for _command in COMMANDS:
    cli.add_command(_command)


def main() -> None:
    """Entry point of the ``citetui`` command."""
    try:
        cli(prog_name="citetui")
        code: int = 0
    except SystemExit as exc:
        if isinstance(exc.code, str):
            click.echo(exc.code, err=True)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.exit(finish_output(code))
