"""What a guarded worker spends on each file: ``python bench/percheck.py WORKSPACE [REPEAT]``.

Runs, in this process, the check each worker runs per file (``ops.intake._check_content``:
inspection, read, validation) over every inbox file of ``WORKSPACE``, and the floor's read of
the same files (python-calamine, every sheet); prints the CPU per file of each (best of
``REPEAT``, default 3) and their ratio. Read-only: the workspace is not changed.
"""

from __future__ import annotations

import datetime as dt
import inspect
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # measure this tree

from python_calamine import CalamineWorkbook  # noqa: E402

from ctcong_xl.core.text import AgencyMatcher, LeaderMatcher  # noqa: E402
from ctcong_xl.core.validate import ItemIndex  # noqa: E402
from ctcong_xl.io import master as master_io  # noqa: E402
from ctcong_xl.io.incoming import sha256_file  # noqa: E402
from ctcong_xl.ops import intake  # noqa: E402
from ctcong_xl.ops.workspace import Workspace, template_key  # noqa: E402


def main(root: Path, repeat: int = 3) -> None:
    ws = Workspace(root)
    ds = master_io.read_master(ws.master)
    paths = ws.inbox_files()
    digests = [sha256_file(p) for p in paths]
    matcher, index, key = AgencyMatcher(ds.agencies), ItemIndex.of(ds.items), template_key(ws)
    # what _check_all builds once per run (older trees built the leaders' matcher per file)
    # (and older trees had no memo of cleaned cells)
    params = inspect.signature(intake._check_content).parameters
    once = (LeaderMatcher(ds.config.leaders),) if "leaders" in params else ()
    if "cells" in params:
        from ctcong_xl.core.validate import CellMemo

        once += (CellMemo(),)
    today = dt.date.today()

    def check() -> None:
        for p, d in zip(paths, digests):
            intake._check_content(p, d, ds, today, matcher, index, key, *once)

    def floor() -> None:
        for p in paths:
            with CalamineWorkbook.from_path(str(p)) as wb:
                for name in wb.sheet_names:
                    wb.get_sheet_by_name(name).to_python()

    best: dict[str, float] = {}
    for _ in range(repeat):
        for name, fn in (("check", check), ("floor", floor)):
            t0 = time.process_time()
            fn()
            best[name] = min(best.get(name, float("inf")), time.process_time() - t0)
    n = max(len(paths), 1)
    print(f"{len(paths)} files: check {best['check'] / n * 1000:.2f} ms per file, floor read "
          f"{best['floor'] / n * 1000:.2f} ms per file, ratio {best['check'] / max(best['floor'], 1e-9):.2f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3)
