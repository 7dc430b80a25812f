"""`templates` (SPEC §7): the templates of one kind for every agency, or one, into outbox/."""

from __future__ import annotations

from pathlib import Path

from ..core.consolidate import MONTHLY_WITHDRAWN_PREFIX, receipt_only, thang_label
from ..core.dataset import Dataset
from ..core.forms import FORM_KINDS, FORMS
from ..core.models import Agency
from ..io import master as master_io
from ..io.templates import TemplateCopies, template_filename
from .workspace import Workspace, WorkspaceError, ensure_template_key

def make_templates(ws: Workspace, kind: str, *, month: int | None = None, agency: str | None = None) -> list[Path]:
    _check_template_request(kind, month)
    return make_templates_from(ws, master_io.read_master(ws.master), kind, month=month, agency=agency)


def _check_template_request(kind: str, month: int | None) -> None:
    if kind not in FORM_KINDS:
        raise WorkspaceError(f"Loại mẫu “{kind}” không có; chọn annual, monthly hoặc progress.")
    if kind == "monthly" and not month:
        raise WorkspaceError("Mẫu đăng ký tháng cần --month (1 đến 12).")
    if month is not None and not 1 <= month <= 12:
        raise WorkspaceError(f"Tháng {month} không hợp lệ; ghi từ 1 đến 12.")


def make_templates_from(ws: Workspace, ds: Dataset, kind: str, *, month: int | None = None,
                        agency: str | None = None) -> list[Path]:
    """The templates of ``kind`` for a dataset already read (from the file or the open book)."""
    _check_template_request(kind, month)
    targets = [a for a in ds.agencies if not a.merged_into]  # a merged agency no longer registers
    if agency:
        targets = [a for a in ds.agencies if a.code.casefold() == agency.casefold()]
        if not targets:
            raise WorkspaceError(f"Không có đơn vị mã “{agency}” trong danh mục của sổ tổng hợp.")
    out_dir = ws.folder("outbox")
    out_dir.mkdir(exist_ok=True)
    key, _ = ensure_template_key(ws)
    copies = TemplateCopies(kind, year=ds.config.year, agencies=ds.agencies, leaders=ds.config.leaders, month=month,
                            program_number=ds.config.program_number,
                            deadline=ds.config.registration_deadline(kind, month), key=key)
    written = []
    for a in targets:
        path = out_dir / template_filename(kind, a, ds.config.year, month)
        copies.write(path, a, _prefill(ds, kind, a, month))
        written.append(path)
    return written


def _prefill(ds: Dataset, kind: str, agency: Agency, month: int | None) -> list[dict] | None:
    if kind == "progress":
        return [
            {"ma_dau_viec": i.ma_dau_viec, "noi_dung": i.noi_dung, "thoi_han": i.effective_deadline,
             "ngay_hoan_thanh": i.ngay_hoan_thanh, "van_ban_ket_qua": i.van_ban_ket_qua, "tinh_hinh": i.tinh_hinh,
             "de_xuat_thoi_han": i.de_xuat_thoi_han, "ly_do": i.ly_do}
            for i in ds.items if i.ma_don_vi == agency.code and not i.rut
        ]
    if kind == "monthly" and month:
        registered = _registered_month(ds, agency, month)
        if registered:  # sent again after the month: the rows as registered, for their outcomes
            return registered
        return [
            {"noi_dung": i.noi_dung, "thoi_gian": i.effective_deadline, "ma_dau_viec": i.ma_dau_viec,
             "lanh_dao_chu_tri": i.lanh_dao}
            for i in ds.items
            if i.ma_don_vi == agency.code and not i.rut and i.effective_deadline
            and i.effective_deadline.month == month and i.effective_deadline.year == ds.config.year
        ]
    return None




def _registered_month(ds: Dataset, agency: Agency, month: int) -> list[dict]:
    """The agency's rows of the month's programme as it registered them (withdrawn rows and the
    "no content" receipt left out): the month's template sent again after the month carries them,
    so the clerk adds ``Kết quả thực hiện`` and ``Lý do chưa thực hiện`` instead of typing the
    month again (a registration replaces the month's rows)."""
    keys = [c.key for c in FORMS["monthly"].columns if c.key != "stt"]
    thang = thang_label(month, ds.config.year)
    return [
        {k: getattr(m, k) for k in keys if getattr(m, k) not in (None, "")}
        for m in ds.monthly
        if m.ma_don_vi == agency.code and m.thang == thang and not receipt_only(m)
        and not m.noi_dung.startswith(MONTHLY_WITHDRAWN_PREFIX)
    ]
