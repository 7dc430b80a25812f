"""What the Office sees on paper: the master (after a year's realistic flow) and an agency
template rendered by LibreOffice to PDF (``recalc.convert``), then to pictures (``pdftoppm``).

Charts are vector drawings: ``pdfimages`` cannot see them, but ``pdftotext`` reads their
titles and legends, and the rendered page shows their bars in the status colours, in the
part of the summary page right of the tables. Pages are read as PPM (``pdftoppm -ppm``),
which is a header and raw RGB bytes: no image library needed.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from ctcong_xl import ops
from ctcong_xl.core import layout as L
from ctcong_xl.core import printview as PV
from ctcong_xl.core.paper import MIN_READABLE_PT, column_points
from ctcong_xl.core.forms import FORMS
from ctcong_xl.io import master_build as MB
from ctcong_xl.io.master import read_master
from ctcong_xl.io.recalc import convert

from test_master_libreoffice import AGENCIES, build_realistic_workspace

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed"),
]

AS_OF = dt.date(2026, 9, 30)
PROGRAMME = "Chương trình năm"
# The visible sheets in print order, and a text that marks each of their pages (header rows
# are repeated on every page), tried in this order: the first mark found names the sheet.
PRINT_ORDER = [L.CONTROL_SHEET, L.INSTRUCTIONS_SHEET, L.CONFIG_SHEET, L.REGISTRY_SHEET, PROGRAMME, L.PRINT_SHEET,
               L.MONTHLY_SHEET,
               L.SUMMARY_SHEET, *L.REVIEW_SHEETS, L.VALIDATION_LOG_SHEET, L.IMPORT_LOG_SHEET, L.HISTORY_SHEET, L.SEND_LOG_SHEET]
SHEET_MARKS = [
    (L.CONTROL_SHEET, "Bảng điều khiển — bấm nút"),
    (L.INSTRUCTIONS_SHEET, "HƯỚNG DẪN SỬ DỤNG SỔ"),
    (L.SUMMARY_SHEET, "TỔNG HỢP TÌNH HÌNH THỰC HIỆN"),
    (L.RANKING_SHEET, "Điểm thi đua"),
    (L.BACKLOG_SHEET, "Quá hạn lâu nhất"),
    (L.LEADERS_SHEET, "Nhóm cảnh báo"),
    *((L.SUMMARY_SHEET, mark) for mark in ("Tỷ lệ theo tình trạng", "Tình trạng công việc theo đơn vị",
                                           "Công việc theo tháng đến hạn", "Tháng (theo thời hạn hiệu lực)",
                                           "Tỷ lệ đúng hạn")),  # its other pages: a table or a chart each
    (L.CONFIG_SHEET, "Nhắc việc sắp đến hạn trước"),
    (L.REGISTRY_SHEET, "Email"),
    (L.MONTHLY_SHEET, "Mã việc tháng"),
    (L.HISTORY_SHEET, "Trường thay đổi"),
    (PROGRAMME, "Loại công việc"),
    (L.PRINT_SHEET, "Mã đầu việc"),
    (L.VALIDATION_LOG_SHEET, "Cách sửa"),
    (L.IMPORT_LOG_SHEET, "Người thực hiện"),
    (L.SEND_LOG_SHEET, "Tệp đính kèm"),
]
CHART_TITLES = ["Tỷ lệ theo tình trạng", "Tình trạng công việc theo đơn vị", "Công việc theo tháng đến hạn"]


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_text(pdf: Path, page: int) -> str:
    """The page's text in reading order, white space collapsed."""
    text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", text)


@dataclass
class Picture:
    width: int
    height: int
    rgb: bytes

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        i = 3 * (y * self.width + x)
        return self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]

    def count_near(self, colour: str, *, x_from: float = 0.0, tolerance: int = 40) -> int:
        target = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        return sum(1 for y in range(self.height) for x in range(int(self.width * x_from), self.width)
                   if sum(abs(a - b) for a, b in zip(self.pixel(x, y), target)) <= tolerance)

    def ink(self) -> float:
        """Share of pixels that are not (almost) white."""
        dark = sum(1 for i in range(0, len(self.rgb), 3) if min(self.rgb[i:i + 3]) < 230)
        return dark / (self.width * self.height)


