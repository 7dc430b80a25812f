"""The master workbook's formulas, recalculated by a real spreadsheet engine (LibreOffice
headless), show exactly what the Python core computes — on a realistic year.

The master is made the way the Office makes it: ``ops.init_workspace``, annual templates
filled in by 20 agencies, ``ops.consolidate``, a re-registration that drops items, progress
templates filled in, a second consolidation, and the clerk's own typing in the office columns
(approved new deadlines, withdrawals, notes). Then for several as-of dates
``ops.summary(as_of=...)`` records the date, LibreOffice recalculates a copy, and every
``Tình trạng`` cell, every count of the summary sheet, the units count and the report paragraph
are compared with :func:`ctcong_xl.core.summary.summarize`: zero differences.

The four recalculations run two at a time (private LibreOffice profiles), once per module.
``build_realistic_workspace`` is reused by the rendering and preservation tests.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from ctcong_xl import ops
from ctcong_xl.core import layout as L
from ctcong_xl.core.forms import FORMS, PROGRAMME_SHEET, programme_letter
from ctcong_xl.core.models import Agency
from ctcong_xl.core.plan import WritePlan
from ctcong_xl.core.status import Status
from ctcong_xl.core.summary import Summary, item_status, summarize
from ctcong_xl.io import master_build as MB
from ctcong_xl.io.master import read_master
from ctcong_xl.io.recalc import recalculate
from ctcong_xl.io.templates import HEADER_ROW
from ctcong_xl.io.xlsxpatch import apply_plan

YEAR = 2026
AGENCIES = [
    Agency(code="STC", name="Sở Tài chính", email="stc@hatinh.gov.vn"),
    Agency(code="SKHDT", name="Sở Kế hoạch và Đầu tư"),
    Agency(code="SNV", name="Sở Nội vụ"),
    Agency(code="STP", name="Sở Tư pháp"),
    Agency(code="SCT", name="Sở Công Thương"),
    Agency(code="SNNPTNT", name="Sở Nông nghiệp và Phát triển nông thôn"),
    Agency(code="STNMT", name="Sở Tài nguyên và Môi trường"),
    Agency(code="SXD", name="Sở Xây dựng"),
    Agency(code="SGTVT", name="Sở Giao thông vận tải"),
    Agency(code="SGDDT", name="Sở Giáo dục và Đào tạo"),
    Agency(code="SYT", name="Sở Y tế"),
    Agency(code="SLDTBXH", name="Sở Lao động - Thương binh và Xã hội"),
    Agency(code="SVHTTDL", name="Sở Văn hóa, Thể thao và Du lịch"),
    Agency(code="STTTT", name="Sở Thông tin và Truyền thông"),
    Agency(code="SKHCN", name="Sở Khoa học và Công nghệ"),
    Agency(code="TTT", name="Thanh tra tỉnh"),
    Agency(code="BQLKKT", name="Ban Quản lý Khu kinh tế tỉnh"),
    Agency(code="UBNDTPHT", name="UBND thành phố Hà Tĩnh", kind="UBND cấp huyện"),
    Agency(code="UBNDHKA", name="UBND huyện Kỳ Anh", kind="UBND cấp huyện"),
    Agency(code="UBNDHCX", name="UBND huyện Cẩm Xuyên", kind="UBND cấp huyện"),
]
LEADERS = ["Võ Trọng Hải", "Nguyễn Hồng Lĩnh", "Lê Ngọc Châu", "Trần Báu Hà"]
UNLISTED_LEADER = "Đồng chí Phó Chủ tịch phụ trách khối"
AS_OF_DATES = [dt.date(2026, 3, 31), dt.date(2026, 6, 15), dt.date(2026, 9, 30), dt.date(2026, 12, 31)]
SUBJECTS = [
    ("Đề án", "Đề án phát triển {x} giai đoạn 2026–2030"),
    ("Dự thảo văn bản quy phạm pháp luật", "Dự thảo Quyết định quy định {x} trên địa bàn tỉnh"),
    ("Báo cáo", "Báo cáo đánh giá tình hình {x}"),
    ("Kế hoạch", "Kế hoạch thực hiện {x} năm 2026"),
    ("Tờ trình", "Tờ trình về việc phê duyệt {x}"),
    ("Chương trình", "Chương trình hành động về {x}"),
]
TOPICS = ["kinh tế tập thể", "chuyển đổi số", "cải cách hành chính", "giá đất", "du lịch cộng đồng",
          "nông thôn mới", "hạ tầng giao thông", "y tế cơ sở", "giáo dục nghề nghiệp", "khu kinh tế Vũng Áng",
          "quản lý chất thải rắn", "an toàn thực phẩm", "phòng chống thiên tai", "đầu tư công"]
pytestmark = pytest.mark.libreoffice

DEADLINE_FORMS = ["date_text", "date", "quarter", "month", "half", "year"]


# ------------------------------------------------------------------ the realistic flow


@dataclass
class Flow:
    ws: ops.Workspace
    first_run: ops.RunReport
    second_run: ops.RunReport
    office_edits: dict[tuple[str, str], object]  # (item code, column key) -> what the clerk typed


def _deadline_text(rng: random.Random) -> object:
    form = rng.choice(DEADLINE_FORMS)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    if form == "date_text":
        return f"{day:02d}/{month:02d}/{YEAR}"
    if form == "date":
        return dt.datetime(YEAR, month, day)
    if form == "quarter":
        return f"Quý {rng.choice(['I', 'II', 'III', 'IV'])}/{YEAR}"
    if form == "month":
        return f"Tháng {month}"
    if form == "half":
        return rng.choice(["6 tháng đầu năm", "6 tháng cuối năm"])
    return f"Năm {YEAR}"


def registration_rows(agency: Agency, rng: random.Random, count: int) -> list[dict[str, object]]:
    """What an agency types into its annual template: header text -> value."""
    rows = []
    for n in range(count):
        kind, pattern = SUBJECTS[n % len(SUBJECTS)]
        topic = TOPICS[(n + len(agency.code)) % len(TOPICS)]
        leader = rng.choice([*LEADERS, *LEADERS, "", UNLISTED_LEADER])
        rows.append({"Nội dung công việc": pattern.format(x=topic) + f" ({agency.name}, việc {n + 1})",
                     "Loại công việc": kind, "Cấp trình": "UBND tỉnh",
                     "Lãnh đạo UBND tỉnh phụ trách": leader, "Thời hạn hoàn thành": _deadline_text(rng)})
    recurring = rng.choice(["Hằng quý", "6 tháng", "Hằng tháng"]) if agency.code in ("STC", "SKHDT", "SNV") else "Hằng quý"
    rows.append({"Nội dung công việc": f"Báo cáo định kỳ tình hình thực hiện nhiệm vụ của {agency.name}",
                 "Loại công việc": "Báo cáo", "Lãnh đạo UBND tỉnh phụ trách": LEADERS[0],
                 "Thời hạn hoàn thành": "", "Định kỳ": recurring})
    return rows


def fill_template(path: Path, sheet: str, rows: list[dict[str, object]], out: Path, *,
                  by_code: bool = False) -> None:
    """Type rows into a template as an agency would (openpyxl stands in for Excel). Annual:
    below the example row. Progress (``by_code``): on the pre-filled row of each item code."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    heads = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
    if by_code:
        code_col = heads["Mã đầu việc"]
        row_of = {ws.cell(r, code_col).value: r for r in range(HEADER_ROW + 1, ws.max_row + 1)}
        for row in rows:
            r = row_of[row["Mã đầu việc"]]
            for head, value in row.items():
                if head != "Mã đầu việc":
                    ws.cell(r, heads[head], value)
    else:
        for r, row in enumerate(rows, start=HEADER_ROW + 2):
            for head, value in row.items():
                ws.cell(r, heads[head], value)
    wb.save(out)


