"""Files written whole or not at all: to a temporary name beside the target, flushed to the
disk (fsync), then renamed over it. A run killed, a full disk or any other OS error leaves the
target as it was (or absent) and no half-written temporary file behind."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

_COPY_CHUNK = 1 << 20


def atomic_write(dest: Path, data: bytes) -> Path:
    return _atomic(dest, lambda fh: fh.write(data))


def atomic_copy(src: Path, dest: Path) -> Path:
    """``src`` copied to ``dest`` (with its modification time)."""
    def write(fh) -> None:
        with open(src, "rb") as inp:
            shutil.copyfileobj(inp, fh, _COPY_CHUNK)

    out = _atomic(dest, write)
    st = os.stat(src)
    os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
    return out


def atomic_copies(pairs: list[tuple[Path, Path]]) -> list[Path]:
    """Each ``(src, dest)`` copied as :func:`atomic_copy` does, durable together: every copy
    is written to its temporary name, the disk flushed once (``os.sync`` where it exists;
    elsewhere each file is fsynced), then each is renamed over its target and the folders
    flushed. One flush instead of two per file: archiving a round of 120 files cost half its
    time in fsyncs. A run killed before the renames leaves only temporaries, which
    :func:`remove_stale_temporaries` removes."""
    staged: list[tuple[str, Path, os.stat_result]] = []
    try:
        for src, dest in pairs:
            dest, st = Path(dest), os.stat(src)
            fd, tmp = tempfile.mkstemp(prefix="." + dest.name[:40] + "-", suffix=".tmp", dir=dest.parent)
            staged.append((tmp, dest, st))
            with os.fdopen(fd, "wb") as fh, open(src, "rb") as inp:
                shutil.copyfileobj(inp, fh, _COPY_CHUNK)
                if not _CAN_SYNC:
                    fh.flush()
                    os.fsync(fh.fileno())
        if _CAN_SYNC:
            os.sync()
        for tmp, dest, st in staged:
            os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
            os.replace(tmp, dest)
    except BaseException:
        for tmp, _, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for folder in {dest.parent for _, dest, _ in staged}:
        _fsync_dir(folder)
    return [dest for _, dest, _ in staged]


_CAN_SYNC = hasattr(os, "sync")  # POSIX; Windows has no sync(): each file is fsynced


def _atomic(dest: Path, write) -> Path:
    dest = Path(dest)
    fd, tmp = tempfile.mkstemp(prefix="." + dest.name[:40] + "-", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(dest.parent)
    return dest


def masters_in(folder: Path) -> list[Path]:
    """The master workbooks in a workspace folder, by name: its ``.xlsm`` files, but Excel's
    owner files (``~$…``) and hidden ones."""
    return sorted(p for p in Path(folder).glob("*.xlsm") if not p.name.startswith(("~$", ".")))


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove what a run killed mid-way left in ``folder`` (``.<name>-….tmp`` files of
    :func:`_atomic`). Call only under the workspace lock, when no other run is writing."""
    removed = []
    if folder.is_dir():
        for p in folder.glob(".*.tmp"):
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


__all__ = ["atomic_copies", "atomic_copy", "atomic_write", "masters_in", "remove_stale_temporaries"]
