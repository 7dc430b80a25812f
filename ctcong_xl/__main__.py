"""The ``ctcong-xl`` command (``python -m ctcong_xl``): the cyclic garbage collector is off from
the first import on. Importing the CLI and an operation (typer, rich, pydantic and their
schemas, lxml, the package) makes many objects and almost no cycles; with the collector off
and the models' validators deferred (:mod:`.core.models`) those imports take a tenth fewer
instructions (callgrind, bench/README.md). :func:`ctcong_xl.cli.main` keeps it off for the
command, and freezes what is alive when the command ends.

Before anything else is imported, the master of the folder the command names (its first
argument after the command that is not an option) begins to be parsed in a thread
(:mod:`.io.prefetch`): a guess that names no folder with one master starts nothing, and the
values parsed are used only if the command reads that very file."""

import gc
import sys
from pathlib import Path

gc.disable()


def _head_start(argv: list[str]) -> None:
    if len(argv) < 2 or argv[0].startswith("-"):
        return
    folder = next((a for a in argv[1:] if not a.startswith("-")), None)
    if folder is not None:
        from .io import prefetch

        prefetch.start(Path(folder))


_head_start(sys.argv[1:])

from .cli import main  # noqa: E402  (after the collector is off)

if __name__ == "__main__":  # pragma: no cover
    main()
