"""The batch door as a newcomer meets it: readable output, exit codes, nothing read as markup."""

from __future__ import annotations

from typer.testing import CliRunner

from ctcong_xl import ops
from ctcong_xl.cli import app
from ctcong_xl.core.models import Agency

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
