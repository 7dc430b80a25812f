"""The ``ctcong-xl`` command (``python -m ctcong_xl``): the cyclic garbage collector is off from
the first import on. Importing the CLI and an operation (typer, rich, pydantic and their
schemas, lxml, the package) makes many objects and almost no cycles; with the collector off
and the models' validators deferred (:mod:`.core.models`) those imports take a tenth fewer
instructions (callgrind, bench/README.md). :func:`ctcong_xl.cli.main` keeps it off for the
command, and freezes what is alive when the command ends."""

import gc

gc.disable()

from .cli import main  # noqa: E402  (after the collector is off)

if __name__ == "__main__":  # pragma: no cover
    main()
