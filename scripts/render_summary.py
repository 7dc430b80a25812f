"""Render the demo's printed sheets to docs/ (the README's pictures) as LibreOffice with its
DEFAULT settings prints them: no recalculation, the values the tool stored with its formulas.

* docs/master.png: the six A4 pages of *Tổng hợp* side by side (tables, each with its chart)
* docs/print-programme.png: the first page of *Bản in chương trình*
* docs/print-summary-N.png: each page of *Tổng hợp*
* docs/print-instructions.png, docs/print-registry.png: *Hướng dẫn*, *Đơn vị*
* docs/print-reminder.png: a reminder list (đôn đốc) of the demo

    .venv/bin/python scripts/render_summary.py
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from PIL import Image
from rich.console import Console

from ctcong_xl.demo import run_demo
from ctcong_xl.io.recalc import as_shown

DPI = 80
# picture -> a text on its page (the first page that has it)
PAGES = {
    "print-instructions.png": "HƯỚNG DẪN SỬ DỤNG SỔ",
    "print-registry.png": "Ngày nhận đăng ký năm",
    "print-programme.png": "CHƯƠNG TRÌNH CÔNG TÁC NĂM 2026 CỦA ỦY BAN NHÂN DÂN TỈNH",
}
SUMMARY_FIRST = "TỔNG HỢP TÌNH HÌNH THỰC HIỆN"
SUMMARY_PAGES = 6


def _pages(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return [subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout for p in range(1, count + 1)]


def _png(pdf: Path, page: int, out: Path) -> Path:
    stem = out.with_suffix("")
    subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(DPI), "-png", "-singlefile", str(pdf),
                    str(stem)], check=True)
    return out


def main() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs"
    with tempfile.TemporaryDirectory() as tmp:
        ws = run_demo(Path(tmp) / "demo", Console(quiet=True))
        pdf = as_shown(ws.master, Path(tmp) / "pdf", "pdf")
        texts = [re.sub(r"\s+", " ", t) for t in _pages(pdf)]
        made = []
        for name, mark in PAGES.items():
            page = next(n for n, text in enumerate(texts, start=1) if mark in text)
            made.append(_png(pdf, page, docs / name))
        first = next(n for n, text in enumerate(texts, start=1) if SUMMARY_FIRST in text)
        summary = [_png(pdf, first + k, docs / f"print-summary-{k + 1}.png") for k in range(SUMMARY_PAGES)]
        made += summary
        pictures = [Image.open(p) for p in summary]
        w, h = pictures[0].size
        sheet = Image.new("RGB", (2 * w, 3 * h), "white")
        for k, picture in enumerate(pictures):
            sheet.paste(picture, ((k % 2) * w, (k // 2) * h))
        sheet.save(docs / "master.png", optimize=True)
        made.append(docs / "master.png")
        reminder = sorted(ws.folder("outbox").glob("DonDoc_*.xlsx"))[0]
        made.append(_png(as_shown(reminder, Path(tmp) / "pdf", "pdf"), 1, docs / "print-reminder.png"))
        for out in made:
            print(f"{out} ({out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
