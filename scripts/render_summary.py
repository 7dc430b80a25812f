"""Render the demo master's summary sheet to docs/master.png (the README's picture) as
LibreOffice with its DEFAULT settings shows it: no recalculation, the values the tool stored
with its formulas.

    .venv/bin/python scripts/render_summary.py
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from rich.console import Console

from ctcong_xl.demo import run_demo
from ctcong_xl.io.recalc import as_shown

PAGES = {"master.png": "TỔNG HỢP TÌNH HÌNH THỰC HIỆN"}  # picture -> a text on its page


def main() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs"
    with tempfile.TemporaryDirectory() as tmp:
        ws = run_demo(Path(tmp) / "demo", Console(quiet=True))
        pdf = as_shown(ws.master, Path(tmp) / "pdf", "pdf")
        pages = int(next(line.split()[-1] for line in subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                                     text=True, check=True).stdout.splitlines()
                         if line.startswith("Pages:")))
        texts = [subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True,
                                text=True, check=True).stdout for p in range(1, pages + 1)]
        for name, mark in PAGES.items():
            page = next(n for n, text in enumerate(texts, start=1) if mark in text)
            stem = Path(tmp) / "page"
            subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "80", "-png", "-singlefile",
                            str(pdf), str(stem)], check=True)
            out = docs / name
            out.write_bytes(stem.with_suffix(".png").read_bytes())
            print(f"{out} ({out.stat().st_size // 1024} KB), page {page} of {pages}")


if __name__ == "__main__":
    main()
