"""`ctcong-xl demo`: one year of the cycle on built-in demo data, through the same operations
functions the Office uses: init → annual templates → agencies fill them → consolidate →
progress templates → agencies report → consolidate → summary, report, reminders."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from rich.console import Console

from . import ops
from .demo_data import demo_progress, demo_registrations, fill_template
from .io.agencies import DEFAULT_LEADERS, load_default_agencies
from .terminal import status_table

DEMO_YEAR = 2026
DEMO_AS_OF = dt.date(2026, 9, 30)
MARKER = ".ctcong-demo"
# The demo's (fictional) province and signers, as the Office types them in Cấu hình.
DEMO_SETTINGS = {
    "province": "An Hòa",
    "place": "An Hòa",
    "report_signer_title": "Chánh Văn phòng",
    "report_signer_name": "Trần Minh Tuấn",
    "programme_signer_name": "Hoàng Văn Bình",
}


def _demo_received(year: int, n: int) -> dt.date:
    """A plausible arrival date around the 15/11 registration deadline (most on time)."""
    return dt.date(year - 1, 11, 3) + dt.timedelta(days=n % 17)


def _received_on(path: Path, day: dt.date) -> None:
    """Stamp a demo file as saved on ``day`` (its arrival date in the registry)."""
    ts = dt.datetime.combine(day, dt.time(9, 30)).timestamp()
    os.utime(path, (ts, ts))


def run_demo(directory: Path, console: Console, *, year: int = DEMO_YEAR, as_of: dt.date = DEMO_AS_OF) -> ops.Workspace:
    directory = directory.resolve()
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MARKER).exists():
            raise ops.WorkspaceError(
                f"Thư mục {directory} đã có dữ liệu không phải của bản chạy thử; chọn thư mục khác."
            )
        shutil.rmtree(directory)
    agencies = load_default_agencies()
    ops.init_workspace(directory, year, agencies, program_number="27/CTr-UBND", leaders=DEFAULT_LEADERS,
                       settings={**DEMO_SETTINGS, "program_date": dt.date(year, 1, 12)})
    (directory / MARKER).write_text("demo\n", encoding="utf-8")
    ws = ops.open_workspace(directory)
    console.print(f"1. Đã tạo thư mục làm việc và sổ tổng hợp: {ws.master.name} ({len(agencies)} đơn vị).")

    annual = ops.make_templates(ws, "annual")
    regs = demo_registrations(agencies, year)
    for path in annual:
        code = path.stem.rsplit("_", 1)[-1]
        rows = regs.get(code, [])
        sent = fill_template(path, rows, out=ws.folder("inbox") / f"DangKy_{code}.xlsx")
        _received_on(sent, _demo_received(year, len(sent.name) + sum(map(ord, code))))
    console.print(f"2. Đã gửi {len(annual)} mẫu đăng ký năm; các đơn vị điền và gửi lại vào inbox.")
    first = ops.consolidate(ws, today=dt.date(year - 1, 11, 20))
    console.print(f"3. Tổng hợp đăng ký năm: {sum(c.result.accepted for c in first.files)} tệp được nhận, "
                  f"{sum(c.result.added for c in first.files)} đầu việc.")

    progress = ops.make_templates(ws, "progress")
    from .io.master import read_master

    ds = read_master(ws.master)
    done = demo_progress([(i.ma_dau_viec, i.effective_deadline) for i in ds.items if i.effective_deadline], as_of)
    for path in progress:
        code = path.stem.rsplit("_", 1)[-1]
        own = [{"ma_dau_viec": i.ma_dau_viec, **done[i.ma_dau_viec]}
               for i in ds.items if i.ma_don_vi == code and i.ma_dau_viec in done]
        fill_template(path, own, out=ws.folder("inbox") / f"TienDo_{code}.xlsx")
    second = ops.consolidate(ws, today=as_of)
    console.print(f"4. Tổng hợp báo cáo tiến độ: {sum(c.result.accepted for c in second.files if not c.result.duplicate_of)} tệp.")

    s, report = ops.report(ws, as_of=as_of)
    reminders = ops.remind(ws, as_of=as_of).reminders
    programme = ops.programme(ws)
    console.print(status_table(s))
    console.print(f"\nĐoạn báo cáo:\n{s.narrative}\n")
    drafts = [r.mail.draft for r in reminders if r.mail]
    console.print("Xem kết quả:")
    console.print(f"  • Chương trình công tác năm: {programme.docx}" + (f" và {programme.pdf.name}" if programme.pdf else ""))
    console.print(f"  • Biểu mẫu gửi đơn vị và {len(reminders)} danh sách đôn đốc: {ws.folder('outbox')}")
    console.print(f"  • Tệp đã tổng hợp (lưu theo mã băm): {ws.folder('archive')}")
    console.print(f"  • Báo cáo: {report.docx}" + (f" và {report.pdf.name}" if report.pdf else ""))
    if drafts:
        console.print(f"  • Thư đôn đốc (bản nháp .eml, {len(drafts)} thư, mở bằng Outlook để gửi): "
                      f"{drafts[0].parent / ('DonDoc_' + f'{as_of:%Y-%m-%d}' + '_*.eml')}")
    console.print(f"  • Sổ tổng hợp (mở bằng Excel): {ws.master}")
    return ws
