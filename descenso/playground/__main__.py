"""``python -m descenso.playground [--host H] [--port N] [--open]``: start the playground."""

from __future__ import annotations

import argparse

from descenso.playground.server import serve


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run :func:`descenso.playground.server.serve`.

    Parameters
    ----------
    argv : list of str, optional
        The arguments; ``sys.argv[1:]`` by default.
    """
    parser = argparse.ArgumentParser(prog="python -m descenso.playground", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="TCP port (default 0: any free port)")
    parser.add_argument("--open", action="store_true", help="open the page in the web browser")
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.open)


if __name__ == "__main__":
    main()