def progress_rows(ws: ops.Workspace, rng: random.Random) -> dict[str, list[dict[str, object]]]:
    """Per agency: completion dates before, on, after the deadline, after every as-of date,
    or none; some proposals of a new deadline."""
    out: dict[str, list[dict[str, object]]] = {}
    for item in read_master(ws.master).items:
        if item.rut or item.effective_deadline is None:
            continue
        e = item.effective_deadline
        choice = rng.random()
        row: dict[str, object] = {"Mã đầu việc": item.ma_dau_viec}
        if choice < 0.30:
            row["Ngày hoàn thành"] = dt.datetime.combine(e - dt.timedelta(days=rng.randint(0, 20)), dt.time())
            row["Văn bản kết quả"] = f"Tờ trình số {rng.randint(1, 300)}/TTr-{item.ma_don_vi}"
        elif choice < 0.50:
            row["Ngày hoàn thành"] = dt.datetime.combine(e + dt.timedelta(days=rng.randint(1, 45)), dt.time())
        elif choice < 0.55:
            row["Ngày hoàn thành"] = dt.datetime(YEAR, 12, 31) + dt.timedelta(days=rng.randint(1, 20))
        elif choice < 0.70:
            row["Đề xuất thời hạn mới"] = dt.datetime.combine(e + dt.timedelta(days=30), dt.time())
            row["Lý do điều chỉnh"] = "Chờ ý kiến góp ý của các bộ, ngành Trung ương"
            row["Tình hình thực hiện"] = "Đang hoàn thiện dự thảo"
        else:
            row["Tình hình thực hiện"] = "Đang triển khai"
        out.setdefault(item.ma_don_vi, []).append(row)
    return out