def render_page(pdf: Path, page: int, out: Path, dpi: int = 40) -> Picture:
    """Render one page with pdftoppm as binary PPM (P6) and read it."""
    stem = out / f"page{page}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True)
    data = stem.with_suffix(".ppm").read_bytes()
    fields = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    width, height = int(fields.group(1)), int(fields.group(2))
    return Picture(width, height, data[fields.end():fields.end() + 3 * width * height])


def read_master_items(pdf: Path):
    """The items of the master ``pdf`` was rendered from (it sits in the workspace beside ``pdf/``)."""
    return read_master(next(pdf.parent.parent.glob("ws/*.xlsm"))).items


@pytest.fixture(scope="module")
def master_pdf(tmp_path_factory: pytest.TempPathFactory, libreoffice: str) -> Path:
    root = tmp_path_factory.mktemp("ws")
    flow = build_realistic_workspace(root / "ws")
    ops.summary(flow.ws, as_of=AS_OF)
    return convert(flow.ws.master, root / "pdf", "pdf")


@pytest.fixture(scope="module")
def sheets_by_page(master_pdf: Path) -> list[str]:
    found = []
    for page in range(1, pdf_pages(master_pdf) + 1):
        text = page_text(master_pdf, page)
        found.append(next((sheet for sheet, mark in SHEET_MARKS if mark in text), "?"))
    return found


def test_master_prints_every_visible_sheet_in_order_without_blank_pages(sheets_by_page):
    runs = [s for n, s in enumerate(sheets_by_page) if n == 0 or sheets_by_page[n - 1] != s]
    assert runs == PRINT_ORDER
    assert "?" not in sheets_by_page


def test_master_page_count_is_one_per_sheet_plus_the_programme_print_view_history_and_leader_pages(sheets_by_page):
    programme_pages = sheets_by_page.count(PROGRAMME)
    assert 2 <= programme_pages <= 12  # about 300 items, header repeated on every page
    history_pages = sheets_by_page.count(L.HISTORY_SHEET)  # one row per change of the demo year
    assert history_pages >= 1
    leader_pages = sheets_by_page.count(L.LEADERS_SHEET)  # every item once, under its leader
    assert leader_pages >= 2
    print_pages = sheets_by_page.count(L.PRINT_SHEET)  # the same items on A4, grouped by agency
    assert 2 <= print_pages <= 40
    summary_pages = sheets_by_page.count(L.SUMMARY_SHEET)  # three tables, each with its chart
    assert len(sheets_by_page) == (len(PRINT_ORDER) - 5 + programme_pages + print_pages + summary_pages + history_pages
                                   + leader_pages)


def _summary_pages(sheets_by_page: list[str]) -> list[int]:
    return [n for n, s in enumerate(sheets_by_page, start=1) if s == L.SUMMARY_SHEET]


def test_summary_prints_its_tables_each_followed_by_the_chart_beside_them(master_pdf, sheets_by_page):
    pages = _summary_pages(sheets_by_page)
    assert len(pages) == 6 and pages == list(range(pages[0], pages[0] + 6))
    texts = [page_text(master_pdf, p) for p in pages]
    assert "Đoạn báo cáo" in texts[0] and "đến cuối tháng 9/2026 có" in texts[0]  # status table and paragraph
    assert CHART_TITLES[0] in texts[1]
    assert "Tên đơn vị" in texts[2] and all(a.name in texts[2] for a in AGENCIES)
    assert CHART_TITLES[1] in texts[3]
    for label in ("Lãnh đạo UBND tỉnh phụ trách", "Tháng (theo thời hạn hiệu lực)", MB.OTHER_LEADER_LABEL):
        assert label in texts[4]
    assert CHART_TITLES[2] in texts[5]
    for table_page in (texts[0], texts[2], texts[4]):
        assert not any(title in table_page for title in CHART_TITLES)


def test_summary_chart_pages_show_every_legend_and_agency(master_pdf, sheets_by_page):
    pages = _summary_pages(sheets_by_page)
    for p in pages[1::2]:
        assert page_text(master_pdf, p).count("Hoàn thành đúng hạn") >= 1  # the legend, whole on its page
    bar = page_text(master_pdf, pages[3])
    assert all(a.name in bar for a in AGENCIES) and "Đang thực hiện" in bar


