"""`ctcong-xl doctor`: will the Excel buttons work on this PC? Pure rules over plain facts.

:mod:`ctcong_xl.ops.doctor` gathers the :class:`Facts` (the master's ``xlwings.conf`` sheet,
the xlwings version its VBA module declares, files, registry); each check here turns them into
one :class:`Check`: ``ok``, ``problem`` (the buttons will fail or macros will be blocked) or
``unknown`` (cannot be checked on this machine, not a failure). Every sentence comes from
:data:`ctcong_xl.core.messages.CATALOGUE` (codes ``doctor_*``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from . import layout as L
from .messages import render, render_text
from .text import format_date
from .plan import WritePlan

#: The ``xlwings.conf`` key naming the interpreter on Windows.
INTERPRETER_KEY = "Interpreter_Win"
#: Zones of a Zone.Identifier stream from which Office blocks macros (3 Internet, 4 Restricted).
BLOCKED_ZONES = frozenset({3, 4})

_VAR = re.compile(r"%([^%\s]+)%")
_ZONE_ID = re.compile(r"^\s*ZoneId\s*=\s*(\d+)\s*$", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class TrustedLocation:
    """One Excel trusted location (registry ``…\\Excel\\Security\\Trusted Locations\\LocationN``)."""

    path: str
    allow_subfolders: bool = False


@dataclass(frozen=True)
class Facts:
    """What the checks look at; gathered by :func:`ctcong_xl.ops.doctor.gather`."""

    master: str  # the master's path (or URL) as text
    conf: Mapping[str, str] | None  # the xlwings.conf sheet, None when the sheet is missing
    interpreter: str | None = None  # the interpreter path after expanding %VAR%
    interpreter_exists: bool = False
    interpreter_error: str | None = None  # why `import ctcong_xl.xl` failed; None = it worked
    venv_home: str | None = None  # `home` of the interpreter venv's pyvenv.cfg
    workbook_xlwings: str | None = None  # version declared by the workbook's xlwings VBA module
    installed_xlwings: str = ""
    excel: str | None = None  # Excel's executable, when known
    zone_identifier: str | None = None  # text of the master's Zone.Identifier, None = no mark
    trusted_locations: Sequence[TrustedLocation] | None = None  # None = cannot be read here
    network_locations_allowed: bool = False  # "Allow Trusted Locations on my network"
    folder: str = ""  # the master's folder


@dataclass(frozen=True)
class Check:
    name: str  # short English key: interpreter, xlwings_version, store, cloud, mark_of_the_web, trusted
    status: str  # "ok" | "problem" | "unknown"
    code: str  # catalogue code
    message: str
    fix: str = ""

    def to_json(self) -> dict[str, str]:
        return {"check": self.name, "status": self.status, "code": self.code,
                "message": self.message, "fix": self.fix}


def _check(name: str, code: str, value: object = "", **params: object) -> Check:
    severity, message, hint = render(code, value, **params)
    status = {"ok": "ok", "info": "unknown"}.get(severity, "problem")
    return Check(name, status, code, message, hint)


def expand_vars(text: str, env: Mapping[str, str]) -> str:
    """``%LOCALAPPDATA%\\x`` with Windows' variables filled from ``env`` (names without case);
    an unknown variable stays as it is, as Windows leaves it."""
    folded = {k.casefold(): v for k, v in env.items()}
    return _VAR.sub(lambda m: folded.get(m.group(1).casefold(), m.group(0)), text)


def zone_id(zone_identifier: str | None) -> int | None:
    """The ``ZoneId`` of a Zone.Identifier stream's text (``[ZoneTransfer]`` / ``ZoneId=3``)."""
    if zone_identifier is None:
        return None
    found = _ZONE_ID.search(zone_identifier)
    return int(found.group(1)) if found else None


def _folded(path: str) -> str:
    return path.replace("/", "\\").rstrip("\\").casefold()


def is_store_path(path: str | None) -> bool:
    """Microsoft Store apps live under ``…\\WindowsApps\\`` (Python's alias and Office's package)."""
    return path is not None and "\\windowsapps\\" in _folded(path) + "\\"


def is_cloud_path(path: str) -> bool:
    folded = path.casefold()
    return folded.startswith(("https://", "http://")) or "onedrive" in folded or "sharepoint" in folded


def is_trusted(folder: str, locations: Sequence[TrustedLocation], network_allowed: bool = False) -> bool:
    """Excel trusts a network folder (``\\\\server\\share``) only when network locations are allowed."""
    here = _folded(folder)
    if here.startswith("\\\\") and not network_allowed:
        return False
    for location in locations:
        place = _folded(location.path)
        if here == place or (location.allow_subfolders and here.startswith(place + "\\")):
            return True
    return False


# ---------------------------------------------------------------- the checks


