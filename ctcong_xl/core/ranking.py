"""The emulation ranking (thi đua) of the agencies: one rule, written in the master as values
with the rule beside them (:func:`rule_lines`), in ``summary --json`` (``ranking``) and in the
report.

**The rule** (every number is a setting of the sheet *Cấu hình*; the defaults below):

* *Points for one deadline* met d days late: on time (d ≤ 0) 100; 1–2 days late 90; 3–7 days
  75; more 50; not done by the as-of date 0. The two day limits (2 and 7) are settings too.
* Four criteria, each from 0 to 100:
  1. **Đăng ký năm**: the points of the annual registration (days after its deadline; not sent
     once the deadline has passed = not done). Not scored before the deadline if not yet sent,
     nor for an agency added to the registry after the deadline or merged before it.
  2. **Đăng ký tháng**: the mean points of the monthly registrations of the months rated in
     the summary (deadline passed, the Office collected that month, the agency in the registry).
  3. **Thực hiện đúng hạn**: the mean points of the agency's items due at the as-of date (done,
     or past their effective deadline; withdrawn items do not count): a done item scores by the
     days between its deadline and its completion, an overdue one scores "not done".
  4. **Nợ đọng** (backlog): 100 × (1 − overdue items / items due).
* **Score** = Σ weight × criterion / Σ weight over the criteria the agency has (default weights
  15, 15, 50, 20), rounded to one decimal. An agency with no criterion yet is not ranked.
* **Rank**: by score, highest first; equal scores share a rank (1, 2, 2, 4), then by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .dataset import Dataset
from .models import ProgrammeConfig
from .status import Status, classify
from .text import vn_sort_key

CRITERIA = ("annual_registration", "monthly_registration", "execution", "backlog")
# (JSON key, header in the master and the report) of the ranked table, in order.
RANKING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "Hạng"),
    ("code", "Mã đơn vị"),
    ("name", "Tên đơn vị"),
    ("annual_registration", "Đăng ký năm"),
    ("monthly_registration", "Đăng ký tháng"),
    ("execution", "Thực hiện đúng hạn"),
    ("backlog", "Nợ đọng"),
    ("score", "Điểm thi đua"),
    ("items_due", "Việc đến hạn"),
    ("overdue", "Việc quá hạn"),
)


def points(days_late: int | None, config: ProgrammeConfig) -> int:
    """The points of one deadline met ``days_late`` days late (None: not done)."""
    c = config
    if days_late is None:
        return c.rank_points_not_done
    if days_late <= 0:
        return c.rank_points_on_time
    if days_late <= c.rank_days_small:
        return c.rank_points_late_small
    if days_late <= c.rank_days_medium:
        return c.rank_points_late_medium
    return c.rank_points_late_large


def monthly_receipts(ds: Dataset, as_of: dt.date) -> dict[str, dict[str, tuple[dt.date | None, dt.date]]]:
    """Agency code -> {"MM/YYYY": (received or None, deadline)} for every month whose
    registration deadline has passed at ``as_of`` and for which the Office ran a monthly cycle
    (some agency registered that month). A month's registration arrived on the earliest
    receipt among its rows."""
    received: dict[tuple[str, str], dt.date] = {}
    for m in ds.monthly:
        if m.ngay_nhan is not None:
            key = (m.ma_don_vi, m.thang)
            received[key] = min(received.get(key, m.ngay_nhan), m.ngay_nhan)
    out: dict[str, dict[str, tuple[dt.date | None, dt.date]]] = {}
    for month in range(1, 13):
        deadline = ds.config.registration_deadline("monthly", month)
        if deadline is None or deadline > as_of:
            continue
        label = f"{month:02d}/{ds.config.year}"
        if not any(m == label for _, m in received):
            continue
        for a in ds.agencies:
            out.setdefault(a.code, {})[label] = (received.get((a.code, label)), deadline)
    return out


def _late(received: dt.date | None, deadline: dt.date) -> int | None:
    return None if received is None else (received - deadline).days


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def ranking(ds: Dataset, as_of: dt.date, statuses: Sequence[Status] | None = None) -> list[dict]:
    """The ranked table, one row per agency of the registry (see the module docstring).
    ``statuses``: those of ``ds.items`` at ``as_of`` where the caller has them."""
    c = ds.config
    monthly = monthly_receipts(ds, as_of)
    annual_deadline = c.default_annual_deadline()
    weights = dict(zip(CRITERIA, (c.rank_weight_annual, c.rank_weight_monthly, c.rank_weight_execution,
                                  c.rank_weight_backlog)))
    items_of: dict[str, list] = {}  # each agency's items with their statuses, in programme order, grouped once
    if statuses is None:
        statuses = [classify(i.effective_deadline, i.ngay_hoan_thanh, as_of, i.rut) for i in ds.items]
    for i, st in zip(ds.items, statuses):
        items_of.setdefault(i.ma_don_vi, []).append((i, st))
    rows = []
    for a in ds.agencies:
        got = ds.received_annual.get(a.code)
        if not a.registers_for(annual_deadline) or (got is None and annual_deadline >= as_of):
            annual = None  # not in the registry at that deadline, or the deadline is still ahead
        else:
            annual = points(_late(got, annual_deadline), c)
        month = _mean([points(_late(r, d), c) for r, d in monthly.get(a.code, {}).values() if a.registers_for(d)])
        due, overdue = [], 0
        for i, st in items_of.get(a.code, ()):
            if st in (Status.DUNG_HAN, Status.KHONG_DUNG_HAN):
                due.append(points((i.ngay_hoan_thanh - i.effective_deadline).days if i.effective_deadline else 0, c))
            elif st is Status.CHUA_HOAN_THANH:
                due.append(points(None, c))
                overdue += 1
        execution = _mean(due)
        backlog = 100 * (1 - overdue / len(due)) if due else None
        scores = dict(zip(CRITERIA, (annual, month, execution, backlog)))
        weighed = [(weights[k], v) for k, v in scores.items() if v is not None and weights[k] > 0]
        total_weight = sum(w for w, _ in weighed)
        score = round(sum(w * v for w, v in weighed) / total_weight, 1) if total_weight else None
        rows.append({"rank": None, "code": a.code, "name": a.name,
                     **{k: None if v is None else round(v, 1) for k, v in scores.items()},
                     "score": score, "items_due": len(due), "overdue": overdue})
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), vn_sort_key(r["name"])))
    for n, r in enumerate(rows):
        if r["score"] is None:
            continue
        r["rank"] = rows[n - 1]["rank"] if n and rows[n - 1]["score"] == r["score"] else n + 1
    return rows


def rule_lines(config: ProgrammeConfig) -> list[str]:
    """The rule in words, with the configured numbers, shown beside the ranked table."""
    c = config
    return [
        "Cách tính điểm thi đua (các số lấy từ trang “Cấu hình”):",
        f"• Điểm của một thời hạn: đúng hạn {c.rank_points_on_time}; chậm 1–{c.rank_days_small} ngày "
        f"{c.rank_points_late_small}; chậm {c.rank_days_small + 1}–{c.rank_days_medium} ngày {c.rank_points_late_medium}; "
        f"chậm hơn {c.rank_days_medium} ngày {c.rank_points_late_large}; chưa thực hiện {c.rank_points_not_done}.",
        "• Đăng ký năm: điểm của ngày gửi đăng ký năm so với hạn đăng ký (chưa gửi khi đã quá hạn = chưa thực hiện).",
        "• Đăng ký tháng: điểm bình quân các tháng đã đến hạn đăng ký mà Văn phòng có tổng hợp.",
        "• Thực hiện đúng hạn: điểm bình quân các việc đã đến hạn (việc hoàn thành tính theo số ngày chậm; "
        "việc quá hạn chưa hoàn thành = chưa thực hiện; không tính việc đã rút).",
        "• Nợ đọng: 100 × (1 − số việc quá hạn chưa hoàn thành / số việc đã đến hạn).",
        f"• Điểm thi đua = bình quân có trọng số: đăng ký năm {c.rank_weight_annual}, đăng ký tháng "
        f"{c.rank_weight_monthly}, thực hiện đúng hạn {c.rank_weight_execution}, nợ đọng {c.rank_weight_backlog} "
        "(tiêu chí chưa có số liệu không tính); làm tròn một chữ số thập phân.",
        "• Xếp hạng từ điểm cao xuống; bằng điểm thì cùng hạng.",
    ]
