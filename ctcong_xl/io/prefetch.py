"""The master's largest sheets (:data:`~ctcong_xl.core.sheets.READ_AHEAD_SHEETS`: the programme
and its print view) parsed in a thread from the moment a command knows its workspace, while
the interpreter still imports what the command needs (the operations, pydantic, lxml: a tenth
of a second): python-calamine parses without holding the interpreter, so the two overlap. This
module imports nothing of the package but the sheets' names and :mod:`.files`, so that the
parse starts before those imports.

Only a head start: :func:`take` hands the values to :func:`ctcong_xl.io.master.read_master`
only when the file it reads, under the workspace lock, is the very file parsed — the same
device, inode, size and modification time before the parse, after it and when it is taken (a
write replaces the master, so a master written since is another inode). Anything else — no
single master in the folder, a file changed or replaced, a parse that failed — leaves nothing
to take, and the master is read as before (its errors said as before)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from ..core.sheets import READ_AHEAD_SHEETS
from .files import masters_in

_started: dict[str, _Parse] = {}  # the master's resolved path -> its parse


class _Parse(threading.Thread):
    def __init__(self, path: Path) -> None:
        super().__init__(name="ctcong-prefetch", daemon=True)
        self.path = path
        self.identity: tuple[int, ...] | None = None
        self.values: dict[str, list[list[Any]]] | None = None  # sheet name -> its rows of values

    def run(self) -> None:
        try:
            from python_calamine import CalamineWorkbook

            before = _identity(self.path)
            wb = CalamineWorkbook.from_path(str(self.path))
            values = {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
                      for name in READ_AHEAD_SHEETS if name in wb.sheet_names}
            if _identity(self.path) == before:
                self.identity, self.values = before, values
        except Exception:  # noqa: BLE001 - the master read proper says what is wrong with the file
            pass


def _key(path: Path) -> str:
    return str(Path(path).resolve())


def _identity(path: Path) -> tuple[int, ...]:
    st = os.stat(path)
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def start(workspace: Path) -> None:
    """Begin parsing the sheets of the master of the folder ``workspace`` where it holds
    exactly one; nothing otherwise."""
    try:
        found = masters_in(workspace)
        if len(found) != 1:
            return
        key = _key(found[0])
        if key in _started:
            return
        parse = _started[key] = _Parse(found[0])
        parse.start()
    except OSError:
        return


def begun(path: Path) -> bool:
    """Whether a parse of ``path`` was begun and not yet taken."""
    try:
        return bool(_started) and _key(path) in _started
    except OSError:
        return False


def take(path: Path) -> dict[str, list[list[Any]]] | None:
    """The sheets of ``path`` parsed ahead (name -> rows of values; waiting for the parse to
    end), when ``path`` is still the file parsed; else None. Each parse is taken once."""
    if not _started:
        return None
    try:
        parse = _started.pop(_key(path), None)
        if parse is None:
            return None
        parse.join()
        if parse.values is None or _identity(Path(path)) != parse.identity:
            return None
        return parse.values
    except OSError:
        return None


def settle() -> None:
    """Wait for every parse still running and drop what was not taken (before the process
    forks: a child must not start with a thread in the middle of a parse)."""
    while _started:
        _started.popitem()[1].join()
