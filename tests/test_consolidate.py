"""Consolidation semantics, through the operations (ops) on a real master and real filled templates:
idempotence, new versions, progress reports, pending deadlines, recurring items, punctuality,
the archive, hand edits and office-owned columns."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import time
from pathlib import Path

import pytest

from ctcong_xl import ops
from ctcong_xl.core import layout as L
from ctcong_xl.core.forms import PROGRAMME_SHEET, programme_column
from ctcong_xl.core.summary import item_status
from ctcong_xl.core.status import Status
from ctcong_xl.io.guard import can_fork
from ctcong_xl.ops import intake
from helpers import (
    YEAR,
    Office,
    by_file,
    inline_formula_cells,
    rows_as_dicts,
    set_cells,
    cell,
    stamp,
)

STC_V1 = [
    {"noi_dung": "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030", "loai": "Đề án",
     "cap_trinh": "UBND tỉnh", "lanh_dao": "Phó Chủ tịch UBND tỉnh Nguyễn Văn Hải", "thoi_han": "Quý II/2026"},
    {"noi_dung": "Quyết định quy định giá đất điều chỉnh năm 2026", "loai": "Dự thảo văn bản quy phạm pháp luật",
     "thoi_han": dt.date(2026, 9, 30), "ghi_chu": "Phối hợp Sở Nông nghiệp và Môi trường"},
    {"noi_dung": "Báo cáo công khai ngân sách 6 tháng đầu năm", "loai": "Báo cáo", "thoi_han": "6 tháng đầu năm"},
]
# v2: the land-price decision postponed to 31/10 (a proposal), the budget-publicity report dropped, one item added
STC_V2 = [
    STC_V1[0],
    {**STC_V1[1], "thoi_han": dt.date(2026, 10, 31)},
    {"noi_dung": "Kế hoạch tài chính 5 năm tỉnh giai đoạn 2026-2030", "loai": "Kế hoạch", "thoi_han": "Tháng 8/2026"},
]
SXD_ROWS = [{"noi_dung": "Đề án phát triển nhà ở xã hội tỉnh đến năm 2030", "loai": "Đề án", "thoi_han": "Quý III/2026"}]


def import_log(o: Office) -> list[dict]:
    return rows_as_dicts(o.sheet(L.IMPORT_LOG_SHEET))


def programme(o: Office) -> list[dict]:
    return rows_as_dicts(o.sheet(PROGRAMME_SHEET))


def h(key: str) -> str:
    return programme_column(key).header


# ---- idempotence ---------------------------------------------------------------------------------


def test_the_same_file_consolidated_again_changes_nothing(office):
    office.send("annual", "STC", STC_V1)
    first = office.consolidate()
    assert first.files[0].result.added == 3
    before = office.master_bytes()
    again = office.consolidate()
    assert again.files[0].result.duplicate_of == "annual_STC.xlsx" and not again.has_errors
    assert office.master_bytes() == before


def test_the_same_content_under_another_name_later_changes_nothing(office):
    path = office.send("annual", "STC", STC_V1)
    office.consolidate()
    before = office.master_bytes()
    shutil.copy2(path, office.inbox / "Sở Tài chính gửi lại - đăng ký 2026.xlsx")
    path.unlink()
    report = office.consolidate()
    (c,) = report.files
    assert c.result.duplicate_of == "annual_STC.xlsx" and [f.code for f in c.findings] == ["duplicate_file"]
    assert office.master_bytes() == before


def test_the_same_content_twice_in_one_run_is_consolidated_once(office):
    path = office.send("annual", "STC", STC_V1)
    shutil.copy2(path, office.inbox / "annual_STC (1).xlsx")
    report = office.consolidate()
    assert sorted((c.result.accepted, bool(c.result.duplicate_of)) for c in report.files) == [(False, True), (True, False)]
    assert len(office.items()) == 3


def test_the_same_rows_saved_again_change_no_item(office):
    office.send("annual", "STC", STC_V1)
    office.consolidate()
    items = office.items()
    office.clear_inbox()
    office.send("annual", "STC", list(reversed(STC_V1)), name="DangKy_STC_luu_lai.xlsx")
    (c,) = office.consolidate().files
    assert (c.result.accepted, c.result.added, c.result.changed, c.result.removed) == (True, 0, 0, 0)
    assert office.items() == items


# ---- a new version of a registration ---------------------------------------------------------------


@pytest.fixture
def two_versions(office) -> Office:
    office.send("annual", "STC", STC_V1, name="DangKy_STC_v1.xlsx")
    office.send("annual", "SXD", SXD_ROWS)
    office.consolidate()
    office.clear_inbox()
    office.send("annual", "STC", STC_V2, name="DangKy_STC_v2.xlsx")
    return office


def test_a_new_version_counts_added_changed_removed_in_the_import_log(two_versions):
    (c,) = two_versions.consolidate().files
    assert (c.result.added, c.result.changed, c.result.removed) == (1, 1, 1)
    last = import_log(two_versions)[-1]
    assert (last["Tệp"], last["Thêm"], last["Sửa"], last["Rút"]) == ("DangKy_STC_v2.xlsx", 1, 1, 1)
    assert last["Mã băm SHA-256"] == c.result.sha256 and last["Kết quả"].startswith("Đã tổng hợp")


def test_a_new_version_keeps_codes_and_marks_dropped_items_withdrawn_not_deleted(two_versions):
    two_versions.consolidate()
    items = two_versions.items()
    assert sorted(items) == ["2026-STC-001", "2026-STC-002", "2026-STC-003", "2026-STC-004", "2026-SXD-001"]
    # the moved deadline is the agency's proposal; the registered one stays until the Office approves
    assert (items["2026-STC-002"].thoi_han, items["2026-STC-002"].de_xuat_thoi_han) == (
        dt.date(2026, 9, 30), dt.date(2026, 10, 31))
    assert items["2026-STC-003"].rut and items["2026-STC-003"].noi_dung == STC_V1[2]["noi_dung"]
    assert items["2026-STC-004"].noi_dung == STC_V2[2]["noi_dung"] and not items["2026-STC-004"].rut
    row = {r[h("ma_dau_viec")]: r for r in programme(two_versions)}["2026-STC-003"]
    assert row[h("rut")] == "Đơn vị rút" and row[h("tinh_trang")] == Status.RUT_KHOI.text


def test_a_new_version_leaves_other_agencies_items_alone(two_versions):
    before = two_versions.items()["2026-SXD-001"]
    two_versions.consolidate()
    assert two_versions.items()["2026-SXD-001"] == before


def test_an_item_registered_again_after_being_dropped_comes_back(two_versions):
    two_versions.consolidate()
    two_versions.clear_inbox()
    # (not the v1 file again: the same bytes would be a duplicate of v1 and change nothing)
    two_versions.send("annual", "STC", list(reversed(STC_V1)), name="DangKy_STC_v3.xlsx")
    two_versions.consolidate()
    assert not two_versions.items()["2026-STC-003"].rut


def test_an_item_the_office_withdrew_stays_withdrawn_when_registered_again(registered):
    registered.edit_master("2026-STC-001", "rut", "x")  # the Office took it out of the programme
    registered.send("annual", "STC", list(reversed(STC_V1)), name="DangKy_STC_v2.xlsx")
    report = registered.consolidate()
    assert registered.items()["2026-STC-001"].rut
    (kept,) = [f for f in report.findings if f.code == "withdrawn_by_office_kept"]
    ds = registered.dataset()
    ref = f"{chr(64 + ds.programme_index.columns['rut'])}{ds.programme_index.rows['2026-STC-001']}"
    assert kept.severity == "warning" and "2026-STC-001" in kept.message and ref in kept.message


# ---- progress reports ------------------------------------------------------------------------------


@pytest.fixture
def registered(office) -> Office:
    office.send("annual", "STC", STC_V1)
    office.send("annual", "SXD", SXD_ROWS)
    office.consolidate()
    office.clear_inbox()
    return office


def test_progress_report_updates_only_the_completion_fields_of_own_items(registered):
    before = registered.items()

    def retype_locked_text(wb, ws):  # the clerk lifted the protection and "corrected" the title
        ws[cell("progress", "noi_dung", -1)] = "Đề án cơ cấu lại ngân sách (bản sửa)"

    registered.send("progress", "STC", [{"ma_dau_viec": "2026-STC-001", "ngay_hoan_thanh": dt.date(2026, 6, 25),
                                         "van_ban_ket_qua": "Tờ trình số 88/TTr-STC", "tinh_hinh": "Đã trình UBND tỉnh"}],
                    edit=retype_locked_text)
    (c,) = registered.consolidate(today=dt.date(2026, 7, 1)).files
    assert c.result.accepted and c.result.kind == "progress" and c.result.changed == 1
    after = registered.items()
    done = after["2026-STC-001"]
    assert (done.ngay_hoan_thanh, done.van_ban_ket_qua, done.tinh_hinh) == (
        dt.date(2026, 6, 25), "Tờ trình số 88/TTr-STC", "Đã trình UBND tỉnh")
    assert done.noi_dung == before["2026-STC-001"].noi_dung and done.thoi_han == before["2026-STC-001"].thoi_han
    assert {k: v for k, v in after.items() if k != "2026-STC-001"} == {
        k: v for k, v in before.items() if k != "2026-STC-001"}


def test_a_proposed_deadline_stays_pending_until_the_office_approves_it(registered):
    registered.send("progress", "STC", [{"ma_dau_viec": "2026-STC-002", "de_xuat_thoi_han": dt.date(2026, 11, 30),
                                         "ly_do": "Chờ ý kiến thẩm định của Sở Tư pháp"}])
    registered.consolidate(today=dt.date(2026, 9, 15))
    item = registered.items()["2026-STC-002"]
    assert item.de_xuat_thoi_han == dt.date(2026, 11, 30) and item.ly_do == "Chờ ý kiến thẩm định của Sở Tư pháp"
    assert item.thoi_han_dieu_chinh is None and item.effective_deadline == dt.date(2026, 9, 30)
    assert item_status(item, dt.date(2026, 10, 15)) is Status.CHUA_HOAN_THANH


def test_an_approved_postponement_changes_the_effective_deadline_and_keeps_the_original(registered):
    registered.send("progress", "STC", [{"ma_dau_viec": "2026-STC-002", "de_xuat_thoi_han": dt.date(2026, 11, 30),
                                         "ly_do": "Chờ ý kiến thẩm định của Sở Tư pháp"}])
    registered.consolidate(today=dt.date(2026, 9, 15))
    registered.edit_master("2026-STC-002", "thoi_han_dieu_chinh", dt.date(2026, 11, 30))  # the Office approves
    ops.summary(registered.ws, as_of=dt.date(2026, 10, 15))  # rewrites the programme's formulas
    item = registered.items()["2026-STC-002"]
    assert (item.thoi_han, item.effective_deadline) == (dt.date(2026, 9, 30), dt.date(2026, 11, 30))
    assert item_status(item, dt.date(2026, 10, 15)) is Status.DANG_THUC_HIEN
    row = {r[h("ma_dau_viec")]: r for r in programme(registered)}["2026-STC-002"]
    assert row[h("thoi_han_hieu_luc")] == dt.date(2026, 11, 30)
    assert row[h("tinh_trang")] == Status.DANG_THUC_HIEN.text


# ---- recurring items -------------------------------------------------------------------------------


@pytest.mark.parametrize("dinh_ky, codes, last", [
    ("Hằng quý", ["Q1", "Q2", "Q3", "Q4"], ("Quý IV/2026", dt.date(2026, 12, 31))),
    ("6 tháng", ["H1", "H2"], (None, dt.date(2026, 12, 31))),
    ("Hằng tháng", [f"T{m:02d}" for m in range(1, 13)], ("Tháng 12/2026", dt.date(2026, 12, 31))),
])
def test_a_recurring_item_becomes_one_instance_per_period_each_with_its_code(office, dinh_ky, codes, last):
    office.send("annual", "STC", [{"noi_dung": "Báo cáo tình hình thu, chi ngân sách nhà nước", "loai": "Báo cáo",
                                   "dinh_ky": dinh_ky}])
    (c,) = office.consolidate().files
    items = office.items()
    assert c.result.accepted and sorted(items) == [f"2026-STC-001-{s}" for s in codes]
    deadlines = [items[f"2026-STC-001-{s}"].thoi_han for s in codes]
    assert deadlines == sorted(deadlines) and len(set(deadlines)) == len(codes)
    final = items[f"2026-STC-001-{codes[-1]}"]
    assert final.thoi_han == last[1] and (last[0] is None or final.ky == last[0])


def test_quarterly_instances_are_due_at_the_end_of_each_quarter(office):
    office.send("annual", "STC", [{"noi_dung": "Báo cáo tình hình thu, chi ngân sách nhà nước", "dinh_ky": "Hằng quý"}])
    office.consolidate()
    assert [i.thoi_han for i in office.dataset().items] == [
        dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 9, 30), dt.date(2026, 12, 31)]


# ---- punctuality and archive -----------------------------------------------------------------------


def test_registration_punctuality_is_recorded_per_agency(office):
    office.send("annual", "STC", STC_V1, received=dt.date(YEAR - 1, 11, 12))
    office.send("annual", "SXD", SXD_ROWS, received=dt.date(YEAR - 1, 11, 28))
    office.consolidate(today=dt.date(YEAR - 1, 11, 30))
    ds = office.dataset()
    assert ds.received_annual == {"STC": dt.date(YEAR - 1, 11, 12), "SXD": dt.date(YEAR - 1, 11, 28)}
    registry = {r["Mã đơn vị"]: r for r in rows_as_dicts(office.sheet(L.REGISTRY_SHEET))}
    assert registry["STC"]["Ngày nhận đăng ký năm"] == dt.date(YEAR - 1, 11, 12)
    assert registry["SNV"]["Ngày nhận đăng ký năm"] in ("", None)


def test_every_consolidated_file_is_archived_under_its_content_hash(office):
    paths = [office.send("annual", "STC", STC_V1), office.send("annual", "SXD", SXD_ROWS)]
    bad = office.send("annual", "SNV", [{"noi_dung": "Đề án vị trí việc làm", "thoi_han": "31/02/2026"}])
    office.consolidate()
    archived = {p.name for p in office.ws.folder("archive").glob("*.xlsx")}
    expected = {hashlib.sha256(p.read_bytes()).hexdigest() + ".xlsx" for p in paths}
    assert archived == expected
    for p in paths:
        assert (office.ws.folder("archive") / (hashlib.sha256(p.read_bytes()).hexdigest() + ".xlsx")).read_bytes() == p.read_bytes()
    assert hashlib.sha256(bad.read_bytes()).hexdigest() + ".xlsx" not in archived


def test_an_archive_that_fails_stops_the_run_before_the_master_changes_or_a_file_is_returned(office, monkeypatch):
    """The files are copied to the archive while the plan is made; a copy that fails (a full
    disk) fails the run as before: the master as it was, no annotated copy sent back."""
    import pytest

    from ctcong_xl.ops import intake

    office.send("annual", "STC", STC_V1)
    office.send("annual", "SNV", [{"noi_dung": "Đề án vị trí việc làm", "thoi_han": "31/02/2026"}])
    before = office.master_bytes()

    def full_disk(pairs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(intake, "atomic_copies", full_disk)
    with pytest.raises(OSError, match="No space left"):
        office.consolidate()
    assert office.master_bytes() == before
    assert not any(office.ws.folder("archive").glob("*.xlsx"))
    assert not any(p.is_file() for p in office.ws.folder("returned").rglob("*"))


# ---- hand edits and office columns -----------------------------------------------------------------


def test_hand_edit_in_an_agency_column_survives_a_new_version_and_is_reported(registered):
    registered.edit_master("2026-STC-001", "lanh_dao", "Chủ tịch UBND tỉnh")  # the Office reassigned the leader
    registered.send("annual", "STC", [{**STC_V1[0], "lanh_dao": "Phó Chủ tịch UBND tỉnh Lê Thị Thu Hà"}, *STC_V1[1:]],
                    name="DangKy_STC_v2.xlsx")
    report = registered.consolidate()
    (kept,) = [f for f in report.findings if f.code == "hand_edit_kept"]
    ds = registered.dataset()
    ref = f"{chr(64 + ds.programme_index.columns['lanh_dao'])}{ds.programme_index.rows['2026-STC-001']}"
    assert kept.severity == "warning" and ref in kept.message and "Lê Thị Thu Hà" in kept.message
    assert registered.items()["2026-STC-001"].lanh_dao == "Chủ tịch UBND tỉnh"
    logged = rows_as_dicts(registered.sheet(L.VALIDATION_LOG_SHEET))
    assert [r["Mã lỗi"] for r in logged] == ["hand_edit_kept"]


def test_content_corrected_by_hand_keeps_its_item_when_the_agency_sends_again(registered):
    registered.edit_master("2026-STC-001", "noi_dung", "Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026 - 2030")
    registered.send("annual", "STC", list(reversed(STC_V1)), name="DangKy_STC_v2.xlsx")
    (c,) = registered.consolidate().files
    assert c.result.accepted and not c.result.duplicate_of
    items = registered.items()
    assert (c.result.added, c.result.removed) == (0, 0) and not items["2026-STC-001"].rut
    assert items["2026-STC-001"].noi_dung.endswith("2026 - 2030") and "2026-STC-004" not in items


def test_office_owned_columns_are_never_written(registered):
    registered.edit_master("2026-STC-001", "ghi_chu_vp", "Đã báo cáo Chủ tịch ngày 05/3")
    registered.edit_master("2026-STC-002", "thoi_han_dieu_chinh", dt.date(2026, 12, 15))
    registered.send("annual", "STC", STC_V2, name="DangKy_STC_v2.xlsx")
    registered.send("progress", "SXD", [{"ma_dau_viec": "2026-SXD-001", "ngay_hoan_thanh": dt.date(2026, 9, 1)}])
    report = registered.consolidate(today=dt.date(2026, 9, 2))
    assert all(c.result.accepted for c in report.files)
    items = registered.items()
    assert items["2026-STC-001"].ghi_chu_vp == "Đã báo cáo Chủ tịch ngày 05/3"
    assert items["2026-STC-002"].thoi_han_dieu_chinh == dt.date(2026, 12, 15)
    # the moved deadline is the agency's proposal; the registered one stays until the Office approves
    assert (items["2026-STC-002"].thoi_han, items["2026-STC-002"].de_xuat_thoi_han) == (
        dt.date(2026, 9, 30), dt.date(2026, 10, 31))


# ---- kinds, formulas, faulty files -----------------------------------------------------------------


def test_monthly_registration_builds_the_month_programme(registered):
    rows = [{"noi_dung": "Hội nghị triển khai dự toán ngân sách bổ sung", "hinh_thuc": "Hội nghị",
             "thoi_gian": "18/06/2026", "lanh_dao_chu_tri": "Phó Chủ tịch UBND tỉnh Nguyễn Văn Hải",
             "dia_diem": "Hội trường UBND tỉnh", "thanh_phan": "Các sở, ban, ngành"}]
    registered.send("monthly", "STC", rows, month=6, name="lich thang 6 STC.xlsx")
    (c,) = registered.consolidate(today=dt.date(2026, 5, 20)).files
    assert c.result.accepted and c.result.kind == "monthly"
    month = {m.noi_dung: m for m in registered.dataset().monthly}
    prefilled = month["Đề án cơ cấu lại ngân sách địa phương giai đoạn 2026-2030"]
    assert prefilled.ma_dau_viec == "2026-STC-001" and prefilled.thang == "06/2026"
    meeting = month["Hội nghị triển khai dự toán ngân sách bổ sung"]
    assert (meeting.thoi_gian, meeting.dia_diem, meeting.hinh_thuc) == (
        dt.date(2026, 6, 18), "Hội trường UBND tỉnh", "Hội nghị")


def test_a_formula_typed_in_a_note_is_stored_as_text_never_live(office):
    dde = "=cmd|' /C calc'!A0"
    office.send("annual", "STC", STC_V1[:1], edit=set_cells({cell("annual", "ghi_chu"): dde}))
    report = office.consolidate()
    assert report.files[0].result.accepted and [f.code for f in report.findings] == ["formula_neutralised"]
    assert office.items()["2026-STC-001"].ghi_chu == dde
    from ctcong_xl.io.xlsxpatch import sheet_parts
    import zipfile

    with zipfile.ZipFile(office.ws.master) as zf:
        part = sheet_parts(zf)[PROGRAMME_SHEET]
    assert not any("cmd" in f for f in inline_formula_cells(office.ws.master, part))


def test_a_faulty_file_is_not_consolidated_and_the_others_are(office):
    office.send("annual", "STC", STC_V1)
    office.send("annual", "SXD", [{"noi_dung": "Đề án phát triển nhà ở xã hội", "thoi_han": "Quý V"}])
    report = office.consolidate()
    files = by_file(report)
    assert files["annual_STC.xlsx"].result.accepted and not files["annual_SXD.xlsx"].result.accepted
    assert report.has_errors and sorted(office.items()) == ["2026-STC-001", "2026-STC-002", "2026-STC-003"]
    assert (office.ws.folder("returned") / "annual_SXD_CanSua.xlsx").is_file()
    log = import_log(office)
    assert [(r["Tệp"], r["Kết quả"].split(":")[0]) for r in log] == [
        ("annual_STC.xlsx", "Đã tổng hợp 3 dòng"), ("annual_SXD.xlsx", "Không tổng hợp")]


def test_rerunning_with_a_rejected_file_still_in_the_inbox_changes_nothing(office):
    office.send("annual", "SXD", [{"noi_dung": "Đề án phát triển nhà ở xã hội", "thoi_han": "Quý V"}])
    office.consolidate()
    before = office.master_bytes()
    again = office.consolidate()
    assert again.has_errors and [f.code for f in again.findings] == ["quarter_invalid"]
    assert office.master_bytes() == before


def test_a_rejected_file_still_in_the_inbox_is_annotated_once_unless_its_copy_is_gone(office):
    office.send("annual", "SXD", [{"noi_dung": "Đề án phát triển nhà ở xã hội", "thoi_han": "Quý V"}])
    office.consolidate()
    copy = office.ws.folder("returned") / "annual_SXD_CanSua.xlsx"
    first = copy.read_bytes()
    copy.write_bytes(b"")  # were it written again, the copy would be a workbook again
    office.consolidate()
    assert copy.read_bytes() == b""
    copy.unlink()
    office.consolidate()
    assert copy.read_bytes()[:2] == first[:2] == b"PK"


def test_kind_is_recognised_by_metadata_whatever_the_file_name(registered):
    registered.send("progress", "STC", [{"ma_dau_viec": "2026-STC-001", "ngay_hoan_thanh": dt.date(2026, 6, 25)}],
                    name="DangKyNam_2026_STC.xlsx")
    (c,) = registered.consolidate(today=dt.date(2026, 7, 1)).files
    assert c.result.kind == "progress" and c.result.accepted


# The fingerprint the master keeps of what the agency sent (hidden column Dấu kiểm) is read back
# by every later version of the tool: its definition may not change when its code is made faster.
from hypothesis import given, strategies as st  # noqa: E402
import zlib  # noqa: E402

from ctcong_xl.core.consolidate import fingerprint_value  # noqa: E402


def _as_first_written(value) -> str:
    text = "" if value is None or value == "" or value is False else (
        value.isoformat() if isinstance(value, dt.date) else str(value))
    return format(zlib.crc32(text.encode("utf-8")) & 0xFFFF, "04x")


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(),
                 st.dates(), st.datetimes()))
def test_a_field_fingerprint_is_the_crc_of_its_text_as_first_defined(value):
    assert fingerprint_value(value) == _as_first_written(value)


def test_items_share_what_repeats_and_stay_apart_in_what_they_hold(office):
    # memory at a country's scale: 150,000 items must not each hold a copy of what they share
    office.send("annual", "STC", STC_V1)
    office.consolidate()
    items = office.dataset().items
    assert len(items) >= 2
    assert len({id(i.__pydantic_fields_set__) for i in items}) == 1
    assert len({id(i.don_vi_chu_tri) for i in items if i.don_vi_chu_tri == "Sở Tài chính"}) == 1
    first, second = items[0], items[1]
    before = second.ghi_chu
    first.ghi_chu = "Văn phòng ghi chú riêng cho việc này"
    assert second.ghi_chu == before and first.ghi_chu != before


# ---- files merged as their checks come in ------------------------------------------------------------


def _round_of_files(office) -> None:
    """A round whose outcome depends on the order of the files: two versions of one registration
    (the later replaces the earlier), a copy of the first (a duplicate), a faulty file, a second agency."""
    office.send("annual", "STC", STC_V1, name="DangKy_STC.xlsx", received=dt.date(YEAR - 1, 11, 10))
    shutil.copy2(office.inbox / "DangKy_STC.xlsx", office.inbox / "DangKy_STC (ban sao).xlsx")
    stamp(office.inbox / "DangKy_STC (ban sao).xlsx", dt.date(YEAR - 1, 11, 11))
    office.send("annual", "SNV", [{"noi_dung": "Đề án vị trí việc làm", "thoi_han": "31/02/2026"}],
                received=dt.date(YEAR - 1, 11, 12))
    office.send("annual", "SXD", SXD_ROWS, received=dt.date(YEAR - 1, 11, 13))
    office.send("annual", "STC", STC_V2, name="DangKy_STC_bo_sung.xlsx", received=dt.date(YEAR - 1, 11, 14))


def _without_times(rows: list[list]) -> list[list]:
    return [[v for v in row if not isinstance(v, dt.datetime)] for row in rows]


@pytest.mark.skipif(not can_fork(), reason="the checks run in guarded workers only where fork exists")
def test_files_are_merged_in_inbox_order_whichever_check_comes_in_first(office, tmp_path, monkeypatch):
    _round_of_files(office)
    other = Office(ops.open_workspace(Path(shutil.copytree(office.root, tmp_path / "ws_b"))))
    in_order = office.consolidate()

    real_check, real_iter = intake._check_content, intake.iter_guarded
    arrived: list[str] = []

    def first_file_slow(path, *args, **kwargs):
        if path.name == "DangKy_STC.xlsx":
            time.sleep(1.0)  # the other worker checks every later file meanwhile
        return real_check(path, *args, **kwargs)

    def recording(fn, tasks, limits, *, started=None, finished=None):
        def done(i, outcome):
            arrived.append(other.ws.inbox_files()[tasks[i]].name)
            finished(i, outcome)
        return real_iter(fn, tasks, limits, started=started, finished=done)

    monkeypatch.setattr(intake, "_check_content", first_file_slow)
    monkeypatch.setattr(intake, "iter_guarded", recording)
    reordered = other.consolidate()

    assert len(arrived) == 5  # the premise: the later version came in before the first
    assert arrived.index("DangKy_STC_bo_sung.xlsx") < arrived.index("DangKy_STC.xlsx")
    assert reordered.to_json() == in_order.to_json()
    assert [f.located_message() for f in reordered.findings] == [f.located_message() for f in in_order.findings]
    for sheet in (PROGRAMME_SHEET, L.IMPORT_LOG_SHEET, L.HISTORY_SHEET, L.VALIDATION_LOG_SHEET):
        assert _without_times(other.sheet(sheet)) == _without_times(office.sheet(sheet)), sheet
    assert sorted(p.name for p in other.ws.folder("archive").iterdir()) == sorted(
        p.name for p in office.ws.folder("archive").iterdir())
    items = office.items()
    assert items["2026-STC-002"].de_xuat_thoi_han == dt.date(2026, 10, 31)  # the later version came last
    assert items["2026-STC-003"].rut and "2026-SXD-001" in items
