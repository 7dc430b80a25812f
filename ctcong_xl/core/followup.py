"""Following the programme up: overdue items by age (nợ đọng) per agency and per leader, and
each leader's own items (the leader's view)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from .dataset import Dataset
from .forms import EVENT_FORMS, KET_QUA, KET_QUA_HELD, MONTHLY_WITHDRAWN_PREFIX
from .layout import OTHER_LEADER_LABEL
from .status import Status, classify
from .text import vn_sort_key
from .warning import WarningGroup, warning_group

# (JSON key, label, last day of the bracket; None = no upper limit) of the overdue age.
AGE_BUCKETS: tuple[tuple[str, str, int | None], ...] = (
    ("le_30", "≤ 30 ngày", 30),
    ("d31_60", "31–60 ngày", 60),
    ("d61_120", "61–120 ngày", 120),
    ("gt_120", "> 120 ngày", None),
)
BUCKET_KEYS = tuple(k for k, _, _ in AGE_BUCKETS)
GROUP_ORDER = (WarningGroup.OVERDUE, WarningGroup.DUE_SOON, None, WarningGroup.DONE, WarningGroup.WITHDRAWN)


def age_bucket(days: int) -> str:
    """The key of the bracket of an item ``days`` past its deadline (days ≥ 1)."""
    for key, _, last in AGE_BUCKETS:
        if last is None or days <= last:
            return key
    raise AssertionError("the last bracket has no limit")  # pragma: no cover


def leader_of(lanh_dao: str, leaders: list[str]) -> str:
    """The configured leader an item belongs to, or the label of other / missing leaders
    (consolidation stores the configured name of a leader as typed)."""
    return lanh_dao if lanh_dao in leaders else OTHER_LEADER_LABEL


def _zero() -> dict[str, int]:
    return {k: 0 for k in BUCKET_KEYS}


def overdue_ageing(ds: Dataset, as_of: dt.date, statuses: Sequence[Status] | None = None) -> dict:
    """Overdue items (not done, past the effective deadline) counted by age at ``as_of``: in
    all, per agency with any (most first), per configured leader (then other leaders).
    ``statuses``: those of ``ds.items`` at ``as_of`` where the caller has them."""
    total = _zero()
    per_agency: dict[str, dict[str, int]] = {}
    oldest: dict[str, int] = {}
    leaders = ds.config.leaders
    per_leader: dict[str, dict[str, int]] = {name: _zero() for name in leaders}
    for i, st in zip(ds.items, _statuses(ds, as_of) if statuses is None else statuses):
        if st is not Status.CHUA_HOAN_THANH:
            continue
        days = (as_of - i.effective_deadline).days
        key = age_bucket(days)
        total[key] += 1
        per_agency.setdefault(i.ma_don_vi, _zero())[key] += 1
        oldest[i.ma_don_vi] = max(oldest.get(i.ma_don_vi, 0), days)
        per_leader.setdefault(leader_of(i.lanh_dao, leaders), _zero())[key] += 1
    names = {a.code: a.name for a in ds.agencies}
    by_agency = [{"code": code, "name": names.get(code, code), **c, "total": sum(c.values()),
                  "oldest_days": oldest[code]} for code, c in per_agency.items()]
    by_agency.sort(key=lambda r: (-r["total"], -r["oldest_days"], vn_sort_key(r["name"])))
    by_leader = [{"leader": name, **c, "total": sum(c.values())} for name, c in per_leader.items()]
    return {"as_of": as_of.isoformat(), "buckets": [{"key": k, "label": label} for k, label, _ in AGE_BUCKETS],
            "total": {**total, "total": sum(total.values())}, "by_agency": by_agency, "by_leader": by_leader}


def _statuses(ds: Dataset, as_of: dt.date) -> list[Status]:
    return [classify(i.effective_deadline, i.ngay_hoan_thanh, as_of, i.rut) for i in ds.items]


# (value, text) of each status and value of each group, looked up once (an enum's properties
# are slow, and every item of the programme is shown)
_STATUS_WORDS = {st: (st.value, st.text) for st in Status}
_GROUP_VALUE = {None: None, **{g: g.value for g in WarningGroup}}
_GROUP_RANK = {(g.value if g else None): n for n, g in enumerate(GROUP_ORDER)}


def leader_items(ds: Dataset, as_of: dt.date, within_days: int, statuses: Sequence[Status] | None = None) -> list[dict]:
    """For each configured leader (then other or missing leaders, when there are any): the items
    with lead agency, effective deadline, status, warning group and days overdue; overdue first
    (oldest first), then due soon, in progress, done, withdrawn, each by deadline.
    ``statuses``: those of ``ds.items`` at ``as_of`` where the caller has them."""
    leaders = ds.config.leaders
    names = {a.code: a.name for a in ds.agencies}
    blocks: dict[str, list[dict]] = {name: [] for name in leaders}
    for i, st in zip(ds.items, _statuses(ds, as_of) if statuses is None else statuses):
        e = i.effective_deadline
        group = warning_group(st, e, as_of, within_days)
        value, text = _STATUS_WORDS[st]
        blocks.setdefault(leader_of(i.lanh_dao, leaders), []).append({
            "code": i.ma_dau_viec, "content": i.noi_dung, "agency": i.ma_don_vi,
            "agency_name": names.get(i.ma_don_vi, i.don_vi_chu_tri or i.ma_don_vi),
            "deadline": e.isoformat() if e else None, "completed": i.ngay_hoan_thanh.isoformat() if i.ngay_hoan_thanh else None,
            "status": value, "status_text": text, "group": _GROUP_VALUE[group],
            "days_overdue": (as_of - e).days if st is Status.CHUA_HOAN_THANH else 0,
        })
    withdrawn = Status.RUT_KHOI.value
    overdue, due_soon, done = WarningGroup.OVERDUE.value, WarningGroup.DUE_SOON.value, WarningGroup.DONE.value
    out = []
    for name, items in blocks.items():
        items.sort(key=lambda r: (_GROUP_RANK[r["group"]], -r["days_overdue"], r["deadline"] or "9999", r["code"]))
        groups = Counter(r["group"] for r in items)
        out.append({"leader": name, "total": sum(1 for r in items if r["status"] != withdrawn),
                    "overdue": groups[overdue], "due_soon": groups[due_soon], "done": groups[done],
                    "items": items})
    return [b for b in out if b["leader"] in leaders or b["items"]]


def monthly_outcomes(ds: Dataset) -> list[dict]:
    """Per month of the monthly programme: the meetings, conferences and working sessions
    registered (withdrawn rows left out), how many were held, postponed, moved to another month,
    cancelled or have no outcome yet, a sentence in the words of the Office's reports, and the
    items not held with their reasons."""
    by_month: dict[str, list] = {}
    for m in ds.monthly:
        if m.hinh_thuc in EVENT_FORMS and not m.noi_dung.startswith(MONTHLY_WITHDRAWN_PREFIX):
            by_month.setdefault(m.thang, []).append(m)
    names = {a.code: a.name for a in ds.agencies}
    out = []
    for label in sorted(by_month, key=lambda t: (t[3:], t[:2])):
        rows = by_month[label]
        counts = {k: sum(1 for m in rows if m.ket_qua == text) for k, text in OUTCOMES}
        counts["unknown"] = sum(1 for m in rows if m.ket_qua not in KET_QUA)
        not_held = [{"code": m.ma_viec_thang, "content": m.noi_dung, "agency": m.ma_don_vi,
                     "agency_name": names.get(m.ma_don_vi, m.ma_don_vi), "outcome": m.ket_qua, "reason": m.ly_do_kq}
                    for m in rows if m.ket_qua in KET_QUA and m.ket_qua != KET_QUA_HELD]
        out.append({"month": label, "planned": len(rows), **counts,
                    "text": outcome_sentence(label, len(rows), counts, not_held), "not_held": not_held})
    return out


OUTCOMES = tuple(zip(("held", "postponed", "moved", "cancelled"), KET_QUA))
_OUTCOME_WORDS = {"held": "đã thực hiện", "postponed": "hoãn", "moved": "chuyển sang tháng khác", "cancelled": "hủy bỏ",
                  "unknown": "chưa báo cáo kết quả"}


def outcome_sentence(label: str, planned: int, counts: dict[str, int], not_held: list[dict]) -> str:
    """'Tháng 6/2026 có 5 cuộc họp, hội nghị, buổi làm việc đã đăng ký; đã thực hiện 3, hoãn 1
    (Sở Y tế: chờ ý kiến Bộ Y tế), chưa báo cáo kết quả 1.'"""
    month, year = label.split("/")
    parts = []
    for key in (*(k for k, _ in OUTCOMES), "unknown"):
        if not counts[key]:
            continue
        reasons = [f"{r['agency_name']}: {r['reason']}" for r in not_held
                   if r["reason"] and r["outcome"] == dict(OUTCOMES).get(key)]
        parts.append(f"{_OUTCOME_WORDS[key]} {counts[key]}" + (f" ({'; '.join(reasons)})" if reasons else ""))
    return (f"Tháng {int(month)}/{year} có {planned} cuộc họp, hội nghị, buổi làm việc đã đăng ký; "
            + ", ".join(parts) + ".")
