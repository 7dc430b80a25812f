"""The benchmark's workloads, made through the product's public commands as an Office would:
``ctcong-xl init`` with an agencies file, ``ctcong-xl templates``, every agency's clerk fills
its template (``ctcong_xl.demo_data.fill_template``: openpyxl, as Excel saves it), the files
land in ``inbox/``, ``ctcong-xl consolidate``, then a progress round the same way.

Three states are kept per workload (each a whole workspace folder):

* ``s0``  the master as ``init`` made it; ``inbox/`` holds every annual registration;
* ``s1``  after the annual round; ``inbox/`` also holds every progress report;
* ``s2``  after the progress round (same inbox);
* ``new/`` one more file: an agency's corrected progress report (the incremental run).

About one file in forty carries a clerk's mistake (an impossible date) and is returned.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proc import child_env, run_process

YEAR = 2026
AS_OF = dt.date(YEAR, 9, 30)
ANNUAL_RUN_DAY = dt.date(YEAR - 1, 11, 20)
FAULTY_EVERY = 40  # one file in this many has an error (returned to the agency)


@dataclass(frozen=True)
class Scale:
    name: str
    agencies: int
    items: int  # rows per annual registration
    # how the clerks' files are typed: "openpyxl" (demo_data.fill_template, load and save the whole
    # template) or "xml" (the form sheet's cells only, through the tool's own package patcher)
    fill: str = "openpyxl"
    progress_round: bool = True  # also make and consolidate a progress round


SCALES = {
    "tiny": Scale("tiny", 6, 5),
    "province": Scale("province", 120, 25),
    "small": Scale("small", 60, 50),  # issue 11's first figures; with large and national: the scaling
    "large": Scale("large", 600, 50),
    # every template of 3,000 agencies lists them all (82 KB): openpyxl would take 0.6 s a file;
    # the annual round only, so that it can be made and measured in one session
    "national": Scale("national", 3000, 50, fill="xml", progress_round=False),
}

# Places for communes and wards (names as they are after the 2025 reorganisation: xã, phường).
_SYLLABLES = (
    "An", "Bình", "Phú", "Tân", "Hòa", "Long", "Thạnh", "Mỹ", "Đông", "Tây", "Nam", "Bắc", "Hưng", "Thuận",
    "Vĩnh", "Phước", "Lộc", "Quang", "Trung", "Hiệp", "Thịnh", "Khánh", "Định", "Hải", "Sơn", "Lâm", "Thủy",
    "Xuân", "Hạ", "Thu", "Đức", "Nghĩa", "Lợi", "Thành", "Cường", "Quý", "Tiến", "Phong", "Hội", "Yên",
)
_EXTRA_DEPARTMENTS = (
    ("SNGV", "Sở Ngoại vụ", "sở, ban, ngành"),
    ("DPTTH", "Đài Phát thanh và Truyền hình tỉnh", "khác"),
    ("TCT", "Trường Chính trị tỉnh", "khác"),
)
_TOPICS = (
    "cải cách hành chính", "chuyển đổi số", "phòng, chống thiên tai", "giảm nghèo bền vững",
    "xây dựng nông thôn mới", "an toàn giao thông", "phòng cháy, chữa cháy", "bảo vệ môi trường",
    "quản lý đất đai", "thu ngân sách", "giải ngân vốn đầu tư công", "phát triển du lịch",
    "an toàn thực phẩm", "phổ biến, giáo dục pháp luật", "tiếp công dân", "phòng, chống tham nhũng",
    "thực hành tiết kiệm, chống lãng phí", "bình đẳng giới", "chăm sóc sức khỏe ban đầu",
    "phát triển giáo dục mầm non", "xã hội hóa y tế", "phát triển hợp tác xã", "khuyến nông",
    "trồng rừng", "nước sạch nông thôn", "chợ truyền thống", "chỉnh trang đô thị", "thu gom rác thải",
    "hỗ trợ doanh nghiệp nhỏ và vừa", "khởi nghiệp đổi mới sáng tạo", "đào tạo nghề cho lao động nông thôn",
    "bảo hiểm xã hội tự nguyện", "chính sách người có công", "phòng, chống ma túy", "quốc phòng toàn dân",
    "dân vận chính quyền", "thi đua, khen thưởng", "văn thư, lưu trữ", "quản lý tài sản công",
    "kiểm soát thủ tục hành chính", "dịch vụ công trực tuyến", "định danh điện tử", "phát triển thể thao",
    "bảo tồn di tích", "thông tin cơ sở", "hỗ trợ nhà ở", "tái định cư", "quy hoạch sử dụng đất",
    "phát triển kinh tế đêm", "kinh tế tuần hoàn",
)
_KINDS = (("Báo cáo kết quả", "Báo cáo"), ("Kế hoạch triển khai công tác", "Kế hoạch"),
          ("Đề án nâng cao hiệu quả công tác", "Đề án"), ("Tờ trình về công tác", "Tờ trình"),
          ("Chương trình hành động về", "Chương trình"))


# ---- the registry ------------------------------------------------------------------------------------
def agencies_rows(n: int) -> list[tuple[str, str, str]]:
    """(code, name, kind) of ``n`` agencies: 20 departments, then communes and wards."""
    from ctcong_xl.core.text import fold_key
    from ctcong_xl.io.agencies import load_default_agencies

    departments = [(a.code, a.name, a.kind) for a in load_default_agencies() if a.kind != "UBND cấp xã"]
    rows = (departments + list(_EXTRA_DEPARTMENTS))[: min(n, 20)]
    codes = {r[0] for r in rows}
    pairs = [(a, b) for a in _SYLLABLES for b in _SYLLABLES if a != b]
    random.Random(7).shuffle(pairs)
    k = 0
    while len(rows) < n:
        a, b = pairs[k % len(pairs)]
        ward = k % 5 == 0
        place = f"{'phường' if ward else 'xã'} {a} {b}" + (f" {k // len(pairs) + 1}" if k >= len(pairs) else "")
        code = ("P" if ward else "X") + fold_key(f"{a}{b}").replace(" ", "").upper() + (
            str(k // len(pairs) + 1) if k >= len(pairs) else "")
        k += 1
        if code in codes:
            continue
        codes.add(code)
        rows.append((code, f"UBND {place}", "UBND cấp xã"))
    return rows


def write_agencies_csv(path: Path, n: int) -> None:
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Mã đơn vị", "Tên đơn vị", "Loại", "Email"])
        for code, name, kind in agencies_rows(n):
            w.writerow([code, name, kind, f"{code.lower()}@tinhmau.gov.vn"])


# ---- what clerks type --------------------------------------------------------------------------------
def registration_rows(agency, items: int, by_code: dict, *, faulty: bool) -> list[dict[str, Any]]:
    """``items`` rows of one agency's annual registration: its own kinds of work from the demo's
    item library, then work on the province's common topics, deadlines typed as clerks type them."""
    from ctcong_xl.demo_data import _typed_deadline, demo_registrations
    from ctcong_xl.io.agencies import DEFAULT_LEADERS

    departments = list(by_code.values())[:20]  # the partners the item library names
    rows = demo_registrations([agency, *departments], YEAR)[agency.code][:items]
    rng = random.Random(f"bench:{agency.code}")
    place = agency.name.removeprefix("UBND ")
    topics = list(_TOPICS)
    rng.shuffle(topics)
    partners = [a.name for a in departments if a.code != agency.code]
    for k in range(len(rows), items):
        prefix, loai = _KINDS[k % len(_KINDS)]
        month = 1 + (k * 7 + len(place)) % 12
        deadline, _ = _typed_deadline(rng, YEAR, month)
        rows.append({
            "noi_dung": f"{prefix} {topics[k % len(topics)]} năm {YEAR} của {place}"
                        + (f" (đợt {k // len(topics) + 1})" if k >= len(topics) else ""),
            "loai": loai, "cap_trinh": "UBND tỉnh" if k % 3 else "Chủ tịch UBND tỉnh",
            "can_cu": "Kế hoạch số 112/KH-UBND ngày 20/12/2025 của UBND tỉnh" if k % 4 == 0 else "",
            "don_vi_chu_tri": "", "don_vi_phoi_hop": rng.choice(partners) if rng.random() < 0.5 else "",
            "lanh_dao": DEFAULT_LEADERS[k % len(DEFAULT_LEADERS)], "thoi_gian_trien_khai": "",
            "thoi_han": deadline, "dinh_ky": "", "ghi_chu": "",
        })
    if faulty and rows:
        rows[-1] = {**rows[-1], "thoi_han": f"31/02/{YEAR}"}  # not on the calendar: returned
    return rows


