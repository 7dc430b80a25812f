"""Agency text is never live anywhere (SECURITY.md): one corpus of payloads — formulas that call
out (HYPERLINK, DDE), sign-led text, terminal escape sequences, a carriage return that
overprints, a right-to-left override — sent through the fields an agency fills and through file
names, then looked for in every output: the master, the templates' pre-fill, reminders,
returned copies, the report, the JSON and the terminal. Nowhere is it a formula, a field or a
control sequence."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path

from helpers import Office, run_cli
from hostile import shared_string

FORMULAS = [
    '=HYPERLINK("http://evil.example/","Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
]
LIVE = re.compile(r"HYPERLINK|cmd\|")  # what must never be inside a formula or field of an output
ESCAPES = "\x1b[2J\x1b[32mnhận\x1b[0m"  # clears the screen, prints a fake green "nhận"
FIELDS = ("noi_dung", "can_cu", "ghi_chu", "don_vi_phoi_hop")
AS_OF = dt.date(2026, 5, 4)


def payload_rows() -> list[dict]:
    rows = []
    for n, text in enumerate(FORMULAS):
        row = {k: text for k in FIELDS}
        row.update(noi_dung=f"Việc {n + 1}: {text}" if n % 2 else text, thoi_han="Quý I/2026")
        rows.append(row)
    rows.append({"noi_dung": "ESCMARK", "ghi_chu": "Dòng một\rnhận \u202eđổi chiều", "thoi_han": "Quý I/2026"})
    return rows


def live_formulas(path: Path) -> list[str]:
    """Formula and field texts of an .xlsx or .docx that carry a payload."""
    found = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not name.endswith(".xml"):
                continue
            xml = zf.read(name).decode("utf-8", "replace")
            for f in re.findall(r"<(?:\w+:)?(?:f|instrText)\b[^>]*>([^<]*)<", xml):
                if LIVE.search(f):
                    found.append(f"{path.name}:{name}: {f}")
            if re.search(r"<w:fldSimple[^>]*(HYPERLINK|cmd)", xml):
                found.append(f"{path.name}:{name}: fldSimple")
    return found


def test_payloads_in_every_field_and_name_reach_every_output_as_text(office: Office):
    sent = office.send("annual", "STC", payload_rows(), name="=cmd|' C calc'!A0 \x1b[2J.xlsx")
    shared_string(b"ESCMARK", "Đề án _x001B_[2J_x001B_[32mnhận_x001B_[0m".encode())(sent.read_bytes(), sent)
    office.send("annual", "SNV", [{**payload_rows()[0], "thoi_han": "Quý 5/2026"}],
                         name="\u202exslx.SNV \x1b]0;title\x07.xlsx")

    code, out, err = run_cli("consolidate", office.root)  # the terminal
    assert code == 1
    for stream in (out, err):
        assert "\x1b" not in stream and "\r" not in stream and "\u202e" not in stream
    assert "\\x1b[2J" in out  # shown, not acted on

    code, js, _ = run_cli("validate", office.root, "--json")  # the JSON
    doc = json.loads(js)
    assert "\x1b" not in js and any("=cmd|" in f["file"] for f in doc["files"])

    items = office.dataset().items
    assert any(i.noi_dung.startswith("=HYPERLINK(") for i in items)
    escaped = [i.noi_dung for i in items if "[2J" in i.noi_dung]
    assert escaped and not any("\x1b" in t for t in escaped), [i.noi_dung for i in items]  # no control character

    run_cli("templates", office.root, "--kind", "progress", "--agency", "STC")
    run_cli("remind", office.root, "--as-of", AS_OF.isoformat())
    run_cli("report", office.root, "--as-of", AS_OF.isoformat())
    outputs = [office.ws.master, *sorted((office.root / "outbox").glob("*.xlsx")),
               *sorted((office.root / "returned").glob("*.xlsx")), *sorted((office.root / "reports").glob("*.docx"))]
    kinds = {p.parent.name for p in outputs}
    assert kinds >= {"outbox", "returned", "reports"} and any(p.name.startswith("DonDoc") for p in outputs)
    assert [f for p in outputs for f in live_formulas(p)] == []
