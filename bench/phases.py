"""Where one command's time goes: ``python bench/phases.py consolidate WORKSPACE`` (any CLI
arguments). Runs the real CLI in this process (the guarded workers still fork) with a clock
around each phase of the run, and prints each phase's wall time and CPU time (this process,
and the workers it waited for), inclusive, in the order the phases first started.

Used for the profile in bench/README.md; `bench/run.py` measures the whole processes.
"""

from __future__ import annotations

import functools
import importlib
import os
import resource
import sys
import time
from pathlib import Path

T0 = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # measure this tree

PHASES = (  # (module, function, label); nested phases are inside their parents' figures
    ("ctcong_xl.io.master", "read_master", "read the master"),
    ("ctcong_xl.ops.intake", "_check_all", "check the files (guarded workers)"),
    ("ctcong_xl.ops.intake", "_archive", "archive accepted files"),
    ("ctcong_xl.ops.intake", "_apply", "merge into the programme"),
    ("ctcong_xl.core.writeplan", "plan_programme", "plan: programme sheet (+ print view)"),
    ("ctcong_xl.core.writeplan", "plan_monthly", "plan: monthly sheet"),
    ("ctcong_xl.core.writeplan", "plan_summary_sheet", "plan: summary sheet"),
    ("ctcong_xl.core.writeplan", "plan_import_log", "plan: import log"),
    ("ctcong_xl.core.writeplan", "plan_history", "plan: history"),
    ("ctcong_xl.core.writeplan", "plan_validation_log", "plan: validation log"),
    ("ctcong_xl.ops.review", "plan_summary", "plan the summary (review sheets, charts)"),
    ("ctcong_xl.ops.intake", "_return_faulty", "annotated copies of faulty files"),
    ("ctcong_xl.ops.workspace", "write_master", "write the master"),
    ("ctcong_xl.cli", "_emit", "print the result"),
)


def _rss_mb() -> tuple[float, float]:
    """(resident now, peak so far) of this process, MB."""
    now = peak = 0.0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return now, peak


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


class Clock:
    def __init__(self) -> None:
        self.rows: dict[str, list[float]] = {}  # label -> [calls, wall, own cpu, workers' cpu, RSS after, peak]
        self.depth: dict[str, int] = {}

    def wrap(self, fn, label: str):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            outer = self.depth.get(label, 0) == 0  # a recursive call is inside the outer one's figure
            self.depth[label] = self.depth.get(label, 0) + 1
            t, (own, kids) = time.perf_counter(), _cpu()
            try:
                return fn(*args, **kwargs)
            finally:
                self.depth[label] -= 1
                if outer:
                    own2, kids2 = _cpu()
                    row = self.rows.setdefault(label, [0, 0.0, 0.0, 0.0, 0.0, 0.0])
                    row[0] += 1
                    row[1] += time.perf_counter() - t
                    row[2] += own2 - own
                    row[3] += kids2 - kids
                    row[4:6] = _rss_mb()
        return timed


def install(clock: Clock) -> None:
    for module, name, label in PHASES:
        mod = importlib.import_module(module)
        fn = getattr(mod, name)
        wrapped = clock.wrap(fn, label)
        # the function and every module that imported it by name
        for other in list(sys.modules.values()):
            if getattr(other, "__name__", "").startswith("ctcong_xl") and getattr(other, name, None) is fn:
                setattr(other, name, wrapped)


def main(argv: list[str]) -> int:
    os.environ.setdefault("COLUMNS", "120")
    t_import = time.perf_counter()
    from ctcong_xl import cli
    import ctcong_xl.ops.intake, ctcong_xl.ops.review, ctcong_xl.ops.workspace  # noqa: E401,F401
    imported = time.perf_counter()
    rss0 = _rss_mb()
    clock = Clock()
    install(clock)
    sys.argv = ["ctcong-xl", *argv]
    start, (own0, kids0) = time.perf_counter(), _cpu()
    code = 0
    stdout = sys.stdout
    try:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")
        cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdout.close()
        sys.stdout = stdout
    wall = time.perf_counter() - start
    own, kids = (a - b for a, b in zip(_cpu(), (own0, kids0)))
    print(f"ctcong-xl {' '.join(argv)}  (exit {code})")
    print(f"{'phase':48} {'calls':>5} {'wall s':>8} {'CPU s':>8} {'workers':>8} {'RSS MB':>7} {'peak MB':>7}")
    print(f"{'python start + imports':48} {'':>5} {imported - T0:8.3f} {'':>8} {'':>8} {rss0[0]:7.0f} {rss0[1]:7.0f}")
    for label, (calls, w, c, k, now, peak) in clock.rows.items():
        print(f"{label:48} {int(calls):5d} {w:8.3f} {c:8.3f} {k:8.3f} {now:7.0f} {peak:7.0f}")
    now, peak = _rss_mb()
    print(f"{'the command in all (after imports)':48} {'':>5} {wall:8.3f} {own:8.3f} {kids:8.3f} {now:7.0f} {peak:7.0f}")
    print("(RSS after the phase's last call, and this process's peak so far; the workers are apart)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