# ---- making the workload -----------------------------------------------------------------------------
def cli(*args: str | Path) -> subprocess.CompletedProcess:
    """Run ``ctcong-xl`` (this tree) as a process; exit code 1 (some files returned) is fine,
    a crash is not."""
    cmd = _cli_cmd(*args)
    r = subprocess.run(cmd, env=child_env(), capture_output=True, text=True)
    if r.returncode not in (0, 1) or "Traceback" in r.stderr:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}")
    return r


def compile_tree() -> None:
    """Compile this tree's modules once, before anything is timed."""
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "ctcong_xl")], env=child_env(), check=True)



def _stamp(path: Path, day: dt.date) -> None:
    t = dt.datetime(day.year, day.month, day.day, 9, 30).timestamp()
    os.utime(path, (t, t))


def _fill_annual(job: tuple) -> None:
    """One clerk: types the agency's registration into its template (in a worker process)."""
    template, agency, items, partners, faulty, out, day, layout = job
    rows = registration_rows(agency, items, partners, faulty=faulty)
    if layout is None:
        from ctcong_xl.demo_data import fill_template

        fill_template(template, rows, out=out)
    else:
        out.write_bytes(typed_package(template.read_bytes(), rows, layout))
    _stamp(out, day)


@dataclass(frozen=True)
class FormLayout:
    """Where a registration template takes its rows: the form sheet, its first input row under
    the example row, and the column of each key (the same in every template of one kind)."""
    sheet: str
    first_row: int
    columns: dict[str, int]


