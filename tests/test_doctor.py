"""`ctcong-xl doctor`: the checks that decide whether the buttons will work on an office PC.

What Linux can show: fake interpreters named by the master's real ``xlwings.conf`` sheet
(``%LOCALAPPDATA%`` pointed at a folder of the test), a copy of the master whose xlwings VBA
module declares another version, WindowsApps and OneDrive paths, and a Mark-of-the-Web as the
sibling file ``<name>:Zone.Identifier`` that a file copied off Windows carries.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
import xlwings
from helpers import copy_workspace, json_of, pristine, run_cli  # noqa: F401 (pristine is a fixture)
from pyopenvba import ExcelFile

from ctcong_xl import ops
from ctcong_xl.core import doctor as rules

REPO = Path(__file__).resolve().parents[1]
STORE_PYTHON = r"C:\Users\lan.nt\AppData\Local\Microsoft\WindowsApps\PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0"


def by_name(checks) -> dict[str, rules.Check]:
    return {c.name: c for c in checks}


def fake_venv(local_appdata: Path, body: str, home: str = r"C:\Program Files\Python312") -> Path:
    """``<LOCALAPPDATA>/ctcong-xl/.venv/Scripts/pythonw.exe`` as the README's install makes it."""
    venv = local_appdata / "ctcong-xl" / ".venv"
    exe = venv / "Scripts" / "pythonw.exe"
    exe.parent.mkdir(parents=True)
    exe.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    (venv / "pyvenv.cfg").write_text(f"home = {home}\ninclude-system-site-packages = false\n", encoding="utf-8")
    return exe


def working_python(local_appdata: Path, **kw) -> Path:
    return fake_venv(local_appdata, f'PYTHONPATH="{REPO}" exec "{sys.executable}" "$@"', **kw)


def python_without_ctcong(local_appdata: Path) -> Path:
    """A Python that cannot import ctcong_xl even where it is installed (no site-packages: -S)."""
    return fake_venv(local_appdata, f'exec "{sys.executable}" -I -S "$@"')


@pytest.fixture
def ws(pristine, tmp_path) -> Path:
    return copy_workspace(pristine, tmp_path / "CTCT2026").root


