"""``python -m descenso``: the same as the ``descenso`` command (see ``descenso --help``)."""

from __future__ import annotations

if __name__ == "__main__":
    from descenso.cli import main

    main()
