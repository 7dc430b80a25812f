"""Reading files returned by the agencies: form recognition, header mapping, raw rows, bad files."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctcong_xl.core.forms import FORMS
from ctcong_xl.core.models import Agency
from ctcong_xl.io.incoming import _header_key, read_submission, sha256_file
from ctcong_xl.io.templates import HEADER_ROW, META_SHEET, write_template

STC = Agency(code="STC", name="Sở Tài chính")
AGENCIES = [STC, Agency(code="SKHDT", name="Sở Kế hoạch và Đầu tư"),
            Agency(code="SXD", name="Sở Xây dựng")]
LEADERS = ["Chủ tịch UBND tỉnh Võ Trọng Hải", "Phó Chủ tịch Trần Báu Hà"]
FIRST_INPUT = HEADER_ROW + 2  # header, then the example row
ANNUAL = FORMS["annual"]


def col(key: str, kind: str = "annual") -> int:
    return [c.key for c in FORMS[kind].columns].index(key) + 1


@pytest.fixture(scope="module")
def blank_annual(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "DangKyNam_2026_STC.xlsx"
    write_template(path, "annual", year=2026, agency=STC, agencies=AGENCIES, leaders=LEADERS)
    return path


@pytest.fixture(scope="module")
def blank_progress(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "TienDo_2026_STC.xlsx"
    rows = [
        {"ma_dau_viec": "2026-STC-001", "noi_dung": "Đề án cơ cấu lại ngân sách địa phương",
         "thoi_han": dt.date(2026, 6, 30)},
        {"ma_dau_viec": "2026-STC-002", "noi_dung": "Báo cáo thu, chi ngân sách quý I",
         "thoi_han": dt.date(2026, 4, 15)},
    ]
    write_template(path, "progress", year=2026, agency=STC, agencies=AGENCIES, leaders=LEADERS, rows=rows)
    return path


def fill(template: Path, out: Path, rows: dict[int, dict[str, object]], *, edit=None) -> Path:
    """Fill a template as a clerk would in Excel: row number -> {column key: value}."""
    wb = openpyxl.load_workbook(template)
    ws = wb[FORMS[_kind(wb)].sheet]
    kind = _kind(wb)
    for r, values in rows.items():
        for key, value in values.items():
            ws.cell(r, col(key, kind), value)
    if edit:
        edit(wb, ws)
    wb.save(out)
    return out


def _kind(wb: openpyxl.Workbook) -> str:
    return dict(wb[META_SHEET].iter_rows(values_only=True))["kind"]


TYPED = {
    FIRST_INPUT: {"stt": 1, "noi_dung": "Đề án phát triển kinh tế ban đêm tỉnh Hà Tĩnh",
                  "loai": "Đề án", "cap_trinh": "UBND tỉnh", "thoi_han": dt.datetime(2026, 9, 30)},
    FIRST_INPUT + 1: {"stt": 2, "noi_dung": "Báo cáo kết quả thực hiện Nghị quyết 05",
                      "thoi_han": "15/11/2026", "dinh_ky": "Hằng quý"},
    FIRST_INPUT + 4: {"stt": 3, "noi_dung": "Kế hoạch cải cách hành chính năm 2027",
                      "thoi_gian_trien_khai": "Tháng 6", "thoi_han": "Quý II/2026",
                      "don_vi_chu_tri": "Sở TC"},
}


@pytest.fixture(scope="module")
def filled_annual(blank_annual, tmp_path_factory) -> Path:
    return fill(blank_annual, tmp_path_factory.mktemp("in") / "so tai chinh gui lai.xlsx", TYPED)


# ---- a good file -----------------------------------------------------------------------------------
def test_filled_template_is_recognised_by_its_metadata_whatever_the_name(filled_annual):
    sub, findings = read_submission(filled_annual)
    assert findings == []
    assert (sub.kind, sub.meta.agency_code, sub.meta.year) == ("annual", "STC", 2026)
    assert (sub.sheet, sub.header_row) == (ANNUAL.sheet, HEADER_ROW)


def test_rows_keep_values_as_stored_real_dates_text_dates_and_period_words(filled_annual):
    sub, _ = read_submission(filled_annual)
    by_row = {r.row: r.values for r in sub.rows}
    assert by_row[FIRST_INPUT]["thoi_han"] == dt.date(2026, 9, 30)
    assert by_row[FIRST_INPUT + 1]["thoi_han"] == "15/11/2026"
    assert by_row[FIRST_INPUT + 4]["thoi_han"] == "Quý II/2026"
    assert by_row[FIRST_INPUT + 4]["thoi_gian_trien_khai"] == "Tháng 6"
    assert by_row[FIRST_INPUT + 4]["don_vi_chu_tri"] == "Sở TC"
    assert by_row[FIRST_INPUT]["ghi_chu"] is None


def test_blank_rows_and_the_example_row_are_skipped(filled_annual):
    sub, _ = read_submission(filled_annual)
    assert [r.row for r in sub.rows] == [FIRST_INPUT, FIRST_INPUT + 1, FIRST_INPUT + 4]


def test_each_value_knows_its_cell(filled_annual):
    sub, _ = read_submission(filled_annual)
    last = sub.rows[-1]
    assert last.cells["thoi_han"] == f"J{FIRST_INPUT + 4}"
    assert last.cells["noi_dung"] == f"B{FIRST_INPUT + 4}"


def test_sha256_is_the_hash_of_the_file_bytes(filled_annual):
    sub, _ = read_submission(filled_annual)
    assert sub.sha256 == sha256_file(filled_annual) == hashlib.sha256(filled_annual.read_bytes()).hexdigest()


def test_progress_report_rows_carry_the_prefilled_codes(blank_progress, tmp_path):
    path = fill(blank_progress, tmp_path / "tiendo.xlsx", {
        HEADER_ROW + 1: {"ngay_hoan_thanh": dt.datetime(2026, 6, 20),
                         "van_ban_ket_qua": "Tờ trình số 112/TTr-STC"},
        HEADER_ROW + 2: {"de_xuat_thoi_han": "30/06/2026", "ly_do": "Chờ số liệu quyết toán"},
    })
    sub, findings = read_submission(path)
    assert findings == [] and sub.kind == "progress"
    assert [(r.values["ma_dau_viec"], r.values["ngay_hoan_thanh"]) for r in sub.rows] == [
        ("2026-STC-001", dt.date(2026, 6, 20)), ("2026-STC-002", None)]
    assert sub.rows[1].values["thoi_han"] == dt.date(2026, 4, 15)


def test_an_unfilled_progress_template_still_lists_its_prefilled_rows(blank_progress):
    sub, _ = read_submission(blank_progress)
    assert [r.values["ma_dau_viec"] for r in sub.rows] == ["2026-STC-001", "2026-STC-002"]


# ---- what agencies do to the layout -------------------------------------------------------------------
def test_moved_columns_are_mapped_by_their_header(blank_annual, tmp_path):
    def swap_deadline_columns(wb, ws):
        a, b = col("thoi_gian_trien_khai"), col("thoi_han")
        for r in range(HEADER_ROW, FIRST_INPUT + 1):
            ws.cell(r, a).value, ws.cell(r, b).value = ws.cell(r, b).value, ws.cell(r, a).value

    path = fill(blank_annual, tmp_path / "moved.xlsx",
                {FIRST_INPUT: {"noi_dung": "Đề án chuyển đổi số", "thoi_gian_trien_khai": "Tháng 3/2026",
                               "thoi_han": "Quý IV/2026"}},
                edit=swap_deadline_columns)  # the clerk moved "Thời hạn hoàn thành" (with its data) left
    sub, findings = read_submission(path)
    assert findings == []
    (row,) = sub.rows
    assert row.values["thoi_han"] == "Quý IV/2026" and row.cells["thoi_han"] == f"I{FIRST_INPUT}"
    assert row.values["thoi_gian_trien_khai"] == "Tháng 3/2026" and row.cells["thoi_gian_trien_khai"] == f"J{FIRST_INPUT}"


def test_an_added_column_is_reported_and_does_not_disturb_the_others(blank_annual, tmp_path):
    def add_column(wb, ws):
        ws.cell(HEADER_ROW, 13, "Ghi chú của đơn vị")
        ws.cell(FIRST_INPUT, 13, "Phòng Ngân sách theo dõi")

    path = fill(blank_annual, tmp_path / "extra.xlsx",
                {FIRST_INPUT: {"noi_dung": "Đề án A", "thoi_han": "30/06/2026"}}, edit=add_column)
    sub, findings = read_submission(path)
    assert findings == [] and sub.extra_headers == ["Ghi chú của đơn vị"]
    assert sub.rows[0].values["thoi_han"] == "30/06/2026"


def test_header_texts_are_matched_whatever_their_case_spacing_or_unicode_form(blank_annual, tmp_path):
    def retype_headers(wb, ws):
        ws.cell(HEADER_ROW, col("thoi_han")).value = unicodedata.normalize("NFD", "THỜI HẠN\nhoàn  thành")
        ws.cell(HEADER_ROW, col("noi_dung")).value = " Nội dung công việc (*)"

    path = fill(blank_annual, tmp_path / "retyped.xlsx",
                {FIRST_INPUT: {"noi_dung": "Đề án B", "thoi_han": "Năm 2026"}}, edit=retype_headers)
    sub, findings = read_submission(path)
    assert findings == [] and sub.rows[0].values["thoi_han"] == "Năm 2026"


def test_header_row_is_found_when_the_title_rows_were_deleted(blank_annual, tmp_path):
    path = fill(blank_annual, tmp_path / "notitle.xlsx",
                {FIRST_INPUT: {"noi_dung": "Đề án C", "thoi_han": "Quý III"}},
                edit=lambda wb, ws: ws.delete_rows(1, HEADER_ROW - 1))
    sub, findings = read_submission(path)
    assert findings == [] and sub.header_row == 1
    assert [r.row for r in sub.rows] == [3]


def test_rows_added_far_below_the_input_area_are_read(blank_annual, tmp_path):
    path = fill(blank_annual, tmp_path / "long.xlsx",
                {400: {"noi_dung": "Báo cáo tổng kết năm", "thoi_han": "15/12/2026"}})
    sub, _ = read_submission(path)
    assert [r.row for r in sub.rows] == [400]


def test_formula_cells_are_reported_with_their_text(blank_annual, tmp_path):
    path = fill(blank_annual, tmp_path / "formula.xlsx",
                {FIRST_INPUT: {"noi_dung": "Đề án D", "thoi_han": "=DATE(2026,6,30)"}})
    sub, _ = read_submission(path)
    assert sub.formulas == {f"J{FIRST_INPUT}": "=DATE(2026,6,30)"}
    assert [r.row for r in sub.rows] == [FIRST_INPUT]


def test_a_file_without_formulas_reports_none(filled_annual):
    assert read_submission(filled_annual)[0].formulas == {}


def test_metadata_is_read_from_the_properties_when_the_sheet_was_deleted(blank_annual, tmp_path):
    path = fill(blank_annual, tmp_path / "nometa.xlsx", {FIRST_INPUT: {"noi_dung": "Đề án E", "thoi_han": "Quý I"}},
                edit=lambda wb, ws: wb.remove(wb[META_SHEET]))
    sub, findings = read_submission(path)
    assert findings == [] and sub.meta.agency_code == "STC" and sub.kind == "annual"


# ---- bad files ---------------------------------------------------------------------------------------------
def codes(path: Path) -> list[str]:
    return [f.code for f in read_submission(path)[1]]


def test_text_renamed_to_xlsx_is_not_excel(tmp_path):
    path = tmp_path / "DangKyNam_2026_STC.xlsx"
    path.write_text("STT;Nội dung công việc\n1;Đề án\n", encoding="utf-8")
    sub, findings = read_submission(path)
    assert sub is None and [f.code for f in findings] == ["file_not_excel"]
    assert findings[0].file == "DangKyNam_2026_STC.xlsx"


def test_csv_is_an_old_format(tmp_path):
    path = tmp_path / "dangky.csv"
    path.write_text("STT,Nội dung công việc,Thời hạn hoàn thành\n1,Đề án,30/06/2026\n", encoding="utf-8")
    (f,) = read_submission(path)[1]
    assert f.code == "file_old_format" and "CSV" in f.message


def test_ods_is_an_old_format(tmp_path):
    path = tmp_path / "dangky.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        zf.writestr("content.xml", "<office:document-content/>")
    (f,) = read_submission(path)[1]
    assert f.code == "file_old_format" and ".ods" in f.message


def test_a_word_document_is_not_excel(tmp_path):
    path = tmp_path / "congvan.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    assert codes(path) == ["file_not_excel"]


def test_truncated_file_is_damaged(filled_annual, tmp_path):
    path = tmp_path / "cut.xlsx"
    data = filled_annual.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert codes(path) == ["file_damaged"]


def test_empty_file_is_damaged(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert codes(path) == ["file_damaged"]


def test_corrupted_member_is_damaged(filled_annual, tmp_path):
    data = bytearray(filled_annual.read_bytes())
    with zipfile.ZipFile(filled_annual) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 10, start + 60):
        data[i] ^= 0xFF
    path = tmp_path / "crc.xlsx"
    path.write_bytes(bytes(data))
    assert codes(path) == ["file_damaged"]


def test_password_protected_file_is_encrypted(filled_annual, tmp_path):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(filled_annual, "rb") as fh:
        OOXMLFile(fh).encrypt("MatKhau@2026", out)
    path = tmp_path / "matkhau.xlsx"
    path.write_bytes(out.getvalue())
    assert msoffcrypto and codes(path) == ["file_encrypted"]


@pytest.mark.libreoffice
def test_xls_saved_by_an_old_excel_is_an_old_format(libreoffice, filled_annual, tmp_path):
    from ctcong_xl.io.recalc import convert

    xls = convert(filled_annual, tmp_path, "xls")
    (f,) = read_submission(xls)[1]
    assert f.code == "file_old_format" and ".xls" in f.message


def test_workbook_without_metadata_is_not_a_template_but_its_rows_are_read(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(ANNUAL.headers)
    ws.append([1, "Đề án tự lập", None, None, None, None, None, None, None, "Quý IV/2026"])
    path = tmp_path / "tu_lap.xlsx"
    wb.save(path)
    sub, findings = read_submission(path)
    assert [f.code for f in findings] == ["not_template"]
    assert sub.meta is None and sub.kind == "annual" and sub.rows[0].values["thoi_han"] == "Quý IV/2026"


def test_workbook_without_metadata_or_form_gives_only_not_template(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Họ và tên", "Chức vụ"])
    path = tmp_path / "danhsach.xlsx"
    wb.save(path)
    sub, findings = read_submission(path)
    assert sub is None and [f.code for f in findings] == ["not_template"]


def test_unknown_form_version_is_reported(blank_annual, tmp_path):
    def bump(wb, ws):
        meta = wb[META_SHEET]
        for row in meta.iter_rows():
            if row[0].value == "version":
                row[1].value = "9"
        del wb.custom_doc_props["ctcong_version"]

    path = fill(blank_annual, tmp_path / "v9.xlsx", {}, edit=bump)
    sub, findings = read_submission(path)
    assert sub is None and [f.code for f in findings] == ["form_version_unknown"]
    assert "9" in findings[0].message


def test_renamed_sheet_is_reported_and_its_rows_still_read(blank_annual, tmp_path):
    def rename(wb, ws):
        ws.title = "Sheet1"

    path = fill(blank_annual, tmp_path / "renamed.xlsx",
                {FIRST_INPUT: {"noi_dung": "Đề án F", "thoi_han": "Quý II"}}, edit=rename)
    sub, findings = read_submission(path)
    assert [f.code for f in findings] == ["sheet_missing"]
    assert ANNUAL.sheet in findings[0].message and findings[0].file == "renamed.xlsx"
    assert sub.sheet == "Sheet1" and len(sub.rows) == 1


def test_missing_required_header_is_reported_at_the_header_row(blank_annual, tmp_path):
    def rename_header(wb, ws):
        ws.cell(HEADER_ROW, col("thoi_han")).value = "Hạn"

    path = fill(blank_annual, tmp_path / "nohan.xlsx", {FIRST_INPUT: {"noi_dung": "Đề án G", "thoi_han": "Quý II"}},
                edit=rename_header)
    sub, findings = read_submission(path)
    (f,) = findings
    assert (f.code, f.sheet, f.cell) == ("header_missing", ANNUAL.sheet, f"A{HEADER_ROW}")
    assert "Thời hạn hoàn thành" in f.message
    assert sub.extra_headers == ["Hạn"]


@pytest.mark.libreoffice
def test_template_filled_and_saved_in_libreoffice_reads_back(libreoffice, filled_annual, tmp_path):
    from ctcong_xl.io.recalc import convert

    saved = convert(filled_annual, tmp_path, "xlsx")
    original, _ = read_submission(filled_annual)
    sub, findings = read_submission(saved)
    assert findings == [] and sub.meta == original.meta
    assert [(r.row, r.values) for r in sub.rows] == [(r.row, r.values) for r in original.rows]


# ---- properties ---------------------------------------------------------------------------------------
_spacing = st.sampled_from([" ", "  ", "\n", "\t", " \n "])


@given(header=st.sampled_from(sorted({c.header for f in FORMS.values() for c in f.columns})),
       sep=_spacing, upper=st.booleans(), nfd=st.booleans(), pad=_spacing)
def test_header_key_ignores_case_spacing_and_unicode_form(header, sep, upper, nfd, pad):
    typed = pad + sep.join(header.split(" ")) + pad
    typed = typed.upper() if upper else typed
    typed = unicodedata.normalize("NFD", typed) if nfd else typed
    assert _header_key(typed) == _header_key(header)


def test_deleted_header_row_reports_each_required_column(blank_annual, tmp_path):
    path = fill(blank_annual, tmp_path / "noheader.xlsx", {FIRST_INPUT: {"noi_dung": "Đề án H", "thoi_han": "Quý II"}},
                edit=lambda wb, ws: ws.delete_rows(HEADER_ROW, 1))
    sub, findings = read_submission(path)
    assert sub is None
    assert sorted(f.code for f in findings) == ["header_missing", "header_missing"]
    assert {f.sheet for f in findings} == {ANNUAL.sheet}
