"""Render the demo master's summary sheet to docs/master.png (the README's picture).

    .venv/bin/python scripts/render_summary.py
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from rich.console import Console

from ctcong_xl.demo import run_demo
from ctcong_xl.io.recalc import convert

TITLE = "TỔNG HỢP TÌNH HÌNH THỰC HIỆN"


def main() -> None:
    out = Path(__file__).resolve().parents[1] / "docs" / "master.png"
    with tempfile.TemporaryDirectory() as tmp:
        ws = run_demo(Path(tmp) / "demo", Console(quiet=True))
        pdf = convert(ws.master, Path(tmp) / "pdf", "pdf")
        pages = int(next(l.split()[-1] for l in subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                               text=True, check=True).stdout.splitlines()
                         if l.startswith("Pages:")))
        for page in range(1, pages + 1):
            text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                                  capture_output=True, text=True, check=True).stdout
            if TITLE in text:
                break
        else:
            raise SystemExit("summary page not found")
        stem = Path(tmp) / "page"
        subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "80", "-png", "-singlefile",
                        str(pdf), str(stem)], check=True)
        out.parent.mkdir(exist_ok=True)
        out.write_bytes(stem.with_suffix(".png").read_bytes())
    print(f"{out} ({out.stat().st_size // 1024} KB), page {page} of {pages}")


if __name__ == "__main__":
    main()
