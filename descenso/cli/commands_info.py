"""``descenso datasets``, ``descenso explain`` and ``descenso playground``."""

from __future__ import annotations

import json

import click

from descenso.cli import console
from descenso.cli.errors import CLIError, ExitCode, user_errors


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as one JSON line.")
def datasets(as_json: bool) -> None:
    """List the built-in datasets (use one with `descenso train --dataset NAME`)."""
    from descenso import datasets as builtin

    infos = builtin.list()
    if as_json:
        console.result(json.dumps([{"name": i.name, "task": i.task, "features": len(i.feature_names),
                                    "description": i.description} for i in infos]))  # fmt: skip
        return
    rows = [[i.name, i.task, str(len(i.feature_names)), i.description] for i in infos]
    console.table("Built-in datasets", ["name", "task", "features", "description"], rows)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on. Any other than a loopback address lets other machines "
                   "use the playground; it prints a warning saying so.")  # fmt: skip
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--open/--no-open", "open_browser", default=False, show_default=True,
              help="Open the playground in the default web browser.")  # fmt: skip
def playground(host: str, port: int, open_browser: bool) -> None:
    """Start the local web playground: train a network live in the browser."""
    try:
        from descenso.playground.server import serve
    except ImportError as error:
        raise CLIError(
            f"the playground cannot start: {error}",
            fix="install its extra: pip install 'descenso[playground]'",
            code=ExitCode.USAGE,
        ) from None
    with user_errors(ExitCode.USAGE, fix="choose another --port, or --port 0 for any free one"):
        serve(host, port, open_browser)
