"""Benchmark: `python bench/run.py [--rows N] [--repeat K]`.

Measures the product's own code paths on a master workbook with N programme rows (default
20,000) and compares each with a baseline measured in the same run:

* read the master        — ctcong-xl (python-calamine)       vs openpyxl full load
* write the programme    — ctcong-xl (package-level patch)   vs openpyxl load + write + save
* statuses of all items  — ctcong-xl core (Python)           vs LibreOffice recalculation
                                                                  of the master's formulas

Prints a table of median seconds and the ratio baseline / ctcong-xl (higher is better).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
from rich.console import Console
from rich.table import Table

from ctcong_xl import ops
from ctcong_xl.core.forms import PROGRAMME_SHEET
from ctcong_xl.core.models import Agency, WorkItem
from ctcong_xl.core.plan import WritePlan
from ctcong_xl.core.summary import summarize
from ctcong_xl.core.writeplan import plan_programme
from ctcong_xl.io import master as master_io
from ctcong_xl.io.recalc import recalculate, soffice_available
from ctcong_xl.io.xlsxpatch import apply_plan


def make_items(n: int, agencies: list[Agency], year: int, rng: random.Random) -> list[WorkItem]:
    items = []
    for k in range(n):
        a = agencies[k % len(agencies)]
        deadline = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        done = deadline + dt.timedelta(days=rng.randrange(-40, 40)) if rng.random() < 0.6 else None
        items.append(WorkItem(
            ma_dau_viec=f"{year}-{a.code}-{k:05d}", noi_dung=f"Báo cáo chuyên đề số {k} về cải cách hành chính",
            loai="Báo cáo", cap_trinh="UBND tỉnh", ma_don_vi=a.code, don_vi_chu_tri=a.name, thoi_han=deadline,
            ngay_hoan_thanh=done, lanh_dao="Chủ tịch UBND tỉnh", rut=rng.random() < 0.02,
        ))
    return items


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    console = Console()
    tmp = Path(tempfile.mkdtemp(prefix="ctcong-bench-"))
    try:
        agencies = [Agency(code=f"DV{i:02d}", name=f"Sở số {i}") for i in range(1, 31)]
        ws_path = tmp / "ws"
        ops.init_workspace(ws_path, 2026, agencies, program_number="27/CTr-UBND", as_of=dt.date(2026, 6, 30))
        ws = ops.open_workspace(ws_path)
        master = ws.master
        empty_master = master.read_bytes()
        ds = master_io.read_master(master)
        ds.items = make_items(args.rows, agencies, 2026, random.Random(7))
        plan = WritePlan()
        plan_programme(plan, ds, dt.date(2026, 6, 30))
        master.write_bytes(apply_plan(empty_master, plan))
        console.print(f"Master with {args.rows:,} programme rows: {master.stat().st_size / 1e6:.1f} MB")

        rows: list[tuple[str, float, str, float]] = []
        ours = timed(lambda: master_io.read_master(master), args.repeat)
        base = timed(lambda: openpyxl.load_workbook(master), 1)
        rows.append(("Đọc sổ tổng hợp (read the master)", ours, "openpyxl load_workbook", base))

        ours = timed(lambda: apply_plan(empty_master, plan), args.repeat)

        def openpyxl_write() -> None:
            wb = openpyxl.load_workbook(tmp / "empty.xlsm", keep_vba=True)
            sh = wb[PROGRAMME_SHEET]
            for rw in plan.writes:
                for i, values in enumerate(rw.values):
                    for j, v in enumerate(values):
                        sh.cell(rw.row + i, rw.col + j, getattr(v, "text", v))
            wb.save(tmp / "openpyxl-out.xlsm")

        (tmp / "empty.xlsm").write_bytes(empty_master)
        base = timed(openpyxl_write, 1)
        rows.append(("Ghi chương trình (write the programme)", ours, "openpyxl load + write + save", base))

        data = master_io.read_master(master)
        ours = timed(lambda: summarize(data, dt.date(2026, 6, 30)), args.repeat)
        if soffice_available():
            base = timed(lambda: recalculate(master, tmp / "lo"), 1)
            rows.append(("Tính tình trạng + tổng hợp (statuses + summary)", ours, "LibreOffice recalculation", base))

        t = Table(title=f"ctcong-xl benchmark, {args.rows:,} rows (median of {args.repeat}; baselines once)")
        for col in ("Task", "ctcong-xl (s)", "Baseline", "Baseline (s)", "Ratio"):
            t.add_column(col)
        for task, a, name, b in rows:
            t.add_row(task, f"{a:.2f}", name, f"{b:.2f}", f"{b / a:.1f}×")
        console.print(t)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
