"""Built-in demo data: the default agency registry, agencies files, the demo year of work,
demo progress, and the agency clerk who fills templates (ctcong_xl.demo_data, ctcong_xl.io.agencies)."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctcong_xl.core import periods
from ctcong_xl.core.forms import CAP_TRINH, DINH_KY, FORMS, LOAI_CONG_VIEC
from ctcong_xl.core.models import Agency
from ctcong_xl.core.status import Status, classify
from ctcong_xl.core.text import AgencyMatcher
from ctcong_xl.core.validate import Context, validate_rows
from ctcong_xl.demo_data import (
    ANNUAL_KEYS,
    DEFAULT_LEADERS,
    PROGRESS_KEYS,
    demo_progress,
    demo_registrations,
    fill_template,
)
from ctcong_xl.io.agencies import AgenciesFileError, load_default_agencies, read_agencies_file
from ctcong_xl.io.incoming import read_submission
from ctcong_xl.io.templates import DATE_FORMAT, HEADER_ROW, META_SHEET, write_template

YEAR = 2026
DATA_DIR = Path(__file__).resolve().parents[1] / "ctcong_xl" / "data"
AGENCIES = load_default_agencies()
BY_CODE = {a.code: a for a in AGENCIES}
REGISTRATIONS = demo_registrations(AGENCIES, YEAR)
MID_YEAR = dt.date(YEAR, 6, 30)


def parse(value: Any) -> dt.date | None:
    parsed, problem = periods.parse_deadline(value, YEAR, allow_outside_year=True)
    assert problem is None, (value, problem)
    return parsed.deadline if parsed else None


def recurrence_of(row: dict) -> periods.Recurrence | None:
    if row["dinh_ky"]:
        rec, problem = periods.parse_recurrence(row["dinh_ky"])
        assert problem is None
        return rec
    parsed, _ = periods.parse_deadline(row["thoi_han"], YEAR)
    return parsed.recurrence if parsed else None


def instances(registrations: dict[str, list[dict]]) -> list[tuple[str, dt.date, str]]:
    """(item code, deadline, loai) of every instance, as the consolidation would number them."""
    out = []
    for code, rows in registrations.items():
        for n, row in enumerate(rows, start=1):
            base = f"{YEAR}-{code}-{n:03d}"
            rec = recurrence_of(row)
            if rec:
                out += [(f"{base}-{i.suffix}", i.deadline, row["loai"]) for i in periods.expand(rec, YEAR)]
            else:
                out.append((base, parse(row["thoi_han"]), row["loai"]))
    return out


# ---- the default registry ----------------------------------------------------------------------------
def test_default_registry_has_23_agencies_with_unique_codes_and_nfc_names() -> None:
    assert len(AGENCIES) == 23
    assert len({a.code for a in AGENCIES}) == 23
    for a in AGENCIES:
        assert a.name == unicodedata.normalize("NFC", a.name) and a.name.strip() == a.name


def test_default_registry_file_is_utf8_with_bom_and_the_exact_headers() -> None:
    raw = (DATA_DIR / "agencies_default.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader([raw.decode("utf-8-sig").splitlines()[0]]))
    assert header == ["Mã đơn vị", "Tên đơn vị", "Loại", "Email"]


def test_default_registry_has_no_district_level_and_fictional_emails() -> None:
    kinds = collections.Counter(a.kind for a in AGENCIES)
    assert set(kinds) == {"sở, ban, ngành", "UBND cấp xã", "khác"}
    assert kinds["sở, ban, ngành"] >= 13 and kinds["UBND cấp xã"] >= 3
    assert all(a.email == f"{a.code.lower()}@tinhmau.gov.vn" for a in AGENCIES)


def test_default_registry_holds_the_merged_departments_of_2025() -> None:
    assert BY_CODE["SNNMT"].name == "Sở Nông nghiệp và Môi trường"
    assert BY_CODE["SDTTG"].name == "Sở Dân tộc và Tôn giáo"
    assert not any("Kế hoạch và Đầu tư" in a.name or "huyện" in a.name for a in AGENCIES)


def test_every_default_agency_is_recognised_by_its_name_and_code() -> None:
    matcher = AgencyMatcher(AGENCIES)
    for a in AGENCIES:
        for text in (a.name, a.code):
            result = matcher.match(text)
            assert result.agency == a and result.certain, text


def test_default_leaders_are_one_chairman_and_three_vice_chairmen() -> None:
    assert DEFAULT_LEADERS[0] == "Chủ tịch UBND tỉnh"
    assert len(DEFAULT_LEADERS) == 4
    assert all(x.startswith("Phó Chủ tịch UBND tỉnh ") for x in DEFAULT_LEADERS[1:])


# ---- agencies files ---------------------------------------------------------------------------------
def test_agencies_csv_with_semicolons_and_header_variants_is_read(tmp_path: Path) -> None:
    path = tmp_path / "don_vi.csv"
    nfd = unicodedata.normalize("NFD", "Sở Tài chính")
    path.write_text(
        "MÃ ĐV;Tên cơ quan;Loại đơn vị;E-mail\n"
        f"stc;{nfd};Sở, ban, ngành;stc@hatinh.gov.vn\n"
        ";;;\n"
        "XTHACHHA;UBND xã Thạch Hà;;\n",
        encoding="utf-8",
    )
    assert read_agencies_file(path) == [
        Agency(code="STC", name="Sở Tài chính", kind="sở, ban, ngành", email="stc@hatinh.gov.vn"),
        Agency(code="XTHACHHA", name="UBND xã Thạch Hà", kind="UBND cấp xã", email=""),
    ]


def test_agencies_xlsx_with_a_title_row_is_read(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH MỤC ĐƠN VỊ GỬI ĐĂNG KÝ"])
    ws.append([])
    ws.append(["STT", "Mã đơn vị", "Tên đơn vị", "Loại", "Email"])
    ws.append([1, "SYT", "Sở Y tế", "sở, ban, ngành", "syt@quangngai.gov.vn"])
    ws.append([2, "PNGHIALO", "UBND phường Nghĩa Lộ", "UBND cấp xã", "nghialo@quangngai.gov.vn"])
    path = tmp_path / "DanhMuc.xlsx"
    wb.save(path)
    agencies = read_agencies_file(path)
    assert [(a.code, a.name, a.kind) for a in agencies] == [
        ("SYT", "Sở Y tế", "sở, ban, ngành"),
        ("PNGHIALO", "UBND phường Nghĩa Lộ", "UBND cấp xã"),
    ]


def test_agencies_file_without_name_column_names_the_file_and_the_column(tmp_path: Path) -> None:
    path = tmp_path / "donvi.csv"
    path.write_text("Mã đơn vị,Loại,Email\nSTC,\"sở, ban, ngành\",stc@tinhmau.gov.vn\n", encoding="utf-8-sig")
    with pytest.raises(AgenciesFileError) as info:
        read_agencies_file(path)
    message = str(info.value)
    assert "donvi.csv" in message
    assert "thiếu cột “Tên đơn vị”" in message
    assert isinstance(info.value, ValueError)


def test_agencies_file_problems_are_all_reported_with_their_cells(tmp_path: Path) -> None:
    path = tmp_path / "donvi.csv"
    path.write_text(
        "Mã đơn vị,Tên đơn vị,Loại,Email\n"
        "STC,Sở Tài chính,,\n"
        "STC,Sở Tư pháp,,\n"
        "S-XD,Sở Xây dựng,,\n"
        "SYT,Sở Y tế,bệnh viện,\n",
        encoding="utf-8",
    )
    with pytest.raises(AgenciesFileError) as info:
        read_agencies_file(path)
    assert [(f.code, f.cell) for f in info.value.findings] == [
        ("agency_code_duplicate", "A3"),
        ("agency_code_invalid", "A4"),
        ("agency_kind_unknown", "C5"),
    ]
    assert "trùng với dòng 2" in str(info.value)


def test_agencies_file_of_another_format_is_refused_in_vietnamese(tmp_path: Path) -> None:
    path = tmp_path / "donvi.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(AgenciesFileError, match="Không đọc được danh mục đơn vị"):
        read_agencies_file(path)


def test_missing_agencies_file_is_an_agencies_file_error(tmp_path: Path) -> None:
    with pytest.raises(AgenciesFileError, match="không tìm thấy tệp"):
        read_agencies_file(tmp_path / "khong_co.csv")


# ---- demo registrations ------------------------------------------------------------------------------
def test_demo_registrations_are_the_same_for_the_same_seed() -> None:
    assert demo_registrations(AGENCIES, YEAR, seed=7) == demo_registrations(AGENCIES, YEAR, seed=7)


def test_demo_registrations_change_with_the_seed() -> None:
    assert demo_registrations(AGENCIES, YEAR, seed=7) != demo_registrations(AGENCIES, YEAR, seed=8)


def test_an_agencys_rows_do_not_depend_on_the_other_agencies() -> None:
    alone = demo_registrations([BY_CODE["SYT"], BY_CODE["STC"]], YEAR)
    assert alone["SYT"] != [] and [r["noi_dung"] for r in alone["SYT"]] == [r["noi_dung"] for r in REGISTRATIONS["SYT"]]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), year=st.integers(2024, 2032))
def test_every_deadline_parses_or_is_blank_with_a_recurrence(seed: int, year: int) -> None:
    for rows in demo_registrations(AGENCIES, year, seed).values():
        for row in rows:
            parsed, problem = periods.parse_deadline(row["thoi_han"], year)
            assert problem is None, row
            if parsed is None or parsed.deadline is None:
                assert row["dinh_ky"] in DINH_KY, row


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_work_never_starts_after_its_deadline(seed: int) -> None:
    for rows in demo_registrations(AGENCIES, YEAR, seed).values():
        for row in rows:
            if row["thoi_gian_trien_khai"] != "":
                assert parse(row["thoi_gian_trien_khai"]) <= parse(row["thoi_han"]), row


def test_demo_rows_use_the_annual_columns_and_fixed_lists() -> None:
    for code, rows in REGISTRATIONS.items():
        assert 2 <= len(rows) <= 6, code
        for row in rows:
            assert tuple(row) == ANNUAL_KEYS
            assert row["loai"] in LOAI_CONG_VIEC and row["cap_trinh"] in CAP_TRINH
            assert row["dinh_ky"] in ("", *DINH_KY)
            assert row["lanh_dao"] in ("", *DEFAULT_LEADERS)
            assert row["noi_dung"] == unicodedata.normalize("NFC", row["noi_dung"])


def test_demo_deadlines_are_typed_in_every_way_a_clerk_types_them() -> None:
    values = [r["thoi_han"] for rows in REGISTRATIONS.values() for r in rows]
    texts = [v for v in values if isinstance(v, str)]
    assert any(isinstance(v, dt.date) for v in values)
    assert any(len(v.split("/")) == 3 for v in texts)  # 15/11/2026
    assert any(v.startswith(("Quý", "Tháng", "Năm", "6 tháng")) for v in texts)  # period words
    dinh_ky = collections.Counter(r["dinh_ky"] for rows in REGISTRATIONS.values() for r in rows)
    assert dinh_ky["Hằng tháng"] >= 1 and dinh_ky["Hằng quý"] >= 1


def test_lead_agency_is_mostly_left_blank_or_the_own_agency() -> None:
    leads = [(code, r["don_vi_chu_tri"]) for code, rows in REGISTRATIONS.items() for r in rows]
    assert all(lead in ("", BY_CODE[code].name) for code, lead in leads)
    assert sum(lead == "" for _, lead in leads) > len(leads) / 2


def test_demo_year_has_about_a_hundred_item_instances() -> None:
    assert 80 <= len(instances(REGISTRATIONS)) <= 130


@pytest.mark.parametrize("seed", [2026, 0])  # seed 0: Sở Văn hóa, Thể thao và Du lịch as a partner
def test_demo_registrations_pass_validation_without_findings(seed: int) -> None:
    @dataclass
    class Raw:
        row: int
        values: dict
        cells: dict

    registrations = demo_registrations(AGENCIES, YEAR, seed)
    for agency in AGENCIES:
        raws = [Raw(6 + i, {k: (None if v == "" else v) for k, v in row.items()}, {k: f"{k}{6 + i}" for k in row})
                for i, row in enumerate(registrations[agency.code])]
        result = validate_rows("annual", raws, Context(year=YEAR, agency=agency, agencies=AGENCIES))
        assert result.findings == [], agency.code


def test_agencies_outside_the_default_registry_get_work_of_their_own() -> None:
    commune = Agency(code="XKYANH", name="UBND xã Kỳ Anh", kind="UBND cấp xã")
    office = Agency(code="BDT", name="Ban Dân vận")
    regs = demo_registrations([commune, office], YEAR)
    assert all("xã Kỳ Anh" in r["noi_dung"] for r in regs["XKYANH"])
    assert any("Ban Dân vận" in r["noi_dung"] for r in regs["BDT"])
    assert all(r["don_vi_phoi_hop"] == "" for rows in regs.values() for r in rows)  # no partner outside the registry


# ---- demo progress -------------------------------------------------------------------------------------
ITEMS = instances(REGISTRATIONS)
PROGRESS = demo_progress(ITEMS, MID_YEAR)


def completed(code: str) -> dt.date | None:
    value = PROGRESS[code]["ngay_hoan_thanh"]
    return parse(value) if value != "" else None


def test_demo_progress_is_the_same_for_the_same_seed() -> None:
    assert demo_progress(ITEMS, MID_YEAR, seed=3) == demo_progress(ITEMS, MID_YEAR, seed=3)
    assert demo_progress(ITEMS, MID_YEAR, seed=3) != demo_progress(ITEMS, MID_YEAR, seed=4)


def test_demo_progress_at_mid_year_has_every_status() -> None:
    counts = collections.Counter(classify(deadline, completed(code), MID_YEAR) for code, deadline, _ in ITEMS)
    for status in (Status.DUNG_HAN, Status.KHONG_DUNG_HAN, Status.CHUA_HOAN_THANH, Status.DANG_THUC_HIEN):
        assert counts[status] >= 5, counts


def test_some_completions_are_dated_after_the_as_of_date() -> None:
    assert sum(1 for code, _, _ in ITEMS if (completed(code) or MID_YEAR) > MID_YEAR) >= 3


def test_every_completion_has_a_result_document_of_the_same_day() -> None:
    for code, _, _ in ITEMS:
        done, entry = completed(code), PROGRESS[code]
        assert tuple(entry) == PROGRESS_KEYS
        if done is None:
            assert entry["van_ban_ket_qua"] == ""
            continue
        agency = code.split("-")[1]
        assert f"/TTr-{agency} ngày " in entry["van_ban_ket_qua"] or f"/BC-{agency} ngày " in entry["van_ban_ket_qua"]
        assert entry["van_ban_ket_qua"].endswith(f"ngày {done.day}/{done.month}/{done.year}")


def test_a_proposed_deadline_is_later_and_gives_a_reason() -> None:
    proposals = [(code, deadline) for code, deadline, _ in ITEMS if PROGRESS[code]["de_xuat_thoi_han"] != ""]
    assert proposals
    for code, deadline in proposals:
        assert parse(PROGRESS[code]["de_xuat_thoi_han"]) > deadline
        assert PROGRESS[code]["ly_do"]


def test_reports_give_a_report_as_result_document() -> None:
    progress = demo_progress([("2026-SYT-003", dt.date(2026, 3, 31), "Báo cáo")], dt.date(2026, 12, 31), seed=11)
    assert progress["2026-SYT-003"]["van_ban_ket_qua"].startswith("Báo cáo số ")


# ---- the agency clerk ---------------------------------------------------------------------------------
def annual_template(tmp_path: Path, code: str = "STC") -> Path:
    path = tmp_path / f"DangKyNam_{YEAR}_{code}.xlsx"
    write_template(path, "annual", year=YEAR, agency=BY_CODE[code], agencies=AGENCIES, leaders=DEFAULT_LEADERS)
    return path


def as_read(value: Any) -> Any:
    """What the reader returns for a value the clerk typed."""
    return None if value == "" else value


def test_filled_annual_template_reads_back_the_same_values(tmp_path: Path) -> None:
    rows = REGISTRATIONS["SNNMT"] + REGISTRATIONS["TTT"]
    filled = fill_template(annual_template(tmp_path, "SNNMT"), rows, out=tmp_path / "filled.xlsx")
    submission, findings = read_submission(filled)
    assert findings == []
    assert submission.meta.agency_code == "SNNMT"
    assert [r.row for r in submission.rows] == list(range(HEADER_ROW + 2, HEADER_ROW + 2 + len(rows)))
    for raw, row in zip(submission.rows, rows, strict=True):
        assert {k: raw.values[k] for k in row} == {k: as_read(v) for k, v in row.items()}
        assert raw.values["stt"] == raw.row - HEADER_ROW - 1


def test_fill_template_writes_dates_as_real_dates_in_day_first_format(tmp_path: Path) -> None:
    path = fill_template(annual_template(tmp_path), [
        {"noi_dung": "Kế hoạch đầu tư công năm 2027", "thoi_han": dt.date(2026, 11, 20)},
        {"noi_dung": "Báo cáo quyết toán ngân sách năm 2025", "thoi_han": "15/11/2026"},
    ])
    ws = openpyxl.load_workbook(path)[FORMS["annual"].sheet]
    col = FORMS["annual"].headers.index("Thời hạn hoàn thành") + 1
    date_cell, text_cell = ws.cell(HEADER_ROW + 2, col), ws.cell(HEADER_ROW + 3, col)
    assert date_cell.is_date and date_cell.number_format == DATE_FORMAT
    assert text_cell.data_type == "s" and text_cell.value == "15/11/2026"


def test_fill_template_keeps_metadata_lists_and_validations(tmp_path: Path) -> None:
    template = annual_template(tmp_path)
    before = openpyxl.load_workbook(template)
    filled = openpyxl.load_workbook(fill_template(template, REGISTRATIONS["STC"], out=tmp_path / "out.xlsx"))
    assert filled.sheetnames == before.sheetnames
    assert [ws.sheet_state for ws in filled.worksheets] == [ws.sheet_state for ws in before.worksheets]
    def meta(wb: openpyxl.Workbook) -> list[tuple]:
        return [tuple("" if v is None else v for v in r) for r in wb[META_SHEET].values]

    assert meta(filled) == meta(before) and len(meta(before)) == 6
    props = [(p.name, p.value) for p in before.custom_doc_props]
    assert [(p.name, p.value) for p in filled.custom_doc_props] == props and props
    sheet = FORMS["annual"].sheet
    validations = [(str(dv.sqref), dv.formula1) for dv in before[sheet].data_validations.dataValidation]
    assert [(str(dv.sqref), dv.formula1) for dv in filled[sheet].data_validations.dataValidation] == validations
    assert len(validations) >= 5
    assert filled[sheet].protection.sheet
    assert set(filled.defined_names) == set(before.defined_names)


def test_a_second_fill_continues_below_the_first(tmp_path: Path) -> None:
    path = annual_template(tmp_path)
    fill_template(path, REGISTRATIONS["STC"][:2])
    fill_template(path, REGISTRATIONS["STC"][2:])
    submission, _ = read_submission(path)
    assert [r.values["noi_dung"] for r in submission.rows] == [r["noi_dung"] for r in REGISTRATIONS["STC"]]
    assert [r.values["stt"] for r in submission.rows] == list(range(1, len(REGISTRATIONS["STC"]) + 1))


def test_monthly_rows_go_below_the_prefilled_items(tmp_path: Path) -> None:
    path = tmp_path / "DangKyThang.xlsx"
    prefilled = [{"noi_dung": "Báo cáo tình hình kinh tế – xã hội tháng 6", "thoi_gian": dt.date(2026, 6, 30),
                  "ma_dau_viec": "2026-STC-001-T06"}]
    write_template(path, "monthly", year=YEAR, month=6, agency=BY_CODE["STC"], agencies=AGENCIES,
                   leaders=DEFAULT_LEADERS, rows=prefilled)
    meeting = {"noi_dung": "Hội nghị triển khai Luật Ngân sách nhà nước năm 2025", "hinh_thuc": "Hội nghị",
               "thoi_gian": "8h00, 12/6/2026", "dia_diem": "Hội trường UBND tỉnh"}
    fill_template(path, [meeting])
    submission, _ = read_submission(path)
    assert [r.values["noi_dung"] for r in submission.rows] == [prefilled[0]["noi_dung"], meeting["noi_dung"]]
    assert submission.rows[1].values["thoi_gian"] == "8h00, 12/6/2026"


def progress_template(tmp_path: Path) -> tuple[Path, list[tuple[str, dt.date, str]]]:
    items = [i for i in ITEMS if i[0].startswith(f"{YEAR}-SYT-")]
    path = tmp_path / "TienDo.xlsx"
    write_template(path, "progress", year=YEAR, agency=BY_CODE["SYT"], agencies=AGENCIES, leaders=DEFAULT_LEADERS,
                   rows=[{"ma_dau_viec": c, "noi_dung": f"Việc {c}", "thoi_han": d} for c, d, _ in items])
    return path, items


def test_progress_rows_land_on_their_item_codes_in_any_order(tmp_path: Path) -> None:
    path, items = progress_template(tmp_path)
    rows = [{"ma_dau_viec": code, **PROGRESS[code]} for code, _, _ in reversed(items)]
    fill_template(path, rows)
    submission, findings = read_submission(path)
    assert findings == []
    read = {r.values["ma_dau_viec"]: r.values for r in submission.rows}
    for code, deadline, _ in items:
        assert read[code]["thoi_han"] == deadline and read[code]["noi_dung"] == f"Việc {code}"
        assert {k: read[code][k] for k in PROGRESS_KEYS} == {k: as_read(v) for k, v in PROGRESS[code].items()}


def test_progress_fill_leaves_the_locked_columns_alone(tmp_path: Path) -> None:
    path, items = progress_template(tmp_path)
    code = items[0][0]
    fill_template(path, [{"ma_dau_viec": code, "noi_dung": "Sửa nội dung", "tinh_hinh": "Đang thực hiện"}])
    submission, _ = read_submission(path)
    assert submission.rows[0].values["noi_dung"] == f"Việc {code}"
    assert submission.rows[0].values["tinh_hinh"] == "Đang thực hiện"


def test_progress_fill_refuses_an_item_not_in_the_template(tmp_path: Path) -> None:
    path, _ = progress_template(tmp_path)
    with pytest.raises(KeyError, match="2026-STC-099"):
        fill_template(path, [{"ma_dau_viec": "2026-STC-099", "tinh_hinh": "Đang thực hiện"}])


def test_fill_refuses_a_column_the_form_does_not_have(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="thoi_gian"):
        fill_template(annual_template(tmp_path), [{"noi_dung": "Họp giao ban", "thoi_gian": "12/6/2026"}])


def _cp1258(text: str) -> bytes:
    """``text`` as Excel's plain "CSV" writes it on a Vietnamese Windows (Windows-1258: letters
    with their circumflex, breve or horn, then the tone mark as a combining character)."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += (base + "".join(c for c in parts if c in tones)).encode("cp1258")
    return out