def test_summary_charts_print_in_the_status_colours_and_the_tables_uncoloured(master_pdf, sheets_by_page, tmp_path):
    pages = _summary_pages(sheets_by_page)
    for table, chart in zip(pages[0::2], pages[1::2]):
        t, c = render_page(master_pdf, table, tmp_path), render_page(master_pdf, chart, tmp_path)
        assert c.width > c.height  # A4 landscape
        for status, colour in MB.STATUS_COLORS.items():
            assert t.count_near(colour) < 20, (table, status)
        assert sum(c.count_near(colour) > 150 for colour in MB.STATUS_COLORS.values()) >= 3, chart


def test_agency_template_renders_as_form_and_instructions_pages(tmp_path, libreoffice):
    ops.init_workspace(tmp_path / "ws", 2026, AGENCIES[:3], leaders=["Võ Trọng Hải"])
    ws = ops.open_workspace(tmp_path / "ws")
    template = ops.make_templates(ws, "annual", agency=AGENCIES[0].code)[0]
    pdf = convert(template, tmp_path / "pdf", "pdf")
    assert pdf_pages(pdf) == 2
    form = page_text(pdf, 1)
    assert "ĐĂNG KÝ CHƯƠNG TRÌNH CÔNG TÁC NĂM 2026" in form
    assert "Đơn vị: Sở Tài chính" in form
    for header in FORMS["annual"].headers:  # one page wide: every column on the page
        assert all(word in form for word in header.split()), header
    assert "HƯỚNG DẪN" in page_text(pdf, 2)
    picture = render_page(pdf, 1, tmp_path)
    assert picture.width > picture.height
    assert 0.002 < picture.ink() < 0.2


def test_every_printed_page_of_the_master_is_numbered_trang_x_of_y(master_pdf):
    total = pdf_pages(master_pdf)
    for page in (1, total):
        assert f"Trang {page}/" in page_text(master_pdf, page)


def _print_pages(sheets_by_page: list[str]) -> list[int]:
    return [n for n, s in enumerate(sheets_by_page, start=1) if s == L.PRINT_SHEET]


def test_print_view_prints_on_a4_landscape_pages_about_ten_items_each(master_pdf, sheets_by_page):
    pages = _print_pages(sheets_by_page)
    info = subprocess.run(["pdfinfo", "-f", str(pages[0]), "-l", str(pages[-1]), str(master_pdf)],
                          capture_output=True, text=True, check=True).stdout
    sizes = [tuple(map(float, m)) for m in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info, re.M)]
    assert len(sizes) == len(pages) and all(round(w) == 842 and round(h) == 595 for w, h in sizes)
    items = sum(1 for i in read_master_items(master_pdf) if not i.rut)
    assert items / 25 <= len(pages) <= items / 5  # neither shrunk to dust nor one item per page
    assert "CHƯƠNG TRÌNH CÔNG TÁC NĂM 2026 CỦA ỦY BAN NHÂN DÂN TỈNH" in page_text(master_pdf, pages[0])
    assert all("Nội dung công việc" in page_text(master_pdf, p) for p in pages)  # the header on every page


def test_print_view_text_is_at_least_9_points_on_the_rendered_page(master_pdf, sheets_by_page):
    """The scale LibreOffice printed at, measured between the left edges of two columns."""
    page = _print_pages(sheets_by_page)[1]
    boxes = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(master_pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    words = [(float(x), float(y), w) for x, y, w in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', boxes)]
    codes = [(x, y) for x, y, w in words if re.match(r"\d{4}-[A-Z]", w)]
    x_code = min(x for x, _ in codes)
    x_content = min(x for x, y, _ in words if x > x_code + 5 and any(abs(y - cy) < 1 for _, cy in codes))
    code_column = next(c for c in PV.PRINT_COLUMNS if c.key == "ma_dau_viec")
    scale = (x_content - x_code) / column_points(code_column.width)
    assert PV.FONT_SIZE * scale >= MIN_READABLE_PT
    assert abs(PV.FONT_SIZE * scale - PV.print_font_size()) < 0.3  # the computed size is the printed size