def type_in_master(path: Path, edits: dict[tuple[str, str], object]) -> None:
    """The clerk types into office-owned cells of the programme sheet (a package-level edit:
    the rest of the workbook is untouched, as when Excel saves one changed sheet)."""
    ds = read_master(path)
    plan = WritePlan()
    for (code, key), value in edits.items():
        plan.add(PROGRAMME_SHEET, ds.programme_index.rows[code], ds.programme_index.columns[key], [[value]])
    path.write_bytes(apply_plan(path.read_bytes(), plan))


def build_realistic_workspace(root: Path, *, seed: int = 2026, items_per_agency: tuple[int, int] = (8, 14),
                              agencies: list[Agency] | None = None) -> Flow:
    rng = random.Random(seed)
    agencies = agencies or AGENCIES
    ops.init_workspace(root, YEAR, agencies, program_number="27/CTr-UBND", leaders=LEADERS)
    ws = ops.open_workspace(root)
    inbox = ws.folder("inbox")
    registered = {a.code: registration_rows(a, rng, rng.randint(*items_per_agency)) for a in agencies}
    for path in ops.make_templates(ws, "annual"):
        code = path.stem.rsplit("_", 1)[-1]
        fill_template(path, FORMS["annual"].sheet, registered[code], inbox / f"DangKy_{code}.xlsx")
    first = ops.consolidate(ws, today=dt.date(YEAR - 1, 11, 20))
    _clear(inbox)
    # two agencies send a corrected registration without two of their items: withdrawn
    for code in (agencies[1].code, agencies[4].code):
        path = next(p for p in ops.make_templates(ws, "annual", agency=code))
        fill_template(path, FORMS["annual"].sheet, registered[code][2:], inbox / f"DangKy_{code}_bosung.xlsx")
    ops.consolidate(ws, today=dt.date(YEAR, 1, 10))
    _clear(inbox)
    done = progress_rows(ws, rng)
    for path in ops.make_templates(ws, "progress"):
        code = path.stem.rsplit("_", 1)[-1]
        if done.get(code):
            fill_template(path, FORMS["progress"].sheet, done[code], inbox / f"TienDo_{code}.xlsx", by_code=True)
    second = ops.consolidate(ws, today=dt.date(YEAR + 1, 1, 25))
    _clear(inbox)
    edits: dict[tuple[str, str], object] = {}
    items = read_master(ws.master).items
    for item in items:
        if item.de_xuat_thoi_han and rng.random() < 0.8:
            edits[(item.ma_dau_viec, "thoi_han_dieu_chinh")] = item.de_xuat_thoi_han
            edits[(item.ma_dau_viec, "ghi_chu_vp")] = "Đồng ý lùi thời hạn theo Công văn số 4321/UBND-TH"
    for item in rng.sample([i for i in items if not i.rut], 6):
        edits[(item.ma_dau_viec, "rut")] = "x"
        edits[(item.ma_dau_viec, "ghi_chu_vp")] = "Rút theo Thông báo số 88/TB-UBND"
    type_in_master(ws.master, edits)
    return Flow(ws, first, second, edits)