DEPARTMENTS_CSV = ("Mã đơn vị,Tên đơn vị,Loại,Email\n"
                   "STC,Sở Tài chính,\"sở, ban, ngành\",stc@tinhmau.gov.vn\n"
                   "SNNMT,Sở Nông nghiệp và Môi trường,\"sở, ban, ngành\",snnmt@tinhmau.gov.vn\n"
                   "PNGHIALO,UBND phường Nghĩa Lộ,UBND cấp xã,nghialo@tinhmau.gov.vn\n")


def test_an_unquoted_comma_in_the_kind_rejects_the_row_with_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "donvi.csv"
    path.write_text(DEPARTMENTS_CSV.replace('"sở, ban, ngành"', "Sở, ban, ngành"), encoding="utf-8")
    with pytest.raises(AgenciesFileError) as info:
        read_agencies_file(path)
    assert [(f.code, f.cell) for f in info.value.findings] == [("agencies_file_field_count", "A2"),
                                                               ("agencies_file_field_count", "A3")]
    assert "Dòng 2 của danh mục đơn vị có 6 giá trị, trong khi dòng tiêu đề có 4 cột" in str(info.value)


def test_a_windows_1258_csv_is_read_like_its_utf8_twin(tmp_path: Path) -> None:
    (tmp_path / "utf8.csv").write_text(DEPARTMENTS_CSV, encoding="utf-8")
    (tmp_path / "ansi.csv").write_bytes(_cp1258(DEPARTMENTS_CSV))
    assert read_agencies_file(tmp_path / "ansi.csv") == read_agencies_file(tmp_path / "utf8.csv")


