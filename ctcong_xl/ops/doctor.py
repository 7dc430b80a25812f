"""`ctcong-xl doctor [WS]`: gathers the facts the checks of :mod:`ctcong_xl.core.doctor` judge.

Decisions:

* **The interpreter** is ``Interpreter_Win`` of the master's ``xlwings.conf`` sheet, ``%VAR%``
  expanded from the environment as xlwings does. Off Windows, ``\\`` becomes ``/`` so that a
  test (or a Linux box holding a Windows user's folder) can point ``LOCALAPPDATA`` at a folder.
  It is run as ``<interpreter> -c "import ctcong_xl.xl"`` with a timeout.
* **The workbook's xlwings version** is read back from the ``xlwings`` VBA module inside
  ``vbaProject.bin`` (pyOpenVBA, a runtime dependency): the DLL it declares,
  ``xlwings64-<version>.dll``, is what Excel will look for.
* **Mark of the Web.** On Windows: the NTFS alternate stream ``<master>:Zone.Identifier``. A
  file copied off Windows (WSL, Samba, some unzip tools) carries the same text as a sibling file
  literally named ``<name>:Zone.Identifier``; elsewhere that sibling is what is read.
* **Trusted locations** come from ``HKCU\\Software\\Microsoft\\Office\\<ver>\\Excel\\Security\\
  Trusted Locations`` (winreg); without winreg they are unknown, not a failure. Excel's path
  comes from ``App Paths\\excel.exe`` the same way.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ..core import doctor as rules
from .workspace import Workspace, WorkspaceError

IMPORT_TIMEOUT_S = 60
_OFFICE_VERSIONS = ("16.0", "15.0", "14.0")


def find_master(target: Path) -> Path:
    """The master of workspace ``target``, or ``target`` itself when it is a workbook."""
    if target.is_file():
        return target
    if not target.is_dir():
        raise WorkspaceError(f"Không có thư mục làm việc {target}.")
    return Workspace(target).master


def interpreter_path(conf: Mapping[str, str] | None, env: Mapping[str, str]) -> str | None:
    raw = (conf or {}).get(rules.INTERPRETER_KEY)
    if not raw:
        return None
    path = rules.expand_vars(raw, env)
    return path if os.name == "nt" else path.replace("\\", "/")


def import_error(interpreter: str, timeout: float = IMPORT_TIMEOUT_S) -> str | None:
    """Why ``interpreter`` cannot ``import ctcong_xl.xl``; None when it can."""
    from ..io import vba  # pyOpenVBA, XlsxWriter: only when the doctor runs

    try:
        done = subprocess.run([interpreter, "-c", f"import {vba.PYTHON_MODULE}"], capture_output=True,
                              text=True, errors="replace", timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"quá {timeout:g} giây chưa nạp xong."
    except OSError as exc:
        return f"không chạy được ({exc.strerror or exc})."
    if done.returncode == 0:
        return None
    lines = [line.strip() for line in (done.stderr or done.stdout).splitlines() if line.strip()]
    return lines[-1] if lines else f"thoát với mã {done.returncode}."


def venv_home(interpreter: str) -> str | None:
    """``home`` of the venv the interpreter belongs to (``…\\.venv\\Scripts\\pythonw.exe``)."""
    cfg = Path(interpreter).parent.parent / "pyvenv.cfg"
    try:
        lines = cfg.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip().casefold() == "home":
            return value.strip()
    return None


def zone_identifier(master: Path) -> str | None:
    stream = f"{master}:Zone.Identifier" if os.name == "nt" else str(master.with_name(master.name + ":Zone.Identifier"))
    try:
        with open(stream, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def _winreg():  # noqa: ANN202
    try:
        import winreg
    except ImportError:
        return None
    return winreg


def trusted_locations() -> tuple[list[rules.TrustedLocation], bool] | None:
    """Excel's trusted locations and whether network ones count; None without a registry."""
    winreg = _winreg()
    if winreg is None:
        return None
    found: list[rules.TrustedLocation] = []
    network = False
    for version in _OFFICE_VERSIONS:
        base = rf"Software\Microsoft\Office\{version}\Excel\Security\Trusted Locations"
        try:
            key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, base)
        except OSError:
            continue
        with key:
            try:
                network = network or bool(winreg.QueryValueEx(key, "AllowNetworkLocations")[0])
            except OSError:
                pass
            for i in range(winreg.QueryInfoKey(key)[0]):
                with winreg.OpenKey(key, winreg.EnumKey(key, i)) as location:
                    try:
                        path = winreg.QueryValueEx(location, "Path")[0]
                    except OSError:
                        continue
                    try:
                        sub = bool(winreg.QueryValueEx(location, "AllowSubfolders")[0])
                    except OSError:
                        sub = False
                    found.append(rules.TrustedLocation(os.path.expandvars(path), sub))
    return found, network


def excel_path() -> str | None:
    winreg = _winreg()
    if winreg is None:
        return None
    app = r"Software\Microsoft\Windows\CurrentVersion\App Paths\excel.exe"
    for hive in (winreg.HKEY_CURRENT_USER, winreg.HKEY_LOCAL_MACHINE):
        try:
            with winreg.OpenKey(hive, app) as key:
                return winreg.QueryValueEx(key, "")[0]
        except OSError:
            continue
    return None


def gather(master: Path, env: Mapping[str, str] | None = None) -> rules.Facts:
    import xlwings  # (pandas, matplotlib with it): only when the doctor runs, not with every command

    from ..io import vba

    env = os.environ if env is None else env
    trusted = trusted_locations()
    try:
        conf = vba.read_xlwings_conf(master)
        declared = vba.workbook_xlwings_version(master)
    except Exception as exc:  # noqa: BLE001 (any unreadable file is the same usage error)
        raise WorkspaceError(f"Không đọc được sổ {master} như một bảng tính Excel có macro (.xlsm): {exc}") from exc
    interpreter = interpreter_path(conf, env)
    exists = interpreter is not None and Path(interpreter).is_file()
    return rules.Facts(
        master=str(master),
        conf=conf,
        interpreter=interpreter,
        interpreter_exists=exists,
        interpreter_error=import_error(interpreter) if exists and interpreter else None,
        venv_home=venv_home(interpreter) if exists and interpreter else None,
        workbook_xlwings=declared,
        installed_xlwings=xlwings.__version__,
        excel=excel_path(),
        zone_identifier=zone_identifier(master),
        trusted_locations=trusted[0] if trusted else None,
        network_locations_allowed=bool(trusted and trusted[1]),
        folder=str(master.resolve().parent),
    )


def run_doctor(target: Path, env: Mapping[str, str] | None = None) -> list[rules.Check]:
    """Every check of :func:`ctcong_xl.core.doctor.diagnose` for the master of ``target``."""
    return rules.diagnose(gather(find_master(target), env))


__all__ = ["run_doctor", "find_master", "gather", "import_error", "interpreter_path"]
