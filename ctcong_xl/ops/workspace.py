"""The workspace (SPEC §6): its folders, the one master workbook in it, creating it, and the
one atomic write of a plan into the master. Every other operation imports this module."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..core import layout as L
from ..core.models import Agency, ProgrammeConfig
from ..core.plan import WritePlan
from ..io import master as master_io
from ..io.files import masters_in
from ..io.xlsxpatch import PackageError

FOLDERS = ("inbox", "outbox", "returned", "archive", "reports")
KEY_FILE = "archive/.ctcong-template-key"  # the secret that signs templates (core/identity.py); never sent out


class WorkspaceError(Exception):
    """A usage or environment problem (exit code 2); the message is Vietnamese."""


# ---------------------------------------------------------------- workspace


@dataclass(frozen=True)
class Workspace:
    root: Path

    def folder(self, name: str) -> Path:
        return self.root / name

    @property
    def master(self) -> Path:
        found = masters_in(self.root)
        if not found:
            raise WorkspaceError(
                f"Không tìm thấy sổ tổng hợp (.xlsm) trong thư mục {self.root}. "
                "Chạy “ctcong-xl init” để tạo thư mục làm việc."
            )
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise WorkspaceError(f"Thư mục {self.root} có nhiều sổ tổng hợp ({names}); chỉ để lại một sổ.")
        return found[0]

    def inbox_files(self) -> list[Path]:
        box = self.folder("inbox")
        if not box.is_dir():
            raise WorkspaceError(f"Không có thư mục inbox trong {self.root}.")
        files = [p for p in box.iterdir() if skip_reason(p) is None]
        return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))

    def inbox_skipped(self) -> list[tuple[str, str]]:
        """(name, reason) of what the inbox holds that is not read, in name order."""
        box = self.folder("inbox")
        if not box.is_dir():
            return []
        return sorted((p.name, reason) for p in box.iterdir() if (reason := skip_reason(p)) is not None)


def skip_reason(p: Path) -> str | None:
    """Why an entry of the inbox is not read (Vietnamese), or None for a file that is."""
    if p.is_symlink():
        return "là đường tắt (liên kết) tới tệp khác, không phải tệp đơn vị gửi"
    if p.is_dir():
        return "là thư mục; chỉ đọc các tệp nằm trực tiếp trong inbox"
    if p.name.startswith("~$"):
        return "là tệp tạm Excel tạo ra khi một tệp đang mở; đóng Excel rồi xóa tệp này"
    if p.name.startswith("."):
        return "là tệp ẩn (tên bắt đầu bằng dấu chấm)"
    if not p.is_file():
        return "không phải tệp thông thường"
    return None


def template_key(ws: Workspace) -> bytes | None:
    """The workspace's template-signing key, or None in a workspace made before templates were
    signed (see :func:`ensure_template_key`)."""
    path = ws.root / KEY_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"Không đọc được khóa ký biểu mẫu {path}: {exc}. Khôi phục tệp từ bản sao lưu.") from exc
    if len(text) < 32:
        raise WorkspaceError(f"Khóa ký biểu mẫu {path} bị hỏng. Khôi phục tệp từ bản sao lưu.")
    return text.encode("ascii")


def ensure_template_key(ws: Workspace) -> tuple[bytes, bool]:
    """(the key, whether it was created now): a workspace made before templates were signed gets
    its key on first need."""
    key = template_key(ws)
    if key is not None:
        return key, False
    path = ws.root / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    tmp.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
    os.replace(tmp, path)
    return template_key(ws), True


def open_workspace(root: Path) -> Workspace:
    if not root.is_dir():
        raise WorkspaceError(f"Không có thư mục làm việc {root}.")
    return Workspace(root)


def init_workspace(root: Path, year: int, agencies: list[Agency], *, program_number: str = "",
                   leaders: list[str] | None = None, as_of: dt.date | None = None,
                   settings: dict[str, object] | None = None) -> Path:
    """Create the workspace folders and its master; ``settings`` are further values of the
    configuration sheet (:class:`ProgrammeConfig` fields, e.g. ``province``)."""
    if year < 2000 or year > 2199:
        raise WorkspaceError(f"Năm chương trình {year} không hợp lệ; ghi năm đủ bốn chữ số, ví dụ 2026.")
    if not agencies:
        raise WorkspaceError("Danh mục đơn vị trống.")
    root.mkdir(parents=True, exist_ok=True)
    for name in FOLDERS:
        (root / name).mkdir(exist_ok=True)
    path = root / L.MASTER_FILENAME.format(year=year)
    existing = masters_in(root)
    if existing:
        raise WorkspaceError(
            f"Thư mục {root} đã có sổ tổng hợp {existing[0].name}; không tạo đè. Dùng thư mục khác hoặc xóa sổ cũ."
        )
    config = ProgrammeConfig(year=year, program_number=program_number, leaders=leaders or [], as_of=as_of,
                             **(settings or {}))
    from ..io.master_build import build_master  # XlsxWriter and the VBA project: only init needs them

    tmp = root / ("." + path.name + ".new")
    build_master(tmp, config, agencies)
    tmp.replace(path)
    ensure_template_key(Workspace(root))
    return path


def write_master(ws: Workspace, path: Path, plan: WritePlan, config: ProgrammeConfig | None = None) -> None:
    """Write the plan into the master file; a package it cannot patch (a managed sheet renamed
    or deleted by hand) is an environment error with a clear message, the master unchanged."""
    try:
        master_io.write_master(path, plan, backup_root=ws.root,
                               backups_kept=config.backups_kept if config else master_io.BACKUPS_KEPT)
    except PackageError as exc:
        raise master_io.MasterError(
            f"Không ghi được sổ tổng hợp {path.name}: {exc} Sổ tổng hợp chưa bị thay đổi; "
            "đặt lại đúng tên trang (hoặc khôi phục bản sao trong archive/master-backups) rồi chạy lại."
        ) from exc




def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name on some service accounts
        return ""