def _clear(folder: Path) -> None:
    for p in folder.iterdir():
        p.unlink()


# ------------------------------------------------------------------ reading the recalculated copy


@dataclass
class AsOfRun:
    as_of: dt.date
    python: Summary
    expected_status: dict[int, str]  # programme row -> status text (Python)
    recalculated: Path
    leaders: list[str]


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Flow:
    return build_realistic_workspace(tmp_path_factory.mktemp("ws"))


@pytest.fixture(scope="module")
def runs(flow: Flow, libreoffice: str) -> list[AsOfRun]:
    root = flow.ws.root
    copies: list[tuple[dt.date, Summary, Path]] = []
    for as_of in AS_OF_DATES:
        python = ops.summary(flow.ws, as_of=as_of)
        copy = root.parent / f"master-{as_of:%Y%m%d}.xlsm"
        shutil.copyfile(flow.ws.master, copy)
        copies.append((as_of, python, copy))
    out = root.parent / "recalculated"
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda c: recalculate(c[2], out), copies))
    print(f"\nLibreOffice: {len(copies)} recalculations in {time.perf_counter() - started:.1f} s (2 at a time)")
    result = []
    for (as_of, python, copy), recalculated in zip(copies, done, strict=True):
        ds = read_master(copy)
        expected = {ds.programme_index.rows[i.ma_dau_viec]: item_status(i, as_of).text for i in ds.items}
        result.append(AsOfRun(as_of, python, expected, recalculated, ds.config.leaders))
    return result


def _summary_tables(sheet) -> dict[str, int]:
    """1-based header rows of the three count tables, found by their labels in column A."""
    labels = {"Mã đơn vị": "agency", "Lãnh đạo UBND tỉnh phụ trách": "leader", "Tháng (theo thời hạn hiệu lực)": "month"}
    found = {}
    for r in range(1, sheet.max_row + 1):
        v = sheet.cell(r, 1).value
        if v in labels:
            found[labels[v]] = r
    return found


def _counts(sheet, row: int) -> dict[str, int]:
    return {s.value: sheet.cell(row, 3 + j).value for j, s in enumerate(MB.SUMMARY_STATUS_ORDER)}


def _python_counts(entry: dict) -> dict[str, int]:
    return {s.value: entry[s.value] for s in MB.SUMMARY_STATUS_ORDER}


@pytest.fixture(scope="module")
def books(runs: list[AsOfRun]) -> list[tuple[AsOfRun, openpyxl.Workbook]]:
    return [(run, openpyxl.load_workbook(run.recalculated, data_only=True)) for run in runs]


# ------------------------------------------------------------------ the tests


def test_the_realistic_year_went_through_the_real_flow(flow):
    for run in (flow.first_run, flow.second_run):
        assert len(run.files) == len(AGENCIES) and all(c.result.accepted for c in run.files)
        assert not run.has_errors
    items = read_master(flow.ws.master).items
    assert len(items) >= 250
    assert sum(1 for i in items if i.thoi_han_dieu_chinh) >= 10  # approved new deadlines
    clerk_withdrawn = {code for (code, key), v in flow.office_edits.items() if key == "rut"}
    assert {i.ma_dau_viec for i in items if i.rut} > clerk_withdrawn  # and re-registration withdrawals
    assert any(i.ngay_hoan_thanh and i.ngay_hoan_thanh > AS_OF_DATES[-1] for i in items)