def check_interpreter(facts: Facts) -> Check:
    name = "interpreter"
    if facts.conf is None or not facts.conf.get(INTERPRETER_KEY):
        return _check(name, "doctor_conf_missing", file=facts.master)
    if not facts.interpreter_exists:
        return _check(name, "doctor_interpreter_missing", facts.interpreter)
    if facts.interpreter_error is not None:
        return _check(name, "doctor_interpreter_import_failed", facts.interpreter, reason=facts.interpreter_error)
    return _check(name, "doctor_interpreter_ok", facts.interpreter)


def check_xlwings_version(facts: Facts) -> Check:
    name = "xlwings_version"
    if facts.workbook_xlwings is None:
        return _check(name, "doctor_vba_unreadable", file=facts.master, installed=facts.installed_xlwings)
    if facts.workbook_xlwings != facts.installed_xlwings:
        return _check(name, "doctor_vba_version_mismatch", facts.workbook_xlwings, installed=facts.installed_xlwings)
    return _check(name, "doctor_vba_version_ok", facts.workbook_xlwings)


def check_store(facts: Facts) -> Check:
    name = "store"
    for what, path in (("Python", facts.interpreter), ("Python", facts.venv_home), ("Excel", facts.excel)):
        if is_store_path(path):
            return _check(name, "doctor_store_app", path, what=what)
    return _check(name, "doctor_store_ok")


def check_cloud(facts: Facts) -> Check:
    if is_cloud_path(facts.master):
        return _check("cloud", "doctor_cloud_path", facts.master)
    return _check("cloud", "doctor_cloud_ok")


def check_mark_of_the_web(facts: Facts) -> Check:
    zone = zone_id(facts.zone_identifier)
    if zone in BLOCKED_ZONES:
        return _check("mark_of_the_web", "doctor_mark_of_the_web", facts.master, zone=zone)
    return _check("mark_of_the_web", "doctor_mark_of_the_web_ok")


def check_trusted_location(facts: Facts) -> Check:
    if facts.trusted_locations is None:
        return _check("trusted", "doctor_trusted_unknown")
    if is_trusted(facts.folder, facts.trusted_locations, facts.network_locations_allowed):
        return _check("trusted", "doctor_trusted_folder_ok", facts.folder)
    return _check("trusted", "doctor_untrusted_folder", facts.folder)


CHECKS: tuple[Callable[[Facts], Check], ...] = (
    check_interpreter, check_xlwings_version, check_store, check_cloud, check_mark_of_the_web,
    check_trusted_location,
)


def diagnose(facts: Facts) -> list[Check]:
    """Every check, in the order the README's troubleshooting meets them."""
    return [check(facts) for check in CHECKS]


def all_ok(checks: Sequence[Check]) -> bool:
    return not any(c.status == "problem" for c in checks)


# ---------------------------------------------------------------- the result as a clerk reads it

def status_word(status: str) -> str:
    """“Đạt”, “Lỗi” or “Chưa rõ” (the CLI and the sheet of the button “Kiểm tra máy”)."""
    return render_text(f"doctor_status_{status}")


def check_title(check: Check) -> str:
    """What the check looks at, in the clerk's words."""
    return render_text(f"doctor_check_{check.name}")


_LINES_PER_CHECK = 4  # title, what was found, the fix, a blank line
DOCTOR_ROWS = 4 + _LINES_PER_CHECK * len(CHECKS)  # the rows the sheet's text may take


def verdict(checks: Sequence[Check]) -> str:
    problems = sum(1 for c in checks if c.status == "problem")
    return render_text("doctor_problems", problems) if problems else render_text("doctor_all_ok")


def doctor_lines(checks: Sequence[Check], when: dt.datetime) -> list[str]:
    """The result as lines of text, column A of the sheet “Kiểm tra máy” (one column: the text
    runs to the right, readable without formatting in a sheet the button adds itself)."""
    lines = [render_text("doctor_sheet_title"),
             render_text("doctor_sheet_when", f"{format_date(when.date())} {when:%H:%M}", verdict=verdict(checks)), ""]
    for n, c in enumerate(checks, start=1):
        lines.append(f"{n}. {check_title(c)}: {status_word(c.status)}")
        lines.append(f"    {c.message}")
        if c.status != "ok" and c.fix:
            lines.append("    " + render_text("doctor_sheet_fix", c.fix))
        lines.append("")
    lines.append(render_text("doctor_sheet_again"))
    return lines


def plan_doctor_sheet(plan: WritePlan, checks: Sequence[Check], when: dt.datetime) -> None:
    """The sheet “Kiểm tra máy” (added when the book lacks it): the lines of
    :func:`doctor_lines` from A1, the rows below up to :data:`DOCTOR_ROWS` cleared."""
    lines = doctor_lines(checks, when)
    plan.add_sheet(L.DOCTOR_SHEET)
    plan.add(L.DOCTOR_SHEET, 1, 1, [[line or None] for line in lines]
             + [[None]] * max(DOCTOR_ROWS - len(lines), 0))
