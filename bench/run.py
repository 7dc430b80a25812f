"""Benchmark: ``python bench/run.py [--scale province large national] [--repeat 3]``.

Makes each workload through the public commands (see ``bench/workload.py``; kept in
``--cache``, default ``bench/.cache``, and reused), then measures, in the same run and on the
same files, each as a whole process (CPU time, wall time, peak memory), the runs interleaved:

* ``consolidate``   ctcong-xl consolidate of the annual round (fresh master, every registration)
* ``progress``      ctcong-xl consolidate of the progress round (registrations already known)
* ``incremental``   ctcong-xl consolidate with one new file (everything else already known; the
                    master first rewritten by an untimed ``summary --as-of``, so that it is as
                    this version writes it even when the workload was made by an older one)
* ``summary``       ctcong-xl summary --as-of on the consolidated master
* ``validate``      ctcong-xl validate of the annual inbox
* ``cli_start``     ctcong-xl --help
* ``floor``         python-calamine read of the same files + XlsxWriter write of their form rows
                    (bench/floor.py)
* ``naive``         pandas + openpyxl loop over the same files (bench/naive.py)
* ``floor_rust``    the floor with rustpy-xlsxwriter writing (only with ``--ops``; not a dependency)
* ``template_one``  ctcong-xl templates --kind annual --agency X: one agency's template (``--ops``)
* ``floor_incremental``  the floor of the incremental run: read the consolidated master and the
                    new file, write the master's programme rows and the file's (``--ops``)

Prints the medians and the ratios (ours / floor, naive / ours, incremental / full) and writes
them as JSON (``--json``). ``--scale tiny`` is the smoke test the test suite runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # measure this tree
sys.path.insert(0, str(HERE))

import workload  # noqa: E402
from proc import run_process  # noqa: E402
from workload import AS_OF, SCALES  # noqa: E402

OPS = ("consolidate", "progress", "incremental", "summary", "validate", "cli_start", "floor", "naive")
EXTRA_OPS = ("floor_rust", "template_one", "floor_incremental")  # measured when asked for (--ops)


def _ours(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "ctcong_xl", *map(str, args)]


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
    floor = [sys.executable, str(HERE / "floor.py"), str(ws), str(ws / "floor.xlsx"), str(HEADER_ROW + 2),
             "--sheets", *(f.sheet for f in FORMS.values())]
    if op == "floor":
        return floor, "s0"
    if op == "template_one":  # one agency's annual template (XlsxWriter; it lists every agency)
        first = next(iter((root / "s0" / "inbox").glob("DangKy_*.xlsx"))).stem.removeprefix("DangKy_")
        return _ours("templates", ws, "--kind", "annual", "--agency", first), "s0"
    if op == "floor_rust":
        return [*floor, "--writer", "rustpy"], "s0"
    if op == "floor_incremental":  # read the consolidated master and the new file, write the programme again
        new = sorted(p.name for p in (root / "new").iterdir())
        return [*floor, "--new", *new, "--master-sheets", PROGRAMME_SHEET], "s2+refresh+new"
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


def annual_inbox_only(root: Path, ops: tuple[str, ...]) -> bool:
    """Whether every op needs only the annual inbox (``s0``) and it is already filled: those can
    be measured while the rest of a workload is still being made."""
    steps = root / "workload.json"
    if (root / ".complete").exists() or not steps.exists():
        return False
    states = {command(op, root, root / "ws")[1] for op in ops}
    return states <= {"s0", None} and "fill annual" in json.loads(steps.read_text(encoding="utf-8"))["seconds"]


def state_of(root: Path) -> str:
    """The last state of a workload made so far (its inbox holds every file of the workload)."""
    return "s2" if (root / ".complete").exists() else "s0"


def measure(scale_name: str, repeat: int, cache: Path, ops: tuple[str, ...],
            partial: Path | None = None) -> dict:
    """Medians of ``repeat`` interleaved rounds of ``ops`` on the workload of ``scale_name``;
    with ``partial``, the results so far are written there after every run."""
    scale = SCALES[scale_name]
    t0 = time.perf_counter()
    root = cache / scale_name
    if not annual_inbox_only(root, ops):
        workload.make(scale, root)
    made = time.perf_counter() - t0
    workload.compile_tree()  # every command runs from bytecode, as installed (see child_env)
    if not scale.progress_round:
        ops = tuple(op for op in ops if op != "progress")  # no progress round in this workload
    runs: dict[str, list[dict[str, float]]] = {op: [] for op in ops}
    load_before = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix=f"ctcong-bench-{scale_name}-"))
    try:
        for _ in range(repeat):
            for op in ops:  # interleaved: every op once per round, same machine load
                ws = scratch / "ws"
                cmd, state = command(op, root, ws)
                prepare(root, state, ws)
                runs[op].append(run_process(cmd))
                print(f"  {scale_name} {op}: {runs[op][-1]['cpu']:.2f} s CPU, {runs[op][-1]['wall']:.2f} s wall",
                      file=sys.stderr, flush=True)
                if partial:
                    write_json(partial, [summarise(scale, root, repeat, made, load_before, runs)])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return summarise(scale, root, repeat, made, load_before, runs)


def summarise(scale, root: Path, repeat: int, made: float, load_before: tuple, runs: dict) -> dict:
    runs = {op: v for op, v in runs.items() if v}
    wall = {op: statistics.median(r["wall"] for r in v) for op, v in runs.items()}
    cpu = {op: statistics.median(r["cpu"] for r in v) for op, v in runs.items()}
    made_log = root / "workload.json"
    result = {
        "scale": scale.name, "agencies": scale.agencies, "items_per_agency": scale.items, "repeat": repeat,
        "annual_files": scale.agencies, "inbox_files": len(list((root / state_of(root) / "inbox").iterdir())),
        "workload_seconds": round(made, 2),
        "workload_steps": json.loads(made_log.read_text(encoding="utf-8")) if made_log.exists() else None,
        "fill": scale.fill, "progress_round": scale.progress_round,
        "load_average": {"before": [round(x, 2) for x in load_before],
                         "after": [round(x, 2) for x in os.getloadavg()]},
        "median_seconds": {op: round(v, 3) for op, v in wall.items()},
        "all_seconds": {op: [round(r["wall"], 3) for r in v] for op, v in runs.items()},
        "median_cpu_seconds": {op: round(v, 3) for op, v in cpu.items()},
        "all_cpu_seconds": {op: [round(r["cpu"], 3) for r in v] for op, v in runs.items()},
        "peak_rss_mb": {op: round(max(r["rss"] for r in v), 1) for op, v in runs.items()},
        "peak_tree_rss_mb": {op: round(max(r["tree_rss"] for r in v), 1) for op, v in runs.items()},
    }
    result["ratios"] = _ratios(wall)
    result["cpu_ratios"] = _ratios(cpu)
    return result


def write_json(path: Path, results: list[dict]) -> None:
    path.write_text(json.dumps({"results": results, "load_average": os.getloadavg()}, indent=2) + "\n",
                    encoding="utf-8")


def _ratios(med: dict[str, float]) -> dict[str, float]:
    ratios = {}
    if "consolidate" in med and "floor" in med:
        ratios["ours_over_floor"] = round(med["consolidate"] / med["floor"], 2)
    if "consolidate" in med and "naive" in med:
        ratios["naive_over_ours"] = round(med["naive"] / med["consolidate"], 2)
    if "consolidate" in med and "incremental" in med:
        ratios["incremental_over_full"] = round(med["incremental"] / med["consolidate"], 3)
    if "floor" in med and "floor_incremental" in med:
        ratios["floor_incremental_over_full"] = round(med["floor_incremental"] / med["floor"], 3)
    return ratios


def _load(r: dict) -> str:
    la = r.get("load_average")
    if not la:
        return "?"
    return f"{la['before'][0]:.1f}→{la['after'][0]:.1f}"


def print_table(results: list[dict]) -> None:
    """Medians per scale: CPU (the steady figure), wall, peak RSS; the load average (1 min, at
    the start and at the end of that scale's runs) in every row."""
    ops = [op for op in OPS + EXTRA_OPS if any(op in r["median_cpu_seconds"] for r in results)]
    ratio_keys = ["ours_over_floor", "naive_over_ours", "incremental_over_full"]
    ratio_heads = ["ours/floor", "naive/ours", "incr/full"]
    if "floor_incremental" in ops:
        ratio_keys.append("floor_incremental_over_full")
        ratio_heads.append("floor incr/full")
    head = ["scale", "files", "load", "figure", *ops, *ratio_heads]
    lines = [head]
    for r in results:
        for figure, key in (("CPU s", "median_cpu_seconds"), ("wall s", "median_seconds")):
            med = r[key]
            ratios = _ratios(med)
            lines.append([
                _scale_label(r), str(r["inbox_files"]), _load(r), figure,
                *(f"{med[op]:.2f}" if op in med else "—" for op in ops),
                *(f"{ratios[k]}" if k in ratios else "—" for k in ratio_keys),
            ])
        for figure, key in (("RSS MB", "peak_rss_mb"), ("tree MB", "peak_tree_rss_mb")):
            peaks = r.get(key, {})
            lines.append([_scale_label(r), str(r["inbox_files"]), _load(r), figure,
                          *(f"{peaks[op]:.0f}" if op in peaks else "—" for op in ops), *([""] * len(ratio_keys))])
    _print(lines)


SCALING_OPS = ("consolidate", "validate", "summary", "floor", "naive", "template_one")
PER_RUN = ("template_one",)  # one template whatever the scale: its own time, not per agency


def print_scaling(results: list[dict]) -> None:
    """Time linear in the number of files: CPU ms per agency (``consolidate``, ``validate``, the
    floor and the naive loop read one registration per agency; ``summary`` the master of them) at
    every scale with the same items per agency, and each scale's figure over the smallest's
    (1.00 = exactly linear); ``template_one`` is one template, not divided."""
    groups: dict[int, list[dict]] = {}
    for r in results:
        groups.setdefault(r["items_per_agency"], []).append(r)
    for items, rs in groups.items():
        if len(rs) < 2:
            continue
        rs = sorted(rs, key=lambda r: r["agencies"])
        base = rs[0]
        ops = [op for op in SCALING_OPS if any(op in r["median_cpu_seconds"] for r in rs)]
        print(f"\nscaling ({items} items per agency): CPU ms per agency, and / {_scale_label(base)}")
        lines = [["scale", "agencies", "load", *ops, *(f"{op} ratio" for op in ops)]]

        def per(r: dict, op: str) -> float | None:
            v = r["median_cpu_seconds"].get(op)
            return None if v is None else v / (1 if op in PER_RUN else r["agencies"])

        for r in rs:
            lines.append([_scale_label(r), str(r["agencies"]), _load(r),
                          *(f"{1000 * per(r, op):.1f}" if per(r, op) is not None else "—" for op in ops),
                          *(f"{per(r, op) / per(base, op):.2f}" if per(r, op) is not None and per(base, op)
                            else "—" for op in ops)])
        _print(lines)


def merged(files: list[Path]) -> list[dict]:
    """Results of earlier runs, one per scale: a later file's ops replace an earlier one's. A
    workload's own ``workload.json`` counts too: the annual round it consolidated while it was
    made is a ``consolidate`` run (one, as measured then)."""
    by_scale: dict[str, dict] = {}
    for f in files:
        data = json.loads(f.read_text(encoding="utf-8"))
        for r in data["results"] if "results" in data else [_from_workload(data)]:
            have = by_scale.setdefault(r["scale"], r)
            if have is not r:
                for key in ("median_seconds", "median_cpu_seconds", "peak_rss_mb", "peak_tree_rss_mb"):
                    have[key] = {**have[key], **r[key]}
                have["load_average"] = {"before": r["load_average"]["before"],
                                        "after": r["load_average"]["after"]}
    for r in by_scale.values():
        r["ratios"], r["cpu_ratios"] = _ratios(r["median_seconds"]), _ratios(r["median_cpu_seconds"])
    return list(by_scale.values())


def _from_workload(data: dict) -> dict:
    scale = SCALES[data["scale"]]
    run = data["measured"]["consolidate annual"]
    return {"scale": scale.name, "agencies": scale.agencies, "items_per_agency": scale.items,
            "inbox_files": scale.agencies, "load_average": None,
            "median_seconds": {"consolidate": run["wall"]}, "median_cpu_seconds": {"consolidate": run["cpu"]},
            "peak_rss_mb": {"consolidate": run["rss"]}, "peak_tree_rss_mb": {"consolidate": run["tree_rss"]}}


def _scale_label(r: dict) -> str:
    return f"{r['scale']} ({r['agencies']}×{r['items_per_agency']})"


def _print(lines: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in lines) for i in range(len(lines[0]))]
    for row in lines:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", nargs="+", choices=sorted(SCALES), default=["province", "large"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ops", nargs="+", choices=OPS + EXTRA_OPS, default=list(OPS))
    ap.add_argument("--cache", type=Path, default=HERE / ".cache")
    ap.add_argument("--json", type=Path, default=None, help="write the results here")
    ap.add_argument("--table", type=Path, nargs="+", default=None, metavar="JSON",
                    help="measure nothing: print the tables of earlier --json files together")
    args = ap.parse_args(argv)
    if args.table:
        results = merged(args.table)
    else:
        results = []
        for name in args.scale:
            results.append(measure(name, args.repeat, args.cache, tuple(args.ops),
                                   partial=args.json.with_suffix(f".{name}.partial.json") if args.json else None))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average now "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    print_table(results)
    print_scaling(results)
    if args.json and not args.table:
        write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