def form_layout(template: Path) -> FormLayout:
    """Found in one template the way ``demo_data.fill_template`` finds it (openpyxl, once)."""
    import openpyxl

    from ctcong_xl.demo_data import _is_example, _locate_form, _row_blank, _template_kind

    wb = openpyxl.load_workbook(template)
    try:
        _, ws, header_row, columns = _locate_form(wb, _template_kind(wb))
        r = header_row + 1
        while not _row_blank(ws, r, columns):
            if not _is_example(ws, r, columns):
                raise ValueError(f"{template}: a pre-filled row under the header")
            r += 1
        return FormLayout(ws.title, r, columns)
    finally:
        wb.close()


def typed_package(package: bytes, rows: list[dict[str, Any]], layout: FormLayout) -> bytes:
    """The template with ``rows`` typed into its input rows, as ``fill_template`` types them
    (STT numbered, blanks left empty, dates as dates in the template's dd/mm/yyyy columns), but
    written into the form sheet's XML by the tool's own patcher: every other part (the list of
    agencies, the metadata, the signature, styles, validations) stays byte for byte."""
    from ctcong_xl.core.plan import WritePlan
    from ctcong_xl.core.text import is_blank
    from ctcong_xl.io.xlsxpatch import apply_plan

    plan = WritePlan(names={})
    for n, row in enumerate(rows, start=1):
        values = dict(row)
        if "stt" in layout.columns and is_blank(values.get("stt")):
            values["stt"] = n
        for key, value in values.items():
            if not is_blank(value):
                plan.add(layout.sheet, layout.first_row + n - 1, layout.columns[key], [[value]])
    return apply_plan(package, plan)


def raise_file_limit(master: Path, files: int) -> None:
    """The Office raises "Giới hạn: số tệp đọc trong một lần chạy" on the master's configuration
    sheet (as it would in Excel) when a round brings more files than the default limit, so that
    one run consolidates the whole round."""
    from ctcong_xl.core import layout as L
    from ctcong_xl.core.models import ProgrammeConfig
    from ctcong_xl.core.plan import WritePlan
    from ctcong_xl.io.xlsxpatch import apply_plan

    if files <= ProgrammeConfig.model_fields["max_files"].default:
        return
    plan = WritePlan()
    plan.add(L.CONFIG_SHEET, L.config_row("max_files"), 2, [[files]])
    master.write_bytes(apply_plan(master.read_bytes(), plan))


def _fill_progress(job: tuple) -> None:
    from ctcong_xl.demo_data import demo_progress, fill_template

    template, items, out, seed = job
    done = demo_progress(items, AS_OF, seed=seed)
    fill_template(template, [{"ma_dau_viec": code, **done[code]} for code, *_ in items], out=out)


@contextmanager
def _phase(log: dict[str, float], name: str):
    """Time one step of making a workload (wall seconds, printed to stderr and kept)."""
    t0 = time.perf_counter()
    yield
    log[name] = round(time.perf_counter() - t0, 2)
    print(f"  workload: {name} {log[name]:.1f} s", file=sys.stderr, flush=True)


