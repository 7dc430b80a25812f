"""Benchmark: ``python bench/run.py [--scale province large national] [--repeat 3]``.

Makes each workload through the public commands (see ``bench/workload.py``; kept in
``--cache``, default ``bench/.cache``, and reused), then measures, in the same run and on the
same files, each as a whole process (wall time and peak RSS), the runs interleaved:

* ``consolidate``   ctcong-xl consolidate of the annual round (fresh master, every registration)
* ``progress``      ctcong-xl consolidate of the progress round (registrations already known)
* ``incremental``   ctcong-xl consolidate with one new file (everything else already known; the
                    master first rewritten by an untimed ``summary --as-of``, so that it is as
                    this version writes it even when the workload was made by an older one)
* ``summary``       ctcong-xl summary --as-of on the consolidated master
* ``validate``      ctcong-xl validate of the annual inbox
* ``cli_start``     ctcong-xl --help
* ``floor``         python-calamine read + XlsxWriter write of the same files (bench/floor.py)
* ``naive``         pandas + openpyxl loop over the same files (bench/naive.py)

Prints the medians and the ratios (ours / floor, naive / ours, incremental / full) and writes
them as JSON (``--json``). ``--scale tiny`` is the smoke test the test suite runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # measure this tree
sys.path.insert(0, str(HERE))

import workload  # noqa: E402
from workload import AS_OF, SCALES, child_env  # noqa: E402

OPS = ("consolidate", "progress", "incremental", "summary", "validate", "cli_start", "floor", "naive")


def run_process(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds (user + system), peak RSS in MB, exit code) of one whole
    process. On a loaded machine the CPU time is the steadier figure."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=child_env(), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.stderr and proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def _ours(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "ctcong_xl.cli", *map(str, args)]


def command(op: str, root: Path, ws: Path) -> tuple[list[str], str | None]:
    """The command line of ``op`` and the workload state its workspace is copied from."""
    from ctcong_xl.core.forms import FORMS, PROGRAMME_SHEET
    from ctcong_xl.io.templates import HEADER_ROW

    if op == "consolidate":
        return _ours("consolidate", ws), "s0"
    if op == "progress":
        return _ours("consolidate", ws), "s1"
    if op == "incremental":
        return _ours("consolidate", ws), "s2+refresh+new"
    if op == "summary":
        return _ours("summary", ws, "--as-of", AS_OF.isoformat()), "s2"
    if op == "validate":
        return _ours("validate", ws), "s0"
    if op == "cli_start":
        return _ours("--help"), None
    if op == "floor":
        return [sys.executable, str(HERE / "floor.py"), str(ws), str(ws / "floor.xlsx"), str(HEADER_ROW + 2)], "s0"
    if op == "naive":
        return [sys.executable, str(HERE / "naive.py"), str(ws), str(HEADER_ROW), PROGRAMME_SHEET,
                *(f.sheet for f in FORMS.values())], "s0"
    raise ValueError(op)


def prepare(root: Path, state: str | None, ws: Path) -> None:
    """A fresh copy of the workload state (not timed)."""
    shutil.rmtree(ws, ignore_errors=True)
    if state is None:
        ws.mkdir(parents=True)
        return
    base, *steps = state.split("+")
    shutil.copytree(root / base, ws)
    for step in steps:
        if step == "refresh":  # the master as this version writes it (the workload may be older)
            run_process(_ours("summary", ws, "--as-of", AS_OF.isoformat()))
        else:
            for p in (root / step).iterdir():
                shutil.copy2(p, ws / "inbox" / p.name)


def measure(scale_name: str, repeat: int, cache: Path, ops: tuple[str, ...]) -> dict:
    scale = SCALES[scale_name]
    t0 = time.perf_counter()
    root = workload.make(scale, cache / scale_name)
    made = time.perf_counter() - t0
    times: dict[str, list[float]] = {op: [] for op in ops}
    cpu: dict[str, list[float]] = {op: [] for op in ops}
    rss: dict[str, list[float]] = {op: [] for op in ops}
    scratch = Path(tempfile.mkdtemp(prefix=f"ctcong-bench-{scale_name}-"))
    try:
        for _ in range(repeat):
            for op in ops:  # interleaved: every op once per round, same machine load
                ws = scratch / "ws"
                cmd, state = command(op, root, ws)
                prepare(root, state, ws)
                seconds, cpu_seconds, peak, _ = run_process(cmd)
                times[op].append(seconds)
                cpu[op].append(cpu_seconds)
                rss[op].append(peak)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    med = {op: statistics.median(v) for op, v in times.items()}
    result = {
        "scale": scale_name, "agencies": scale.agencies, "items_per_agency": scale.items, "repeat": repeat,
        "workload_seconds": round(made, 2), "inbox_files": len(list((root / "s2" / "inbox").iterdir())),
        "median_seconds": {op: round(v, 3) for op, v in med.items()},
        "all_seconds": {op: [round(x, 3) for x in v] for op, v in times.items()},
        "median_cpu_seconds": {op: round(statistics.median(v), 3) for op, v in cpu.items()},
        "peak_rss_mb": {op: round(max(v), 1) for op, v in rss.items()},
        "ratios": {},
    }
    result["ratios"] = _ratios(med)
    result["cpu_ratios"] = _ratios(result["median_cpu_seconds"])
    return result


def _ratios(med: dict[str, float]) -> dict[str, float]:
    ratios = {}
    if "consolidate" in med and "floor" in med:
        ratios["ours_over_floor"] = round(med["consolidate"] / med["floor"], 2)
    if "consolidate" in med and "naive" in med:
        ratios["naive_over_ours"] = round(med["naive"] / med["consolidate"], 2)
    if "consolidate" in med and "incremental" in med:
        ratios["incremental_over_full"] = round(med["incremental"] / med["consolidate"], 3)
    return ratios


def print_table(results: list[dict]) -> None:
    head = ["scale", "files", "clock", *OPS, "ours/floor", "naive/ours", "incr/full", "peak MB"]
    lines = [head]
    for r in results:
        for clock, key in (("wall", "median_seconds"), ("cpu", "median_cpu_seconds")):
            _table_row(lines, r, clock, r[key], _ratios(r[key]))
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    for row in lines:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))


def _table_row(lines: list[list[str]], r: dict, clock: str, med: dict, ratios: dict) -> None:
    lines.append([
        f"{r['scale']} ({r['agencies']}×{r['items_per_agency']})", str(r["inbox_files"]), clock,
        *(f"{med[op]:.2f}" if op in med else "—" for op in OPS),
        *(f"{ratios[k]}" if k in ratios else "—" for k in ("ours_over_floor", "naive_over_ours", "incremental_over_full")),
        f"{max(r['peak_rss_mb'].values()):.0f}",
    ])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", nargs="+", choices=sorted(SCALES), default=["province", "large"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ops", nargs="+", choices=OPS, default=list(OPS))
    ap.add_argument("--cache", type=Path, default=HERE / ".cache")
    ap.add_argument("--json", type=Path, default=None, help="write the results here")
    args = ap.parse_args(argv)
    results = []
    for name in args.scale:
        results.append(measure(name, args.repeat, args.cache, tuple(args.ops)))
        print(f"{name}: medians of {args.repeat} (s), peak RSS (MB): {results[-1]['peak_rss_mb']}", file=sys.stderr)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps({"results": results, "load_average": os.getloadavg()}, indent=2) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
