"""The benchmark runs end to end on a tiny workload, so that it never rots (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ctcong_xl.io.master import read_master

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"


def test_bench_makes_the_workload_through_the_commands_and_measures_every_run(tmp_path):
    out = tmp_path / "bench.json"
    cache = tmp_path / "cache"
    done = subprocess.run([sys.executable, str(BENCH), "--scale", "tiny", "--repeat", "1", "--cache", str(cache),
                           "--json", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(out.read_text(encoding="utf-8"))["results"]
    ops = ("consolidate", "progress", "incremental", "summary", "validate", "cli_start", "floor", "naive")
    assert set(result["median_seconds"]) == set(ops)
    assert all(result["median_seconds"][op] > 0 and result["median_cpu_seconds"][op] > 0 for op in ops)
    # memory of the command itself, not of the benchmark that started it; its workers counted too
    assert all(0 < result["peak_rss_mb"][op] <= result["peak_tree_rss_mb"][op] for op in ops)
    assert result["peak_rss_mb"]["cli_start"] < result["peak_rss_mb"]["consolidate"]
    assert len(result["load_average"]["before"]) == 3
    assert set(result["ratios"]) == {"ours_over_floor", "naive_over_ours", "incremental_over_full"}
    assert result["inbox_files"] == 2 * result["agencies"]  # a registration and a progress report each
    # the workload went through the real commands: every agency's registration is in the master
    consolidated = read_master(next((cache / "tiny" / "s2").glob("*.xlsm")))
    assert {i.ma_don_vi for i in consolidated.items} == {a.code for a in consolidated.agencies}
    assert len(consolidated.items) >= result["agencies"] * result["items_per_agency"]
    assert "consolidate" in done.stdout and "naive/ours" in done.stdout
    # the tables can be printed again from the JSON without measuring anything
    again = subprocess.run([sys.executable, str(BENCH), "--table", str(out)], capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 0, again.stderr
    assert [line for line in again.stdout.splitlines() if "tiny" in line] == \
        [line for line in done.stdout.splitlines() if "tiny" in line]
    # the floor of the incremental run, measured when asked for, on the same (cached) workload
    floors = tmp_path / "floors.json"
    done = subprocess.run([sys.executable, str(BENCH), "--scale", "tiny", "--repeat", "1", "--cache", str(cache),
                           "--ops", "floor", "floor_incremental", "--json", str(floors)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(floors.read_text(encoding="utf-8"))["results"]
    assert set(result["median_seconds"]) == {"floor", "floor_incremental"}
    assert result["ratios"]["floor_incremental_over_full"] > 0 and "floor incr/full" in done.stdout
    # where the time goes, phase by phase, on the same workload (bench/phases.py)
    import shutil

    ws = tmp_path / "phases"
    shutil.copytree(cache / "tiny" / "s0", ws)
    phases = subprocess.run([sys.executable, str(BENCH.with_name("phases.py")), "consolidate", str(ws)],
                            capture_output=True, text=True, timeout=300)
    assert phases.returncode == 0, phases.stderr
    rows = {line[:48].strip(): line[48:].split() for line in phases.stdout.splitlines()[2:] if len(line) > 48}
    assert rows["check the files (guarded workers)"][0] == "1"  # one call: calls, wall, CPU, workers, RSS, peak
    assert int(rows["merge into the programme"][0]) == result["agencies"]  # one registration each
    assert float(rows["write the master"][1]) > 0
    assert read_master(next(ws.glob("*.xlsm"))).items  # the command ran for real