def test_every_status_occurs_at_every_as_of_date(runs):
    for run in runs:
        assert set(run.expected_status.values()) == {s.text for s in Status}, run.as_of
        assert run.python.agencies == len(AGENCIES)


def test_every_status_cell_computed_by_libreoffice_equals_python(books):
    letter = programme_letter("tinh_trang")
    differences = []
    for run, wb in books:
        sheet = wb[PROGRAMME_SHEET]
        assert sheet[f"{letter}1"].value == "Tình trạng"
        for row, expected in run.expected_status.items():
            got = sheet[f"{letter}{row}"].value
            if got != expected:
                differences.append((run.as_of, row, expected, got))
    assert differences == []


def test_status_totals_and_units_count_equal_python(books):
    differences = []
    for run, wb in books:
        sheet = wb[L.SUMMARY_SHEET]
        for i, s in enumerate(MB.SUMMARY_STATUS_ORDER):
            got = sheet.cell(MB.SUMMARY_STATUS_FIRST_ROW + i, 3).value
            if got != run.python.by_status[s.value]:
                differences.append((run.as_of, s.value, run.python.by_status[s.value], got))
        for cell, expected in ((MB.SUMMARY_TOTAL_CELL, run.python.total), (MB.SUMMARY_UNITS_CELL, run.python.agencies)):
            if sheet[cell].value != expected:
                differences.append((run.as_of, cell, expected, sheet[cell].value))
        rate = run.python.on_time_rate or 0
        if abs(sheet[MB.SUMMARY_ON_TIME_CELL].value - rate) > 1e-9:
            differences.append((run.as_of, "on time", rate, sheet[MB.SUMMARY_ON_TIME_CELL].value))
    assert differences == []


def test_counts_per_agency_equal_python(books):
    differences = []
    for run, wb in books:
        sheet = wb[L.SUMMARY_SHEET]
        first = _summary_tables(sheet)["agency"] + 1
        python = {a["code"]: a for a in run.python.by_agency}
        for r in range(first, first + len(AGENCIES)):
            code = sheet.cell(r, 1).value
            got = {**_counts(sheet, r), "total": sheet.cell(r, 8).value}
            want = {**_python_counts(python[code]), "total": python[code]["total"]}
            if got != want:
                differences.append((run.as_of, code, want, got))
    assert differences == []


def test_registration_punctuality_per_agency_equals_python(books):
    differences = []
    for run, wb in books:
        sheet = wb[L.SUMMARY_SHEET]
        first = _summary_tables(sheet)["agency"] + 1
        python = {a["code"]: a["registration"] for a in run.python.by_agency}
        for r in range(first, first + len(AGENCIES)):
            code, got = sheet.cell(r, 1).value, sheet.cell(r, 10).value
            if got != python[code]:
                differences.append((run.as_of, code, python[code], got))
    assert differences == []
    assert {a["registration"] for a in books[0][0].python.by_agency} - {"Đúng hạn"}  # not all on time


def test_counts_per_leader_equal_python_with_other_names_on_one_row(books):
    differences = []
    for run, wb in books:
        sheet = wb[L.SUMMARY_SHEET]
        first = _summary_tables(sheet)["leader"] + 1
        python = {e["leader"]: e for e in run.python.by_leader}
        other = {s.value: sum(e[s.value] for name, e in python.items() if name not in run.leaders)
                 for s in MB.SUMMARY_STATUS_ORDER}
        expected = {name: _python_counts(python.get(name, {s.value: 0 for s in Status})) for name in run.leaders}
        got = {sheet.cell(r, 1).value: _counts(sheet, r) for r in range(first, first + len(run.leaders))}
        got_other = _counts(sheet, first + len(run.leaders))
        assert sheet.cell(first + len(run.leaders), 1).value == MB.OTHER_LEADER_LABEL
        if got != expected or got_other != other:
            differences.append((run.as_of, expected, got, other, got_other))
        assert other[Status.DANG_THUC_HIEN.value] + other[Status.CHUA_HOAN_THANH.value] > 0  # the row is exercised
    assert differences == []