def make(scale: Scale, root: Path, *, jobs: int = 2) -> Path:
    """Build the workload of ``scale`` under ``root`` (reused when it is already complete; a
    build that stopped goes on from the last step it finished)."""
    from ctcong_xl.core.models import Agency
    from ctcong_xl.io.master import read_master

    done_mark = root / ".complete"
    if done_mark.exists():
        return root
    steps_file = root / "workload.json"
    if not steps_file.exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        _save(steps_file, scale, {}, {})
    log, measured = (json.loads(steps_file.read_text(encoding="utf-8"))[k] for k in ("seconds", "measured"))

    def step(name: str) -> bool:
        """Whether step ``name`` still has to run (each finished step is kept in workload.json)."""
        return name not in log

    csv_path = root / "donvi.csv"
    s0, s1, s2, new = root / "s0", root / "s1", root / "s2", root / "new"
    if step("init"):
        shutil.rmtree(s0, ignore_errors=True)
        write_agencies_csv(csv_path, scale.agencies)
        with _phase(log, "init"):
            cli("init", s0, "--year", YEAR, "--agencies", csv_path, "--program-number", "27/CTr-UBND")
            raise_file_limit(next(s0.glob("*.xlsm")), 2 * scale.agencies + 10)
        _save(steps_file, scale, log, measured)
    outbox = s0 / "outbox"
    if step("templates annual"):
        with _phase(log, "templates annual"):
            cli("templates", s0, "--kind", "annual")
        _save(steps_file, scale, log, measured)
    agencies = [Agency(code=c, name=n, kind=k) for c, n, k in agencies_rows(scale.agencies)]
    by_code = {a.code: a for a in agencies}
    partners = dict(list(by_code.items())[:20])  # the departments (all registration_rows reads)
    returned = agencies[FAULTY_EVERY - 1] if len(agencies) >= FAULTY_EVERY else None
    if step("fill annual"):
        with _phase(log, "fill annual"):
            layout = form_layout(next(outbox.glob("DangKyNam_*.xlsx"))) if scale.fill == "xml" else None
            annual_jobs = []
            for n, a in enumerate(agencies):
                template = outbox / f"DangKyNam_{YEAR}_{a.code}.xlsx"
                day = dt.date(YEAR - 1, 11, 3) + dt.timedelta(days=n % 17)
                annual_jobs.append((template, a, scale.items, partners, n % FAULTY_EVERY == FAULTY_EVERY - 1,
                                    s0 / "inbox" / f"DangKy_{a.code}.xlsx", day, layout))
            with ProcessPoolExecutor(jobs) as pool:
                list(pool.map(_fill_annual, annual_jobs, chunksize=8))
            if not scale.progress_round and returned is not None:
                # the incremental run: the agency whose registration was returned sends it corrected
                shutil.rmtree(new, ignore_errors=True)
                new.mkdir()
                (job,) = [j for j in annual_jobs if j[0].name.endswith(f"_{returned.code}.xlsx")]
                _fill_annual((*job[:4], False, new / f"DangKy_{returned.code}_sua.xlsx", ANNUAL_RUN_DAY, layout))
        _clear(outbox)
        _save(steps_file, scale, log, measured)

    def consolidate_round(name: str, before: Path, after: Path) -> None:
        """``after`` = a copy of ``before`` consolidated (measured as the benchmark measures)."""
        if step(name):
            shutil.rmtree(after, ignore_errors=True)
            shutil.copytree(before, after)
            with _phase(log, name):
                measured[name] = run_process(_cli_cmd("consolidate", after))
            _save(steps_file, scale, log, measured)

    consolidate_round("consolidate annual", s0, s1)
    if not scale.progress_round:
        if step("copy"):
            shutil.rmtree(s2, ignore_errors=True)
            shutil.copytree(s1, s2)
            log["copy"] = 0
        _save(steps_file, scale, log, measured)
        done_mark.write_text(f"{scale}\n", encoding="utf-8")
        return root

    if step("templates progress"):
        with _phase(log, "templates progress"):
            cli("templates", s1, "--kind", "progress")
        _save(steps_file, scale, log, measured)
    if step("fill progress"):
        with _phase(log, "fill progress"):
            ds = read_master(next(s1.glob("*.xlsm")))
            if not ds.items:
                raise RuntimeError(f"the annual round consolidated nothing in {s1}")
            own: dict[str, list] = {}
            for i in ds.items:
                if not i.rut and i.effective_deadline:
                    own.setdefault(i.ma_don_vi, []).append((i.ma_dau_viec, i.effective_deadline, i.loai))
            progress_jobs = [
                (s1 / "outbox" / f"TienDo_{YEAR}_{code}.xlsx", items, s1 / "inbox" / f"TienDo_{code}.xlsx", 2026)
                for code, items in own.items()
            ]
            with ProcessPoolExecutor(jobs) as pool:
                list(pool.map(_fill_progress, progress_jobs, chunksize=8))
            first = progress_jobs[0]
            shutil.rmtree(new, ignore_errors=True)
            new.mkdir()
            _fill_progress((first[0], first[1], new / f"TienDo_{Path(first[2]).stem.split('_')[1]}_capnhat.xlsx",
                            2027))
        _clear(s1 / "outbox")
        _save(steps_file, scale, log, measured)

    consolidate_round("consolidate progress", s1, s2)
    done_mark.write_text(f"{scale}\n", encoding="utf-8")
    return root


def _cli_cmd(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "ctcong_xl", *map(str, args)]


def _save(path: Path, scale: Scale, log: dict, measured: dict) -> None:
    """The steps finished so far, their wall seconds, and the rounds consolidated while making the
    workload measured as the benchmark measures (CPU, wall, peak memory)."""
    path.write_text(json.dumps({"scale": scale.name, "seconds": log, "measured": measured}, indent=2) + "\n",
                    encoding="utf-8")


def _clear(folder: Path) -> None:
    for p in folder.iterdir():
        p.unlink()