@pytest.fixture
def appdata(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "AppData" / "Local"
    folder.mkdir(parents=True)
    monkeypatch.setenv("LOCALAPPDATA", str(folder))
    return folder


def test_the_interpreter_of_xlwings_conf_that_imports_ctcong_xl_passes(ws, appdata):
    exe = working_python(appdata)
    check = by_name(ops.run_doctor(ws))["interpreter"]
    assert check.status == "ok"
    assert str(exe) in check.message


def test_a_missing_interpreter_names_the_expanded_path_and_the_install_step(ws, appdata):
    check = by_name(ops.run_doctor(ws))["interpreter"]
    assert check.code == "doctor_interpreter_missing"
    assert f"{appdata}/ctcong-xl/.venv/Scripts/pythonw.exe" in check.message
    assert "Interpreter_Win" in check.fix


def test_an_interpreter_without_ctcong_xl_says_the_import_error_and_how_to_install(ws, appdata):
    exe = python_without_ctcong(appdata)
    check = by_name(ops.run_doctor(ws))["interpreter"]
    assert check.code == "doctor_interpreter_import_failed"
    assert "No module named 'ctcong_xl'" in check.message
    assert f"{exe} -m pip install ctcong-xl" in check.fix


def test_a_workbook_without_the_conf_sheet_says_how_to_get_one():
    facts = rules.Facts(master=r"D:\CTCT2026\ChuongTrinhCongTac_2026.xlsm", conf=None)
    check = rules.check_interpreter(facts)
    assert check.code == "doctor_conf_missing"
    assert "ctcong-xl init" in check.fix


def test_a_workbook_without_the_xlwings_vba_module_says_to_rebuild_it():
    facts = rules.Facts(master=r"D:\CTCT2026\ChuongTrinhCongTac_2026.xlsm", conf={}, installed_xlwings="0.37.8")
    check = rules.check_xlwings_version(facts)
    assert check.code == "doctor_vba_unreadable"
    assert "xlwings 0.37.8" in check.fix


def test_the_master_declares_the_installed_xlwings_version(ws, appdata):
    check = by_name(ops.run_doctor(ws))["xlwings_version"]
    assert check.status == "ok"
    assert xlwings.__version__ in check.message


def test_a_workbook_built_with_another_xlwings_is_a_version_mismatch(ws, appdata):
    master = ops.open_workspace(ws).master
    with ExcelFile(master) as book:
        source = book.get_module("xlwings")
        book.set_module("xlwings", source.replace(f"-{xlwings.__version__}.dll", "-0.36.1.dll"))
        book.save(master)
    check = by_name(ops.run_doctor(ws))["xlwings_version"]
    assert check.code == "doctor_vba_version_mismatch"
    assert f"xlwings 0.36.1 nhưng máy cài xlwings {xlwings.__version__}" in check.message
    assert "pip install xlwings==0.36.1" in check.fix


def test_a_venv_made_from_the_microsoft_store_python_is_a_problem(ws, appdata):
    working_python(appdata, home=STORE_PYTHON)
    check = by_name(ops.run_doctor(ws))["store"]
    assert check.code == "doctor_store_app"
    assert "Python được cài từ Microsoft Store" in check.message
    assert "python.org" in check.fix


def test_excel_from_the_microsoft_store_is_a_problem():
    excel = r"C:\Program Files\WindowsApps\Microsoft.Office.Desktop.Excel_16051.17928.20114.0_x86__8wekyb3d8bbwe\Office16\EXCEL.EXE"
    check = rules.check_store(rules.Facts(master=r"D:\CTCT2026\ChuongTrinhCongTac_2026.xlsm", conf={}, excel=excel))
    assert check.status == "problem"
    assert check.message.startswith("Excel được cài từ Microsoft Store")


def test_a_workspace_in_a_onedrive_folder_is_a_problem(pristine, tmp_path, appdata):
    root = copy_workspace(pristine, tmp_path / "OneDrive - UBND tỉnh" / "CTCT2026").root
    check = by_name(ops.run_doctor(root))["cloud"]
    assert check.code == "doctor_cloud_path"
    assert r"D:\CTCT2026" in check.fix


def test_a_sharepoint_address_is_a_cloud_path():
    url = "https://ubndtinh.sharepoint.com/sites/VanPhong/Shared Documents/ChuongTrinhCongTac_2026.xlsm"
    assert rules.check_cloud(rules.Facts(master=url, conf={})).status == "problem"


def test_a_master_downloaded_from_the_internet_is_blocked_with_the_unblock_fix(ws, appdata):
    master = ops.open_workspace(ws).master
    master.with_name(master.name + ":Zone.Identifier").write_text(
        "[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://mail.google.com/\r\n", encoding="utf-8")
    check = by_name(ops.run_doctor(ws))["mark_of_the_web"]
    assert check.code == "doctor_mark_of_the_web"
    assert "Properties → đánh dấu Unblock" in check.fix
    assert f'Unblock-File -Path "{master}"' in check.fix


def test_a_mark_from_the_local_intranet_does_not_block_macros():
    facts = rules.Facts(master=r"\\vanphong\CTCT2026\ChuongTrinhCongTac_2026.xlsm", conf={},
                        zone_identifier="[ZoneTransfer]\nZoneId=1\n")
    assert rules.check_mark_of_the_web(facts).status == "ok"


def test_a_folder_under_a_trusted_location_with_subfolders_is_trusted():
    facts = rules.Facts(master=r"D:\VanPhong\CTCT2026\ChuongTrinhCongTac_2026.xlsm", conf={},
                        folder=r"D:\VanPhong\CTCT2026",
                        trusted_locations=[rules.TrustedLocation(r"D:\VanPhong\\", allow_subfolders=True)])
    assert rules.check_trusted_location(facts).status == "ok"


def test_a_folder_outside_every_trusted_location_says_how_to_add_one():
    facts = rules.Facts(master=r"D:\CTCT2026\ChuongTrinhCongTac_2026.xlsm", conf={}, folder=r"D:\CTCT2026",
                        trusted_locations=[rules.TrustedLocation(r"D:\VanPhong", allow_subfolders=True)])
    check = rules.check_trusted_location(facts)
    assert check.code == "doctor_untrusted_folder"
    assert "Trusted Locations → Add new location" in check.fix


def test_a_shared_folder_is_trusted_only_when_network_locations_are_allowed():
    share = r"\\vanphong-fs\CTCT2026"
    facts = rules.Facts(master=share + r"\ChuongTrinhCongTac_2026.xlsm", conf={}, folder=share,
                        trusted_locations=[rules.TrustedLocation(share, allow_subfolders=True)])
    assert rules.check_trusted_location(facts).status == "problem"
    allowed = rules.Facts(**{**facts.__dict__, "network_locations_allowed": True})
    assert rules.check_trusted_location(allowed).status == "ok"


def test_trusted_locations_off_windows_are_unknown_not_a_failure(ws, appdata):
    working_python(appdata)
    checks = ops.run_doctor(ws)
    assert by_name(checks)["trusted"].status == "unknown"
    assert rules.all_ok(checks)


def test_cli_exits_0_when_every_check_passes(ws, appdata):
    working_python(appdata)
    code, stdout, _ = run_cli("doctor", ws)
    assert code == 0
    assert "[Đạt] Mã VBA của sổ và Python cùng dùng xlwings" in stdout


def test_cli_exits_1_and_prints_the_fix_when_a_check_fails(ws, appdata):
    code, stdout, _ = run_cli("doctor", ws)
    assert code == 1
    assert "[Lỗi] Không có Python mà trang “xlwings.conf” chỉ tới" in stdout
    assert "Cách sửa: Cài đặt theo mục" in stdout


def test_cli_json_lists_each_check_with_its_status(ws, appdata):
    code, stdout, _ = run_cli("doctor", ws, "--json")
    doc = json_of(stdout)
    assert code == 1 and doc["ok"] is False
    assert [c["check"] for c in doc["checks"]] == [
        "interpreter", "xlwings_version", "store", "cloud", "mark_of_the_web", "trusted"]
    assert {c["check"]: c["status"] for c in doc["checks"]}["interpreter"] == "problem"


def test_cli_exits_2_for_a_folder_that_does_not_exist(tmp_path):
    code, _, stderr = run_cli("doctor", tmp_path / "CTCT2026")
    assert code == 2
    assert "Không có thư mục làm việc" in stderr
