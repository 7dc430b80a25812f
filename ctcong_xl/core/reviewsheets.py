"""The master's review sheets, written as values by ``summary --as-of`` (and the button *Cập
nhật tổng hợp*): the emulation ranking with its rule beside it (*Thi đua*), the overdue backlog
by age per agency and per leader (*Nợ đọng*), each leader's items (*Theo lãnh đạo*). One
definition of their rows for the builder (title and header at ``init``) and the write plan."""

from __future__ import annotations

import datetime as dt

from . import layout as L
from .dataset import Dataset
from .derived import plan_derived_sheet
from .followup import AGE_BUCKETS, BUCKET_KEYS
from .plan import CellValue, WritePlan
from .ranking import RANKING_COLUMNS, rule_lines
from .summary import Summary
from .text import format_date
from .warning import WarningGroup

HEADER_ROW = 4  # 1-based row of each sheet's table header; title in row 1, as-of line in row 2
RULE_COL = 12  # column L: the ranking rule beside the ranked table
LEADER_HEADERS = ("Lãnh đạo UBND tỉnh phụ trách", "Mã đầu việc", "Nội dung công việc", "Đơn vị chủ trì",
                  "Thời hạn hiệu lực", "Tình trạng", "Nhóm cảnh báo", "Số ngày quá hạn")
BACKLOG_HEADERS = ("Mã đơn vị", "Tên đơn vị", *(label for _, label, _ in AGE_BUCKETS), "Tổng số",
                   "Quá hạn lâu nhất (ngày)")
# the columns (0-based) of each review sheet that hold one code, by the key of the code column
# of the master's tables it shows: as wide as the longest code the registry makes (layout.code_texts)
CODE_COLUMNS = {L.RANKING_SHEET: {1: "ma_don_vi"}, L.BACKLOG_SHEET: {0: "ma_don_vi"}, L.LEADERS_SHEET: {1: "ma_dau_viec"}}
LEADER_BACKLOG_HEAD = "Lãnh đạo UBND tỉnh phụ trách"
TOTAL_LABEL = "Tổng cộng"


def titles(sheet: str, year: int) -> tuple[str, tuple[str, ...]]:
    """(title, table header) of a review sheet."""
    if sheet == L.RANKING_SHEET:
        return (f"XẾP HẠNG THI ĐUA VỀ ĐĂNG KÝ VÀ THỰC HIỆN CHƯƠNG TRÌNH CÔNG TÁC NĂM {year}",
                tuple(h for _, h in RANKING_COLUMNS))
    if sheet == L.BACKLOG_SHEET:
        return (f"NỢ ĐỌNG: CÔNG VIỆC QUÁ HẠN CHƯA HOÀN THÀNH THEO THỜI GIAN QUÁ HẠN — NĂM {year}", BACKLOG_HEADERS)
    return (f"CÔNG VIỆC THEO LÃNH ĐẠO UBND TỈNH PHỤ TRÁCH — NĂM {year}", LEADER_HEADERS)


def as_of_line(as_of: dt.date) -> str:
    return f"Số liệu tính đến ngày {format_date(as_of)} (cập nhật khi chạy Cập nhật tổng hợp / summary --as-of)."


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def ranking_rows(s: Summary) -> list[list[CellValue]]:
    return [[r[k] for k, _ in RANKING_COLUMNS] for r in s.ranking]


def backlog_rows(s: Summary) -> list[list[CellValue]]:
    a = s.overdue_ageing
    rows: list[list[CellValue]] = [[r["code"], r["name"], *(r[k] for k in BUCKET_KEYS), r["total"], r["oldest_days"]]
                                   for r in a["by_agency"]]
    rows.append([TOTAL_LABEL, "", *(a["total"][k] for k in BUCKET_KEYS), a["total"]["total"], None])
    rows.append([])
    rows.append([LEADER_BACKLOG_HEAD, "", *(label for _, label, _ in AGE_BUCKETS), "Tổng số"])
    rows += [[r["leader"], "", *(r[k] for k in BUCKET_KEYS), r["total"]] for r in a["by_leader"]]
    return rows


def leader_rows(s: Summary) -> list[list[CellValue]]:
    rows: list[list[CellValue]] = []
    for block in s.leaders:
        rows.append([f"{block['leader']}: {block['total']} việc; {block['overdue']} quá hạn, "
                     f"{block['due_soon']} sắp đến hạn, {block['done']} đã hoàn thành"])
        for r in block["items"]:
            group = _GROUP_TEXT[r["group"]] if r["group"] else ""
            rows.append([block["leader"], r["code"], r["content"], r["agency_name"], _date(r["deadline"]),
                         r["status_text"], group, r["days_overdue"] or None])
    return rows


_GROUP_TEXT = {g.value: g.text for g in WarningGroup}  # (looked up once, not per item)


def plan_review_sheets(plan: WritePlan, ds: Dataset, s: Summary) -> None:
    """Write the three sheets below their header (title and as-of line above); cells a shorter
    table no longer uses are cleared. A master made before these sheets gets them."""
    body = {L.RANKING_SHEET: ranking_rows(s), L.BACKLOG_SHEET: backlog_rows(s), L.LEADERS_SHEET: leader_rows(s)}
    for sheet, rows in body.items():
        title, header = titles(sheet, ds.config.year)
        top: list[list[CellValue]] = [[title], [as_of_line(s.as_of)], [], list(header)]
        if sheet == L.RANKING_SHEET:
            rules = rule_lines(ds.config)
            width = RULE_COL
            grid = top + rows + [[] for _ in range(max(0, HEADER_ROW + len(rules) - 1 - len(top) - len(rows)))]
            for n, line in enumerate(rules):
                row = grid[HEADER_ROW - 1 + n]
                row.extend([None] * (RULE_COL - 1 - len(row)))
                row.append(line)
        else:
            width = len(header)
            grid = top + rows
        plan_derived_sheet(plan, ds, sheet, grid, width)