def test_counts_per_month_of_deadline_equal_python(books):
    differences = []
    for run, wb in books:
        sheet = wb[L.SUMMARY_SHEET]
        first = _summary_tables(sheet)["month"] + 1
        for entry in run.python.by_month:
            r = first + entry["month"] - 1
            got = {**_counts(sheet, r), "total": sheet.cell(r, 8).value}
            want = {**_python_counts(entry), "total": entry["total"]}
            if got != want:
                differences.append((run.as_of, entry["month"], want, got))
    assert differences == []


def test_report_paragraph_formula_reads_exactly_like_python(books):
    for run, wb in books:
        assert wb[L.SUMMARY_SHEET][MB.SUMMARY_NARRATIVE_CELL].value == run.python.narrative


def test_summary_service_and_core_summarize_agree_on_the_master(runs):
    for run in runs:
        again = summarize(read_master(run.recalculated.parent.parent / f"master-{run.as_of:%Y%m%d}.xlsm"), run.as_of)
        assert again.to_json() == run.python.to_json()


BIG = 25_000  # more items than any cap a range could have had (the old summary stopped at row 20,001)


def test_twenty_five_thousand_items_recalculate_to_the_summary_json(tmp_path):
    """No silent cap: the summary's formulas count whole columns, so with 25,000 live items the
    recalculated workbook and ``summary`` agree on every count, per status and per agency."""
    from ctcong_xl.core.writeplan import plan_programme
    from ctcong_xl.core.models import WorkItem

    ops.init_workspace(tmp_path / "big", YEAR, AGENCIES, leaders=LEADERS)
    master = ops.open_workspace(tmp_path / "big").master
    ds = read_master(master)
    rng = random.Random(7)
    for n in range(BIG):
        a = AGENCIES[n % len(AGENCIES)]
        e = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        c = e + dt.timedelta(days=rng.randint(-30, 30)) if rng.random() < 0.5 else None
        ds.items.append(WorkItem(ma_dau_viec=f"{YEAR}-{a.code}-{n:05d}", noi_dung=f"Công việc số {n}", ma_don_vi=a.code,
                                 lanh_dao=LEADERS[n % 4], thoi_han=e, ngay_hoan_thanh=c))
    as_of = dt.date(YEAR, 6, 30)
    plan = WritePlan()
    plan_programme(plan, ds, as_of)
    master.write_bytes(apply_plan(master.read_bytes(), plan))
    python = ops.summary(ops.open_workspace(tmp_path / "big"), as_of=as_of)
    started = time.perf_counter()
    out = recalculate(master, tmp_path / "out")
    print(f"\nLibreOffice recalculation of {BIG} items: {time.perf_counter() - started:.1f} s")
    sheet = openpyxl.load_workbook(out, data_only=True, read_only=True)[L.SUMMARY_SHEET]
    rows = list(sheet.iter_rows(min_row=1, max_row=MB.SUMMARY_AGENCY_HEADER_ROW + len(AGENCIES), values_only=True))
    by_status = {s.value: rows[MB.SUMMARY_STATUS_FIRST_ROW - 1 + i][2] for i, s in enumerate(MB.SUMMARY_STATUS_ORDER)}
    assert by_status == python.by_status
    assert rows[int(MB.SUMMARY_TOTAL_CELL[1:]) - 1][2] == python.total == BIG
    per_agency = {r[0]: r[7] for r in rows[MB.SUMMARY_AGENCY_HEADER_ROW:]}
    assert per_agency == {a["code"]: a["total"] for a in python.by_agency}
