"""LibreOffice headless: recalculate a workbook, or convert it (PDF, …), as a real spreadsheet engine.

Used by the tests (the Excel formulas we write must compute what the Python core computes) and
by a ``ctcong-xl`` self-check. Every call runs its own ``soffice`` process with a private,
throw-away profile:

* two processes sharing a profile fail at random, and a user's open LibreOffice must not be
  disturbed;
* the profile sets ``OOXMLRecalcMode`` (and ``ODFRecalcMode``) to 0, "always recalculate on
  load": otherwise LibreOffice keeps the results stored in an ``.xlsx`` file (openpyxl stores
  none, XlsxWriter stores 0) and the conversion proves nothing.

The input is copied to the private folder under a plain ASCII name, so Vietnamese file names
and an output folder equal to the input folder are both safe. Read a recalculated workbook with
``openpyxl.load_workbook(path, data_only=True)`` (python-calamine turns error cells into "").
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

DEFAULT_TIMEOUT = 180.0

# Filter names pinned for the formats we rely on; any other format is passed through as given.
_FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "pdf": "pdf:calc_pdf_Export",
}
# Word documents go through LibreOffice Writer (Debian: libreoffice-writer-nogui).
_TEXT_DOCUMENTS = frozenset({".docx", ".odt", ".doc"})
_WRITER_FILTERS = {"pdf": "pdf:writer_pdf_Export"}

_ZIP_SPREADSHEETS = frozenset({".xlsx", ".xlsm", ".ods"})

_WINDOWS_CANDIDATES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)

_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class RecalcError(RuntimeError):
    """LibreOffice is missing, failed, or did not finish in time (an environment problem)."""


def soffice_path() -> str | None:
    """The LibreOffice executable: ``$CTCONG_SOFFICE``, else ``soffice`` / ``libreoffice`` on
    PATH, else the usual Windows install folders; None when not found."""
    override = os.environ.get("CTCONG_SOFFICE")
    if override:
        return override if Path(override).is_file() else shutil.which(override)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    if sys.platform == "win32":
        for candidate in _WINDOWS_CANDIDATES:
            if Path(candidate).is_file():
                return candidate
    return None


def soffice_available() -> bool:
    return soffice_path() is not None


def recalculate(path_in: Path, out_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Open ``path_in`` (.xlsx or .xlsm) in LibreOffice, recalculate every formula, and save it
    as ``out_dir/<stem>.xlsx``; return that path. Raises :class:`RecalcError`."""
    return convert(path_in, out_dir, "xlsx", timeout=timeout)


def as_shown(path_in: Path, out_dir: Path, fmt: str = "xlsx", *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Convert ``path_in`` the way LibreOffice with its DEFAULT settings opens it: no
    recalculation, every formula shows the value stored in the file (as Excel's Protected View,
    file previewers and phone apps do). For proving the cached values the tool writes."""
    return convert(path_in, out_dir, fmt, timeout=timeout, recalculate=False)


def convert(path_in: Path, out_dir: Path, fmt: str, *, timeout: float = DEFAULT_TIMEOUT,
            recalculate: bool = True) -> Path:
    """Convert ``path_in`` with LibreOffice (a workbook: formulas recalculated first, unless
    ``recalculate`` is false: then with LibreOffice's default profile; a Word document: through
    Writer) to ``fmt`` — an
    extension such as ``"pdf"`` or ``"xlsx"``, or a full ``--convert-to`` argument such as
    ``'pdf:calc_pdf_Export:{"PageRange":{"type":"string","value":"1"}}'``. The result is
    ``out_dir/<stem>.<extension>``; return that path. Raises :class:`RecalcError`."""
    path_in = Path(path_in).resolve()
    if not path_in.is_file():
        raise FileNotFoundError(path_in)
    target_ext = fmt.split(":", 1)[0].lower()
    out_dir = Path(out_dir).resolve()
    target = out_dir / f"{path_in.stem}.{target_ext}"
    if target == path_in:
        raise ValueError(f"convert: the result would overwrite the input {path_in}")
    if path_in.suffix.lower() in _ZIP_SPREADSHEETS and not zipfile.is_zipfile(path_in):
        # LibreOffice would happily import it as a text file and "succeed".
        raise RecalcError(f"Tệp {path_in.name} không phải là bảng tính Excel hợp lệ (tệp hỏng hoặc sai định dạng).")
    writer = path_in.suffix.lower() in _TEXT_DOCUMENTS
    exe = soffice_path()
    if exe is None:
        raise RecalcError(
            "Không tìm thấy LibreOffice (soffice) trên máy; cài LibreOffice để tính lại bảng tính."
        )

    with tempfile.TemporaryDirectory(prefix="ctcong-soffice-") as tmp:
        work = Path(tmp)
        profile = _make_profile(work / "profile", recalculate=recalculate)
        source = work / "in" / f"input{path_in.suffix.lower()}"
        source.parent.mkdir()
        shutil.copyfile(path_in, source)
        produced_dir = work / "out"
        produced_dir.mkdir()
        command = [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--writer" if writer else "--calc",
            "--convert-to",
            (_WRITER_FILTERS if writer else _FILTERS).get(fmt, fmt),
            "--outdir",
            str(produced_dir),
            str(source),
        ]
        output = _run(command, timeout=timeout, name=path_in.name)
        produced = produced_dir / f"{source.stem}.{target_ext}"
        if not produced.is_file():
            raise RecalcError(
                f"LibreOffice không tạo được tệp {target.name} từ {path_in.name}.\n{output}".rstrip()
            )
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.move(str(produced), str(target))
    return target


def _make_profile(profile: Path, *, recalculate: bool = True) -> Path:
    """A private profile; with ``recalculate`` it forces recalculation on load, otherwise it is
    LibreOffice's default (stored results are shown)."""
    user = profile / "user"
    user.mkdir(parents=True)
    if recalculate:
        (user / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")
    return profile


def _run(command: list[str], *, timeout: float, name: str) -> str:
    """Run soffice in its own process group; kill the whole group on timeout."""
    posix = os.name == "posix"
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=posix,
            creationflags=0 if posix else subprocess.CREATE_NEW_PROCESS_GROUP,  # type: ignore[attr-defined]
        )
    except OSError as exc:
        raise RecalcError(f"Không chạy được LibreOffice ({command[0]}): {exc}") from exc
    try:
        raw, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc, posix)
        proc.communicate()
        raise RecalcError(f"LibreOffice không xử lý xong tệp {name} trong {timeout:g} giây.") from None
    except BaseException:  # e.g. Ctrl+C: its own session would outlive us otherwise
        _kill(proc, posix)
        proc.wait()
        raise
    output = raw.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        raise RecalcError(
            f"LibreOffice dừng với mã lỗi {proc.returncode} khi xử lý tệp {name}.\n{output}".rstrip()
        )
    return output


def _kill(proc: subprocess.Popen[bytes], posix: bool) -> None:
    if posix:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice forks soffice.bin into the same group
        except ProcessLookupError:
            pass
    else:
        proc.kill()
