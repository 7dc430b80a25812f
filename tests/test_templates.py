"""Templates sent to the agencies (SPEC §5): headers, dropdowns, protection, print setup, metadata."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet

from ctcong_xl import ops
from ctcong_xl.core.dataset import Dataset
from ctcong_xl.core.forms import FIXED_LISTS, FORM_VERSION, FORMS
from ctcong_xl.core.models import Agency, ProgrammeConfig
from ctcong_xl.io.incoming import read_submission
from ctcong_xl.io.templates import (
    EXAMPLE_PREFIX,
    HEADER_ROW,
    INPUT_ROWS,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    META_SHEET,
    TemplateMeta,
    column_help,
    template_filename,
    write_template,
)

AGENCIES = [
    Agency(code="STC", name="Sở Tài chính", email="stc@hatinh.gov.vn"),
    Agency(code="SKHDT", name="Sở Kế hoạch và Đầu tư"),
    Agency(code="SNNPTNT", name="Sở Nông nghiệp và Phát triển nông thôn"),
    Agency(code="SVHTTDL", name="Sở Văn hóa, Thể thao và Du lịch"),
    Agency(code="UBND-HK", name="UBND huyện Hương Khê", kind="UBND cấp huyện"),
]
LEADERS = [
    "Chủ tịch UBND tỉnh Võ Trọng Hải",
    "Phó Chủ tịch Thường trực Nguyễn Hồng Lĩnh",
    "Phó Chủ tịch Trần Báu Hà",
]
PROGRESS_ROWS = [
    {"ma_dau_viec": "2026-STC-001", "noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026–2030",
     "thoi_han": dt.date(2026, 6, 30)},
    {"ma_dau_viec": "2026-STC-002-T03", "noi_dung": "Báo cáo tình hình thu, chi ngân sách tháng 3",
     "thoi_han": dt.date(2026, 3, 31)},
    {"ma_dau_viec": "2026-STC-007", "noi_dung": "Tờ trình quy định giá đất năm 2027",
     "thoi_han": dt.date(2026, 12, 15)},
]
MONTHLY_ROWS = [
    {"noi_dung": "Báo cáo tình hình thu, chi ngân sách 6 tháng đầu năm", "thoi_gian": dt.date(2026, 6, 30),
     "ma_dau_viec": "2026-STC-003"},
]


def build(directory: Path, kind: str, **kw) -> tuple[Path, TemplateMeta]:
    month = kw.pop("month", 6 if kind == "monthly" else None)
    rows = kw.pop("rows", {"progress": PROGRESS_ROWS, "monthly": MONTHLY_ROWS}.get(kind))
    path = directory / template_filename(kind, AGENCIES[0], 2026, month)
    meta = write_template(path, kind, year=2026, agency=AGENCIES[0], agencies=kw.pop("agencies", AGENCIES),
                          leaders=LEADERS, month=month, rows=rows, program_number="27/CTr-UBND", **kw)
    return path, meta


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, TemplateMeta]]:
    d = tmp_path_factory.mktemp("templates")
    return {kind: build(d, kind) for kind in FORMS}


@pytest.fixture(scope="module")
def books(templates) -> dict[str, openpyxl.Workbook]:
    return {kind: openpyxl.load_workbook(path) for kind, (path, _) in templates.items()}


def form_sheet(books, kind: str) -> Worksheet:
    return books[kind][FORMS[kind].sheet]


def validations_of(ws: Worksheet, column_letter: str) -> list:
    """The validations of one column of the table (below the header row)."""
    return [dv for dv in ws.data_validations.dataValidation
            if any(r.min_col == r.max_col == openpyxl.utils.column_index_from_string(column_letter)
                   and r.min_row > HEADER_ROW for r in dv.sqref.ranges)]


def letter_of(kind: str, key: str) -> str:
    keys = [c.key for c in FORMS[kind].columns]
    return openpyxl.utils.get_column_letter(keys.index(key) + 1)


def defined_list(wb: openpyxl.Workbook, name: str) -> list[str]:
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return [c.value for (c,) in wb[sheet][ref.replace("$", "")]]


# ---- headers and title ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(FORMS))
def test_form_sheet_has_one_header_row_with_the_exact_texts(books, kind):
    ws = form_sheet(books, kind)
    row = [c.value for c in ws[HEADER_ROW]][: len(FORMS[kind].columns)]
    assert row == FORMS[kind].headers
    assert not any(FORMS[kind].headers[0] == c.value for r in ws.iter_rows(max_row=HEADER_ROW - 1) for c in r)


@pytest.mark.parametrize("kind", list(FORMS))
def test_form_sheet_is_the_first_and_active_sheet(books, kind):
    assert books[kind].active.title == FORMS[kind].sheet
    assert books[kind].sheetnames[:2] == [FORMS[kind].sheet, INSTRUCTIONS_SHEET]


def test_title_rows_name_the_form_the_agency_and_the_deadline(books):
    ws = form_sheet(books, "annual")
    assert ws["A1"].value == "ĐĂNG KÝ CHƯƠNG TRÌNH CÔNG TÁC NĂM 2026"
    assert "Sở Tài chính" in ws["A2"].value
    assert "15/11/2025" in ws["A3"].value


def test_registration_deadline_follows_the_programme_configuration():
    config = ProgrammeConfig(year=2026, annual_deadline=dt.date(2025, 12, 20), monthly_deadline_day=25)
    assert config.registration_deadline("annual") == dt.date(2025, 12, 20)
    assert config.registration_deadline("monthly", 1) == dt.date(2025, 12, 25)
    assert config.registration_deadline("monthly", 3) == dt.date(2026, 2, 25)
    assert config.registration_deadline("progress") is None


def test_templates_of_a_workspace_show_the_configured_deadline(tmp_path):
    config = ProgrammeConfig(year=2026, annual_deadline=dt.date(2025, 12, 20))
    ds = Dataset(config=config, agencies=AGENCIES)
    [path] = ops.make_templates_from(ops.Workspace(tmp_path), ds, "annual", agency="STC")
    ws = openpyxl.load_workbook(path)[FORMS["annual"].sheet]
    assert "20/12/2025" in ws["A3"].value


def test_monthly_title_names_the_month_and_the_programme_number(books):
    ws = form_sheet(books, "monthly")
    assert ws["A1"].value == "ĐĂNG KÝ CHƯƠNG TRÌNH CÔNG TÁC THÁNG 6/2026"
    assert "27/CTr-UBND" in ws["A2"].value
    assert "20/05/2026" in ws["A3"].value


# ---- rows -------------------------------------------------------------------------------------------
def test_annual_template_has_a_locked_example_row_then_empty_input_rows(books):
    ws = form_sheet(books, "annual")
    example = ws.cell(HEADER_ROW + 1, 2)
    assert example.value.startswith(EXAMPLE_PREFIX)
    assert example.protection.locked and example.font.i
    first_input = ws.cell(HEADER_ROW + 2, 2)
    assert first_input.value is None and not first_input.protection.locked
    last_input = ws.cell(HEADER_ROW + 1 + INPUT_ROWS, 2)
    assert not last_input.protection.locked


def test_progress_template_has_exactly_the_prefilled_rows(books):
    ws = form_sheet(books, "progress")
    assert ws.max_row == HEADER_ROW + len(PROGRESS_ROWS)
    got = [(r[0].value, r[1].value, r[2].value.date()) for r in ws.iter_rows(min_row=HEADER_ROW + 1)]
    assert got == [(r["ma_dau_viec"], r["noi_dung"], r["thoi_han"]) for r in PROGRESS_ROWS]
    assert ws.cell(HEADER_ROW + 1, 3).number_format == "dd/mm/yyyy"


def test_progress_prefilled_columns_locked_and_the_others_unlocked(books):
    ws = form_sheet(books, "progress")
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        for col, cell in zip(FORMS["progress"].columns, row):
            assert cell.protection.locked == col.locked, (cell.coordinate, col.key)


def test_monthly_prefilled_rows_are_numbered_and_editable(books):
    ws = form_sheet(books, "monthly")
    row = HEADER_ROW + 2  # after the example row
    assert ws.cell(row, 1).value == 1
    assert ws[f"{letter_of('monthly', 'ma_dau_viec')}{row}"].value == "2026-STC-003"
    assert not ws.cell(row, 2).protection.locked


def test_a_row_key_the_form_does_not_have_is_refused(tmp_path):
    with pytest.raises(KeyError):
        build(tmp_path, "progress", rows=[{"ma_dau_viec": "2026-STC-001", "tinh_trang": "x"}])


# ---- dropdowns, help, formats -------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(FORMS))
def test_every_fixed_list_column_has_a_dropdown_with_every_choice(books, kind):
    wb, ws = books[kind], form_sheet(books, kind)
    for col in FORMS[kind].columns:
        if col.choices in FIXED_LISTS:
            (dv,) = validations_of(ws, letter_of(kind, col.key))
            assert dv.type == "list" and dv.errorStyle in (None, "stop")
            assert defined_list(wb, dv.formula1) == list(FIXED_LISTS[col.choices])


def test_agency_and_leader_dropdowns_come_from_the_registry_and_warn_only(books):
    wb, ws = books["annual"], form_sheet(books, "annual")
    (agency_dv,) = validations_of(ws, letter_of("annual", "don_vi_chu_tri"))
    (leader_dv,) = validations_of(ws, letter_of("annual", "lanh_dao"))
    assert defined_list(wb, agency_dv.formula1) == [a.name for a in AGENCIES]
    assert defined_list(wb, leader_dv.formula1) == LEADERS
    assert agency_dv.errorStyle == leader_dv.errorStyle == "warning"


def test_dropdown_lists_and_metadata_live_on_very_hidden_protected_sheets(books):
    for name in (LISTS_SHEET, META_SHEET):
        assert books["annual"][name].sheet_state == "veryHidden"
        assert books["annual"][name].protection.sheet


def test_a_registry_longer_than_255_characters_still_gets_a_dropdown(tmp_path):
    many = [Agency(code=f"UBNDX{i:02d}", name=f"UBND xã Cẩm Xuyên số {i:02d} thuộc huyện Cẩm Xuyên")
            for i in range(60)]
    path, _ = build(tmp_path, "annual", agencies=many)
    wb = openpyxl.load_workbook(path)
    (dv,) = validations_of(wb[FORMS["annual"].sheet], letter_of("annual", "don_vi_chu_tri"))
    assert len(defined_list(wb, dv.formula1)) == 60


@pytest.mark.parametrize("kind", list(FORMS))
def test_input_help_of_each_column_is_shown_on_its_cells(books, kind):
    ws = form_sheet(books, kind)
    for col in FORMS[kind].columns:
        if col.help and not col.locked:
            prompts = [dv.prompt for dv in validations_of(ws, letter_of(kind, col.key))]
            assert prompts == [column_help(col)] and col.help in prompts[0]


def test_date_columns_validate_dates_but_let_text_through_with_a_warning(books):
    ws = form_sheet(books, "progress")
    letter = letter_of("progress", "ngay_hoan_thanh")
    (dv,) = validations_of(ws, letter)
    assert dv.type == "date" and dv.errorStyle == "warning"
    assert ws[f"{letter}{HEADER_ROW + 1}"].number_format == "dd/mm/yyyy"


def test_period_columns_have_no_date_validation_and_keep_text_as_typed(books):
    ws = form_sheet(books, "annual")
    letter = letter_of("annual", "thoi_han")
    assert [dv.type for dv in validations_of(ws, letter)] == [None]  # help only ("any")
    assert ws[f"{letter}{HEADER_ROW + 2}"].number_format == "@"


def test_input_rows_cover_the_template_input_area(books):
    ws = form_sheet(books, "annual")
    (dv,) = validations_of(ws, letter_of("annual", "loai"))
    (rng,) = dv.sqref.ranges
    assert (rng.min_row, rng.max_row) == (HEADER_ROW + 2, HEADER_ROW + 1 + INPUT_ROWS)


# ---- protection, print, fonts --------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(FORMS))
def test_form_sheet_is_protected_without_password_and_header_locked(books, kind):
    ws = form_sheet(books, kind)
    assert ws.protection.sheet and not ws.protection.password
    assert all(c.protection.locked for c in ws[HEADER_ROW])
    assert ws.protection.formatColumns is False  # clerks may widen columns


@pytest.mark.parametrize("kind", list(FORMS))
def test_print_setup_is_a4_landscape_one_page_wide_with_repeated_header(books, kind):
    ws = form_sheet(books, kind)
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth or 1) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"


@pytest.mark.parametrize("kind", list(FORMS))
def test_every_cell_is_set_in_times_new_roman(books, kind):
    wb = books[kind]
    assert wb._named_styles["Normal"].font.name == "Times New Roman"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.font.name == "Times New Roman", (ws.title, cell.coordinate)
                assert cell.font.sz in (12, 13), (ws.title, cell.coordinate)


# ---- instructions ------------------------------------------------------------------------------------
def test_instructions_explain_columns_periods_deadline_and_sending_back(books):
    ws = books["annual"][INSTRUCTIONS_SHEET]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for header in FORMS["annual"].headers:
        assert header in text
    for needle in ("Quý II/2026", "6 tháng đầu năm", "15/11/2025", ".xlsx", "Không đổi tên", "thư điện tử"):
        assert needle in text


# ---- metadata ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", list(FORMS))
def test_metadata_sheet_is_hidden_and_matches_the_returned_meta(books, templates, kind):
    wb, meta = books[kind], templates[kind][1]
    ws = wb[META_SHEET]
    assert ws.sheet_state in ("hidden", "veryHidden")
    stored = {k: v for k, v in ws.iter_rows(values_only=True)}
    assert TemplateMeta.from_mapping(stored) == meta
    assert meta.kind == kind and meta.version == FORM_VERSION and meta.agency_code == "STC"


@pytest.mark.parametrize("kind", list(FORMS))
def test_custom_properties_carry_the_same_metadata(books, templates, kind):
    props = {p.name: p.value for p in books[kind].custom_doc_props.props}
    stored = {name.removeprefix("ctcong_"): value for name, value in props.items()}
    assert TemplateMeta.from_mapping(stored) == templates[kind][1]


def test_monthly_meta_records_the_month(templates):
    assert templates["monthly"][1].month == 6 and templates["annual"][1].month is None


def test_template_id_is_stable_for_the_same_template_and_differs_between_agencies(tmp_path):
    _, first = build(tmp_path / "a", "annual")
    _, again = build(tmp_path / "b", "annual")
    other = write_template(tmp_path / "c.xlsx", "annual", year=2026, agency=AGENCIES[1],
                           agencies=AGENCIES, leaders=LEADERS)
    assert first.template_id == again.template_id != other.template_id


# ---- file names -------------------------------------------------------------------------------------
def test_template_filename_examples():
    assert template_filename("annual", AGENCIES[0], 2026) == "DangKyNam_2026_STC.xlsx"
    assert template_filename("monthly", AGENCIES[0], 2026, 6) == "DangKyThang_2026-06_STC.xlsx"
    assert template_filename("progress", Agency(code="UBND-HĐ", name="UBND huyện Đức Thọ"), 2026) \
        == "TienDo_2026_UBND-HD.xlsx"


@given(code=st.text(min_size=1, max_size=20))
def test_template_filename_is_always_plain_ascii(code):
    name = template_filename("annual", Agency(code=code, name="Đơn vị"), 2026)
    assert name.isascii() and name.endswith(".xlsx")
    assert not set(name) & set('/\\:*?"<>| ')


# ---- LibreOffice -------------------------------------------------------------------------------------
@pytest.mark.libreoffice
def test_libreoffice_save_keeps_the_metadata_and_the_protection(libreoffice, templates, tmp_path):
    from ctcong_xl.io.recalc import convert

    path, meta = templates["annual"]
    saved = convert(path, tmp_path, "xlsx")
    submission, findings = read_submission(saved)
    assert findings == [] and submission.meta == meta
    with zipfile.ZipFile(saved) as zf:
        assert "ctcong_template_id" in zf.read("docProps/custom.xml").decode()
    wb = openpyxl.load_workbook(saved)
    ws = wb[FORMS["annual"].sheet]
    assert ws.protection.sheet and wb[META_SHEET].sheet_state == "hidden"
    assert any(dv.type == "list" for dv in ws.data_validations.dataValidation)


@pytest.mark.libreoffice
def test_annual_template_renders_one_a4_landscape_page_with_title_and_headers(libreoffice, templates, tmp_path):
    from ctcong_xl.io.recalc import convert

    pdf = convert(templates["annual"][0], tmp_path,
                  'pdf:calc_pdf_Export:{"PageRange":{"type":"string","value":"1"}}')
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.3" in info  # A4 landscape, points
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "ĐĂNG KÝ CHƯƠNG TRÌNH CÔNG TÁC NĂM 2026" in text
        assert "Nội dung công việc" in text and "Định kỳ" in text
