"""The batch door as a newcomer meets it: readable output, exit codes, nothing read as markup."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ctcong_xl import ops
from ctcong_xl.cli import app
from ctcong_xl.core.models import Agency
from helpers import office, pristine, run_cli  # noqa: F401 - fixtures

runner = CliRunner()
AGENCIES = [Agency(code="STC", name="Sở Tài chính"), Agency(code="SYT", name="Sở Y tế")]


def workspace(tmp_path):
    root = tmp_path / "ws"
    ops.init_workspace(root, 2026, AGENCIES, program_number="27/CTr-UBND")
    return root


def test_a_file_name_with_brackets_is_printed_as_it_is(tmp_path):
    root = workspace(tmp_path)
    (root / "inbox" / "[bold]Bao cao [red].xlsx").write_text("không phải bảng tính", encoding="utf-8")
    result = runner.invoke(app, ["consolidate", str(root)])
    assert result.exit_code == 1
    assert "[bold]Bao cao [red].xlsx" in result.stdout
    assert "Tệp không phải là bảng tính Excel (.xlsx) đọc được." in result.stdout


def test_an_empty_inbox_is_said_in_words(tmp_path):
    result = runner.invoke(app, ["validate", str(workspace(tmp_path))])
    assert result.exit_code == 0
    assert "Thư mục inbox không có tệp nào." in result.stdout


def test_a_badly_written_as_of_date_is_a_usage_error_in_vietnamese(tmp_path):
    result = runner.invoke(app, ["summary", str(workspace(tmp_path)), "--as-of", "30/09/2026"])
    assert result.exit_code == 2
    assert "không đúng dạng YYYY-MM-DD" in " ".join(result.stderr.split())


def test_a_folder_that_is_not_a_workspace_is_an_environment_error(tmp_path):
    result = runner.invoke(app, ["consolidate", str(tmp_path)])
    assert result.exit_code == 2
    assert "Không tìm thấy sổ tổng hợp" in " ".join(result.stderr.split())


def test_version_prints_the_package_version():
    from ctcong_xl import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"ctcong-xl {__version__}"


def test_dash_h_is_help_like_dash_dash_help():
    short, long = runner.invoke(app, ["-h"]), runner.invoke(app, ["--help"])
    assert short.exit_code == long.exit_code == 0
    assert short.stdout == long.stdout
    assert "consolidate" in short.stdout and "--version" in short.stdout
    assert runner.invoke(app, ["consolidate", "-h"]).stdout == runner.invoke(app, ["consolidate", "--help"]).stdout


def test_the_summary_paragraph_is_printed_whole(tmp_path):
    root = workspace(tmp_path)
    result = runner.invoke(app, ["summary", str(root), "--as-of", "2026-06-30"])
    assert result.exit_code == 0
    narrative = ops.summary(ops.open_workspace(root)).narrative
    assert narrative in result.stdout  # one line when not a terminal: nothing cut, nothing inserted


def test_in_a_narrow_terminal_the_paragraph_wraps_at_words_and_loses_nothing():
    import io

    from rich.console import Console

    from ctcong_xl.cli import print_paragraph

    text = ("Năm 2026, UBND tỉnh ban hành Chương trình công tác năm số 27/CTr-UBND có tổng số 97 đầu việc được giao "
            "cho 23 đơn vị; đến cuối tháng 9/2026 có 40 công việc hoàn thành đúng hạn, 15 công việc hoàn thành nhưng "
            "không đúng hạn, 14 công việc chưa hoàn thành, 28 công việc đang thực hiện.")
    buf = io.StringIO()
    print_paragraph(Console(file=buf, width=50, force_terminal=True, color_system=None), "Đoạn báo cáo:", text)
    lines = buf.getvalue().splitlines()
    assert lines[0] == "Đoạn báo cáo:"
    assert all(len(line) <= 50 for line in lines)
    assert " ".join(line.strip() for line in lines[1:]) == text


def test_clicks_own_usage_errors_are_said_in_vietnamese(tmp_path):
    root = str(workspace(tmp_path))
    cases = {
        ("templates", root): "Lỗi: Thiếu tùy chọn --kind.",
        ("remind",): "Lỗi: Thiếu đối số WORKSPACE (thư mục làm việc).",
        ("remind", root, "--within", "bảy"): "Lỗi: Giá trị của --within phải là một số nguyên, ví dụ 7.",
        ("summary", root, "--as-of"): "Lỗi: Tùy chọn --as-of cần một giá trị đi kèm.",
        ("summary", root, "--bogus"): "Lỗi: Không có tùy chọn --bogus.",
        ("remindx", root): "Lỗi: Không có lệnh “remindx”. Có phải “remind”?",
        ("summary", root, "thua"): "Lỗi: Thừa đối số: thua.",
    }
    for args, message in cases.items():
        result = runner.invoke(app, list(args))
        assert result.exit_code == 2, args
        assert message in result.stderr, (args, result.stderr)
        assert "Usage" not in result.stderr and "Error" not in result.stderr


def test_every_command_help_is_vietnamese_with_an_example():
    from typer.main import get_command

    group = get_command(app)
    names = [n for n in group.list_commands(None) if n != "agencies"]
    for name in names:
        result = runner.invoke(app, [name, "-h"])
        assert result.exit_code == 0
        assert f"Ví dụ: ctcong-xl {name} " in result.stdout, name
        assert "Cách dùng:" in result.stdout and "Xem hướng dẫn này rồi thoát." in result.stdout
        assert "Usage:" not in result.stdout and "Options:" not in result.stdout
    for sub in ("list", "add", "rename", "merge"):
        result = runner.invoke(app, ["agencies", "ws", sub, "-h"])
        assert f"Ví dụ: ctcong-xl agencies D:\\CTCT2026 {sub}" in result.stdout, sub


def test_a_summary_imports_neither_the_other_operations_nor_their_libraries():
    """Each command imports its own operation when it runs: `summary` loads neither the mail
    door, the doctor (xlwings) nor the intake, nor the consolidation's rules and checks nor the
    document model (a summary writes the print view, not a report), and every name the
    operations export resolves."""
    code = ("import sys; from ctcong_xl import ops; ops.summary; "
            "print(sorted(m for m in ('ctcong_xl.ops.mail', 'ctcong_xl.ops.doctor', 'ctcong_xl.ops.intake', "
            "'ctcong_xl.core.consolidate', 'ctcong_xl.core.validate', 'ctcong_xl.core.documents', "
            "'xlwings', 'openpyxl', 'xlsxwriter', 'docx', 'matplotlib') if m in sys.modules)); "
            "[getattr(ops, n) for n in ops.__all__]")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    assert done.stdout.strip() == "[]"


def test_a_large_round_counts_the_accepted_files_and_lists_those_to_look_at(office, monkeypatch):
    import ctcong_xl.cli as cli

    monkeypatch.setattr(cli, "FILE_TABLE_ROWS", 2)  # a round of three new files counts as large here
    office.send("annual", "STC", [{"noi_dung": "Đề án cơ cấu lại ngân sách địa phương", "thoi_han": "Quý II/2026"}])
    office.send("annual", "SNV", [{"noi_dung": "Đề án vị trí việc làm", "thoi_han": "Quý III/2026"},
                                  {"noi_dung": "Kế hoạch tinh gọn bộ máy cấp xã", "thoi_han": "T9/2026"}])
    office.send("annual", "STP", [{"noi_dung": "Báo cáo công tác pháp chế", "thoi_han": "31/02/2026"}])
    code, stdout, _ = run_cli("consolidate", office.root)
    assert code == 1  # the Tư pháp file has an impossible date
    assert "annual_STP.xlsx" in stdout and "trả lại" in stdout
    assert "annual_STC.xlsx" not in stdout and "annual_SNV.xlsx" not in stdout
    assert "Nhận 2 tệp không cần xem lại (Đăng ký năm: 2) — 3 dòng; việc: thêm 3, sửa 0, rút 0." in " ".join(stdout.split())
    assert "“Nhật ký tổng hợp”" in stdout


def test_a_small_round_lists_every_file(office):
    office.send("annual", "STC", [{"noi_dung": "Đề án cơ cấu lại ngân sách địa phương", "thoi_han": "Quý II/2026"}])
    office.send("annual", "SNV", [{"noi_dung": "Đề án vị trí việc làm", "thoi_han": "Quý III/2026"}])
    code, stdout, _ = run_cli("consolidate", office.root)
    assert code == 0
    # the first column, whose names fold over lines in a narrow table
    flat = "".join(line.split("│")[1].strip() for line in stdout.splitlines() if line.startswith("│"))
    assert "annual_STC.xlsx" in flat and "annual_SNV.xlsx" in flat
    assert "không cần xem lại" not in stdout


def test_a_command_runs_without_the_cyclic_collector_and_gives_it_back_when_it_ends(monkeypatch):
    import gc

    from ctcong_xl import cli

    seen: list[bool] = []

    def command() -> None:
        seen.append(gc.isenabled())
        raise SystemExit(1)  # as a command that fails ends

    monkeypatch.setattr(cli, "app", command)
    with pytest.raises(SystemExit):
        cli.main()
    assert seen == [False] and gc.isenabled()


def test_the_installed_command_imports_the_cli_with_the_cyclic_collector_off():
    import tomllib

    scripts = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text("utf-8"))
    assert scripts["project"]["scripts"]["ctcong-xl"] == "ctcong_xl.__main__:main"
    probe = ("import gc, sys\n"
             "import ctcong_xl.__main__ as entry\n"
             "print(gc.isenabled(), 'typer' in sys.modules, entry.main.__module__)\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.split() == ["False", "True", "ctcong_xl.cli"]


def test_the_objects_alive_when_the_process_ends_are_frozen_after_the_commands_own_exit_hooks(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(
        "import atexit, gc\n"
        "from ctcong_xl import cli\n"
        "atexit.register(lambda: print('at the end', gc.get_freeze_count() > 0))\n"
        "def command():\n"
        "    atexit.register(lambda: print('the command hook', gc.get_freeze_count() > 0))\n"
        "cli.app = command\n"
        "cli.main()\n"
        "cli.main()  # a second command in the process registers nothing more\n",
        encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.splitlines() == ["the command hook False", "the command hook False", "at the end True"]
