"""Render page 1 of the demo's report and programmes to docs/ (the README's pictures), and
the first page of the annual programme's table.

    .venv/bin/python scripts/render_documents.py
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from rich.console import Console

from ctcong_xl import ops
from ctcong_xl.demo import DEMO_AS_OF, run_demo
from ctcong_xl.io.document import to_pdf

MONTH = 10  # the month after the demo's as-of date (30/09)


def main() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs"
    docs.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ws = run_demo(Path(tmp) / "demo", Console(quiet=True))
        report = ws.folder("reports") / f"BaoCao_{DEMO_AS_OF:%Y-%m-%d}.docx"
        annual = ops.programme(ws).docx
        month = ops.programme(ws, month=MONTH).docx
        pages = [(report, 1, "report.png"), (annual, 1, "programme.png"), (annual, 3, "programme-table.png"),
                 (month, 1, "programme-month.png")]
        for document, page, name in pages:
            pdf = document.with_suffix(".pdf")
            if not pdf.exists():
                pdf = to_pdf(document)
            stem = Path(tmp) / name.removesuffix(".png")
            subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", "80", "-png", "-singlefile",
                            str(pdf), str(stem)], check=True)
            (docs / name).write_bytes(stem.with_suffix(".png").read_bytes())
            print(f"{docs / name} ({(docs / name).stat().st_size // 1024} KB): {document.name}, page {page}")


if __name__ == "__main__":
    main()
