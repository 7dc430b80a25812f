"""The cleaned cells one run keeps (core/validate.CellMemo): a value met again, in the same file
or in a later file of the run, gets exactly what its first check gave — the same clean value,
the same findings placed at its own cell, the same period label and recurrence on its row."""

from __future__ import annotations

import datetime as dt

from ctcong_xl.core.validate import CellMemo, Context, validate_rows
from ctcong_xl.io.incoming import read_submission
from helpers import AGENCIES, LEADERS, YEAR, to_tcvn3

TODAY = dt.date(YEAR - 1, 11, 20)
STC = next(a for a in AGENCIES if a.code == "STC")
SXD = next(a for a in AGENCIES if a.code == "SXD")

# what clerks type, mistakes included: an old encoding, doubled spaces, a list value in
# another case, one not in the list, a leader by given name only, one not configured, a lead
# agency misspelt, one that merged away, a partner unknown, periods, a recurrence, a deadline
# outside the year with and without a reason, a date that does not exist, formula-like text
MESSY = [
    {"noi_dung": to_tcvn3("Báo cáo tình hình thu, chi ngân sách quý"), "loai": "báo cáo",
     "can_cu": "Kế hoạch  số 12/KH-UBND ", "lanh_dao": "Đ/c Minh", "thoi_han": "Hằng quý", "dinh_ky": "Hằng quý"},
    {"noi_dung": "Đề án chuyển đổi số tỉnh giai đoạn 2026-2030", "loai": "Công văn",
     "don_vi_chu_tri": "Sở Tài chánh", "don_vi_phoi_hop": "Sở Xây dựng, Sở Du lịch",
     "lanh_dao": "Hà", "thoi_gian_trien_khai": "Quý II/2026", "thoi_han": "31/03/2027"},
    {"noi_dung": "+cmd|' /C calc'!A0", "thoi_han": "32/13/2026",
     "don_vi_chu_tri": "Sở Nông nghiệp và Phát triển nông thôn"},
    {"noi_dung": "Quyết định quy định giá đất điều chỉnh năm 2026", "loai": "báo cáo", "lanh_dao": "Đ/c Minh",
     "thoi_han": "31/03/2027", "ghi_chu": "Theo lộ trình của Bộ Tài chính", "don_vi_chu_tri": "Sở Tài chánh"},
    {"noi_dung": "Đề án phát triển du lịch cộng đồng", "loai": "Đề án", "thoi_han": "Quý III/2026"},
]


def _context(agency, year: int = YEAR, cells: CellMemo | None = None) -> Context:
    return Context(year=year, agency=agency, agencies=AGENCIES, today=TODAY, leaders=LEADERS, cells=cells)


def _submission(office, agency: str, rows, tmp_path):
    path = office.fill("annual", agency, rows, tmp_path / f"DangKy_{agency}.xlsx")
    sub, problems = read_submission(path)
    assert sub is not None and not problems
    return sub


def _outcome(validated):
    return ([(r.row, r.values, r.cells, r.recurrence, r.label, r.outside_year) for r in validated.rows],
            validated.findings)


def test_values_met_again_in_a_later_file_get_the_same_findings_at_their_own_cells(office, tmp_path):
    first = _submission(office, "SXD", [{"noi_dung": "Báo cáo công tác xây dựng", "thoi_han": "Quý I/2026"}, *MESSY],
                        tmp_path)
    later = _submission(office, "STC", MESSY, tmp_path)
    alone = validate_rows("annual", later.rows, _context(STC))
    memo = CellMemo()
    validate_rows("annual", first.rows, _context(SXD, cells=memo))
    again = validate_rows("annual", later.rows, _context(STC, cells=memo))
    assert _outcome(again) == _outcome(alone)
    codes = {f.code for f in again.findings}
    assert {"text_repaired_tcvn3", "text_spaces", "value_not_in_list", "leader_unknown", "leader_guessed",
            "agency_guessed", "agency_unknown", "partner_unknown", "date_outside_year", "date_impossible",
            "formula_neutralised"} <= codes, codes
    assert again.rows[-1].label == "Quý III/2026" and again.rows[0].recurrence is not None
    # the same mistake in two rows: reported at each row's cell
    leaders = [f.cell for f in again.findings if f.code == "leader_unknown"]
    assert len(leaders) == 2 and len(set(leaders)) == 2


def test_a_value_repeated_within_one_file_is_reported_at_every_cell(office, tmp_path):
    sub = _submission(office, "STC", [{**MESSY[1], "noi_dung": f"Đề án số {n}"} for n in range(1, 4)], tmp_path)
    v = validate_rows("annual", sub.rows, _context(STC))
    outside = [f.cell for f in v.findings if f.code == "date_outside_year"]
    assert len(outside) == 3 and len(set(outside)) == 3
    assert [r.label for r in v.rows] == [""] * 3
    assert all(r.values["thoi_gian_trien_khai"] == dt.date(2026, 6, 30) for r in v.rows)


def test_a_memo_of_another_year_is_not_used(office, tmp_path):
    sub = _submission(office, "STC", [{"noi_dung": "Đề án phát triển nhà ở xã hội", "thoi_han": "31/12/2026"}],
                      tmp_path)
    memo = CellMemo()
    assert not validate_rows("annual", sub.rows, _context(STC, cells=memo)).findings
    next_year = validate_rows("annual", sub.rows, _context(STC, year=YEAR + 1, cells=memo))
    assert [f.code for f in next_year.findings] == ["date_outside_year"]
