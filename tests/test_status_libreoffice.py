"""The Excel status formula, recalculated by a real spreadsheet engine (LibreOffice headless),
gives exactly what the Python rule gives — and the recalculation door itself works.

One LibreOffice run covers all status cases: a programme sheet of a few hundred items, with
one `Tình trạng` column per as-of date (three as-of cells reached through defined names, one
through a plain cross-sheet reference). XlsxWriter stores 0 as every formula's cached result,
so a workbook that was not really recalculated fails loudly.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import openpyxl
import pyopenvba
import pytest
import xlsxwriter

from ctcong_xl.core.status import Status, classify, status_formula
from ctcong_xl.io.recalc import RecalcError, convert, recalculate

DAY = timedelta(days=1)
CONFIG_SHEET = "Cấu hình"
PROGRAMME_SHEET = "Chương trình năm"
FIRST_ROW = 2  # Excel row of the first item (row 1 is the header)

# (how the formula reaches the as-of cell, its cell on the config sheet, the as-of date)
AS_OF_CELLS = [
    ("NgayBaoCao", "B2", date(2026, 3, 31)),
    ("NgayBaoCao_6T", "B3", date(2026, 6, 30)),
    ("NgayBaoCao_9T", "B4", date(2026, 9, 30)),
    (f"'{CONFIG_SHEET}'!$B$5", "B5", date(2026, 12, 15)),
]
AS_OF_DATES = [d for _, _, d in AS_OF_CELLS]

CONTENTS = [
    "Đề án phát triển kinh tế tập thể giai đoạn 2026–2030",
    "Báo cáo tình hình kinh tế - xã hội quý I năm 2026",
    "Dự thảo Quyết định quy định bảng giá đất trên địa bàn tỉnh",
    "Kế hoạch cải cách hành chính năm 2026",
    "Tờ trình về việc thành lập Ban Chỉ đạo chuyển đổi số",
    "Chương trình xúc tiến đầu tư năm 2026",
]
AGENCIES = ["STC", "SKHĐT", "SNNPTNT", "STNMT", "SNV", "UBND-TPHT"]
WITHDRAWN_MARKS = ["x", "X", "Rút theo Công văn số 1234/UBND-TH"]


@dataclass(frozen=True)
class Case:
    """One programme row. ``deadline_formula`` / ``completed_formula`` replace the date by a
    formula whose result means "no date" (as an effective-deadline formula over blank cells)."""

    code: str
    content: str
    deadline: date | None
    completed: date | None
    withdrawn_mark: str = ""
    deadline_formula: str | None = None
    completed_formula: str | None = None

    def expected(self, as_of: date) -> str:
        if not self.content:
            return ""
        return classify(self.deadline, self.completed, as_of, withdrawn=bool(self.withdrawn_mark)).text


def _boundary_cases() -> list[tuple[date | None, date | None, str]]:
    """Every boundary of SPEC §2 around each as-of date D: E in {blank, D-30, D-1, D, D+1},
    C in {blank, E-1, E, E+1, D-1, D, D+1}, withdrawn or not."""
    found: list[tuple[date | None, date | None, str]] = []
    for d in AS_OF_DATES:
        for e in (None, d - 30 * DAY, d - DAY, d, d + DAY):
            around_e = [] if e is None else [e - DAY, e, e + DAY]
            for c in [None, *around_e, d - DAY, d, d + DAY]:
                for mark in ("", "x"):
                    if (e, c, mark) not in found:
                        found.append((e, c, mark))
    return found


def _random_cases(rng: random.Random, n: int) -> list[tuple[date | None, date | None, str]]:
    start = date(2025, 12, 1)

    def some_date() -> date | None:
        return None if rng.random() < 0.2 else start + rng.randrange(420) * DAY

    return [
        (some_date(), some_date(), rng.choice(WITHDRAWN_MARKS) if rng.random() < 0.1 else "")
        for _ in range(n)
    ]


def build_cases() -> list[Case]:
    rng = random.Random(20260630)
    dated = _boundary_cases() + _random_cases(rng, 150)
    cases: list[Case] = []
    for i, (e, c, mark) in enumerate(dated, start=1):
        agency = AGENCIES[i % len(AGENCIES)]
        content = "" if i % 23 == 0 else CONTENTS[i % len(CONTENTS)]  # empty template rows
        cases.append(Case(f"2026-{agency}-{i:03d}", content, e, c, mark))
    # Date cells holding a formula whose result is "" or 0 count as blank.
    for j, (d_formula, c_formula, c) in enumerate(
        [
            ('=""', None, date(2026, 4, 10)),
            ("=0", None, date(2026, 4, 10)),
            ("=Z1", None, None),  # a reference to a blank cell yields 0
            ('=""', None, None),
            (None, '=""', None),
            (None, "=Z1", None),
        ],
        start=1,
    ):
        e = None if d_formula else date(2026, 5, 15)
        cases.append(Case(f"2026-SNV-9{j:02d}", CONTENTS[0], e, c, "", d_formula, c_formula))
    return cases


CASES = build_cases()


def write_status_workbook(path: Path, cases: list[Case]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    date_format = wb.add_format({"num_format": "dd/mm/yyyy", "font_name": "Times New Roman"})
    config = wb.add_worksheet(CONFIG_SHEET)
    sheet = wb.add_worksheet(PROGRAMME_SHEET)

    config.write("A1", "Ngày báo cáo")
    for reference, cell, as_of in AS_OF_CELLS:
        config.write_datetime(cell, as_of, date_format)
        if not reference.startswith("'"):
            wb.define_name(reference, f"='{CONFIG_SHEET}'!${cell[0]}${cell[1:]}")

    headers = ["Mã đầu việc", "Nội dung công việc", "Thời hạn hiệu lực", "Ngày hoàn thành", "Rút khỏi chương trình"]
    headers += [f"Tình trạng {as_of:%d/%m/%Y}" for as_of in AS_OF_DATES]
    sheet.write_row(0, 0, headers)
    for offset, case in enumerate(cases):
        row = FIRST_ROW + offset  # Excel row number
        r = row - 1  # XlsxWriter's 0-based row
        sheet.write_string(r, 0, case.code)
        if case.content:
            sheet.write_string(r, 1, case.content)
        _write_date(sheet, r, 2, case.deadline, case.deadline_formula, date_format)
        _write_date(sheet, r, 3, case.completed, case.completed_formula, date_format)
        if case.withdrawn_mark:
            sheet.write_string(r, 4, case.withdrawn_mark)
        for k, (reference, _, _) in enumerate(AS_OF_CELLS):
            formula = status_formula(
                deadline=f"C{row}", completed=f"D{row}", as_of=reference, withdrawn=f"E{row}", content=f"B{row}"
            )
            sheet.write_formula(r, 5 + k, formula)  # cached result: 0
    wb.close()


def _write_date(sheet, r: int, col: int, value: date | None, formula: str | None, fmt) -> None:
    if formula is not None:
        sheet.write_formula(r, col, formula)
    elif value is not None:
        sheet.write_datetime(r, col, value, fmt)


@pytest.fixture(scope="module")
def recalculated_statuses(libreoffice, tmp_path_factory) -> list[list[object]]:
    """The `Tình trạng` cells after one LibreOffice recalculation: one list per case."""
    folder = tmp_path_factory.mktemp("status")
    source = folder / "Chương trình công tác năm 2026.xlsx"
    write_status_workbook(source, CASES)
    result = recalculate(source, folder / "recalculated")
    sheet = openpyxl.load_workbook(result, data_only=True)[PROGRAMME_SHEET]
    last_col = 5 + len(AS_OF_CELLS)
    rows = sheet.iter_rows(min_row=FIRST_ROW, max_row=FIRST_ROW + len(CASES) - 1, min_col=6, max_col=last_col, values_only=True)
    return [list(row) for row in rows]


def test_the_cases_cover_every_status_at_every_as_of_date():
    for as_of in AS_OF_DATES:
        seen = {case.expected(as_of) for case in CASES if case.content}
        assert seen == {s.text for s in Status}


@pytest.mark.libreoffice
def test_recalculated_formula_equals_classify_on_every_case(recalculated_statuses):
    differences = [
        (case.code, case.deadline, case.completed, case.withdrawn_mark, as_of, got, case.expected(as_of))
        for case, row in zip(CASES, recalculated_statuses, strict=True)
        if case.content
        for as_of, got in zip(AS_OF_DATES, row, strict=True)
        if got != case.expected(as_of)
    ]
    assert differences == []


@pytest.mark.libreoffice
def test_recalculated_formula_is_empty_on_rows_without_content(recalculated_statuses):
    blank_rows = [row for case, row in zip(CASES, recalculated_statuses, strict=True) if not case.content]
    assert len(blank_rows) >= 10
    assert {value or "" for row in blank_rows for value in row} == {""}
    assert all(value != 0 for row in blank_rows for value in row)  # really recalculated


# --- the recalculation door ---------------------------------------------------------------------

STALE = Status.DANG_THUC_HIEN.text


def _stale_status_workbook(path: Path, *, vba_project: bytes | None = None) -> None:
    """One item completed on time, whose stored (stale) status says "Đang thực hiện"."""
    wb = xlsxwriter.Workbook(str(path))
    if vba_project is not None:
        wb.add_vba_project(BytesIO(vba_project), is_stream=True)
    date_format = wb.add_format({"num_format": "dd/mm/yyyy"})
    sheet = wb.add_worksheet("Chương trình năm")
    sheet.write_row(0, 0, ["Mã đầu việc", "Nội dung công việc", "Thời hạn hiệu lực", "Ngày hoàn thành", "Rút", "Tình trạng"])
    sheet.write_row(1, 0, ["2026-STC-001", "Báo cáo quyết toán ngân sách tỉnh năm 2025"])
    sheet.write_datetime(1, 2, date(2026, 6, 30), date_format)
    sheet.write_datetime(1, 3, date(2026, 6, 12), date_format)
    sheet.write_datetime(1, 7, date(2026, 7, 1), date_format)
    formula = status_formula(deadline="C2", completed="D2", as_of="$H$2", withdrawn="E2", content="B2")
    sheet.write_formula(1, 5, formula, None, STALE)
    sheet.set_column(0, 5, 24)
    wb.close()


def _blank_vba_project() -> bytes:
    template = Path(pyopenvba.__file__).parent / "_templates" / "blank_files" / "blank_workbook.xlsm"
    with zipfile.ZipFile(template) as archive:
        return archive.read("xl/vbaProject.bin")


@pytest.mark.libreoffice
def test_recalculate_replaces_stale_results_of_a_macro_workbook(tmp_path):
    source = tmp_path / "Tổng hợp.xlsm"
    _stale_status_workbook(source, vba_project=_blank_vba_project())

    result = recalculate(source, tmp_path / "out")

    assert result == tmp_path / "out" / "Tổng hợp.xlsx"
    assert openpyxl.load_workbook(result, data_only=True)["Chương trình năm"]["F2"].value == "Hoàn thành đúng hạn"


@pytest.mark.libreoffice
def test_convert_renders_recalculated_statuses_to_pdf(tmp_path):
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    source = tmp_path / "bao_cao.xlsx"
    _stale_status_workbook(source)

    pdf = convert(source, tmp_path, "pdf")

    assert pdf == tmp_path / "bao_cao.pdf"
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert "Hoàn thành đúng hạn" in text
    assert STALE not in text


@pytest.mark.libreoffice
def test_recalculate_raises_recalc_error_on_timeout(tmp_path):
    source = tmp_path / "cham.xlsx"
    _stale_status_workbook(source)

    with pytest.raises(RecalcError, match="trong 0.2 giây"):
        recalculate(source, tmp_path / "out", timeout=0.2)
    assert not (tmp_path / "out" / "cham.xlsx").exists()


def test_recalculate_raises_recalc_error_for_a_file_that_is_not_a_workbook(tmp_path):
    source = tmp_path / "hong.xlsx"
    source.write_bytes("Đây không phải bảng tính".encode())

    with pytest.raises(RecalcError, match="không phải là bảng tính Excel"):
        recalculate(source, tmp_path / "out")


def test_recalculate_raises_recalc_error_without_libreoffice(tmp_path, monkeypatch):
    source = tmp_path / "mau.xlsx"
    _stale_status_workbook(source)
    monkeypatch.setenv("CTCONG_SOFFICE", str(tmp_path / "khong-co" / "soffice"))

    with pytest.raises(RecalcError, match="Không tìm thấy LibreOffice"):
        recalculate(source, tmp_path / "out")


def test_recalculate_refuses_to_overwrite_its_input(tmp_path):
    source = tmp_path / "mau.xlsx"
    _stale_status_workbook(source)

    with pytest.raises(ValueError):
        recalculate(source, tmp_path)