def test_a_utf16_unicode_text_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "unicode.txt").write_bytes(DEPARTMENTS_CSV.replace(",", "\t").replace('"sở\tban\tngành"', "sở, ban, ngành")
                                           .encode("utf-16"))
    assert [a.code for a in read_agencies_file(tmp_path / "unicode.txt")] == ["STC", "SNNMT", "PNGHIALO"]


def test_a_csv_in_another_encoding_says_which_encoding_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "donvi.csv"
    path.write_bytes(DEPARTMENTS_CSV.encode("cp1252", errors="replace"))
    with pytest.raises(AgenciesFileError) as info:
        read_agencies_file(path)
    assert [f.code for f in info.value.findings] == ["agencies_file_encoding"]
    assert "UTF-8" in str(info.value) and "thiếu cột" not in str(info.value)


def test_an_invalid_email_address_is_rejected_at_its_cell(tmp_path: Path) -> None:
    path = tmp_path / "donvi.csv"
    path.write_text(DEPARTMENTS_CSV.replace("snnmt@tinhmau.gov.vn", "ban")
                    .replace("stc@tinhmau.gov.vn", "stc@tinhmau.gov.vn; vanthu.stc@tinhmau.gov.vn"), encoding="utf-8")
    with pytest.raises(AgenciesFileError) as info:
        read_agencies_file(path)
    assert [(f.code, f.cell, f.value) for f in info.value.findings] == [("agency_email_invalid", "D3", "ban")]
