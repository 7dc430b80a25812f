"""The naive loop an analyst would write: pandas + openpyxl.

``python bench/naive.py WORKSPACE HEADER_ROW PROGRAMME_SHEET FORM_SHEET...`` reads every inbox file with ``pandas.read_excel`` (openpyxl
engine, the form sheet under its header row), concatenates them, loads the master with openpyxl
(``keep_vba``), appends every row to the programme sheet and saves the master. No checking.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pandas as pd


def main(workspace: Path, header_row: int, form_sheets: list[str], programme_sheet: str) -> int:
    frames = []
    for path in sorted((workspace / "inbox").iterdir()):
        with pd.ExcelFile(path, engine="openpyxl") as book:
            for name in book.sheet_names:
                if name in form_sheets:
                    frame = book.parse(name, header=header_row - 1)
                    frames.append(frame.iloc[1:].assign(nguon=path.name))  # under the example row
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    master = next(workspace.glob("*.xlsm"))
    wb = openpyxl.load_workbook(master, keep_vba=True)
    ws = wb[programme_sheet]
    for row in data.itertuples(index=False):
        ws.append([None if pd.isna(v) else v for v in row])
    wb.save(master)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[4:], sys.argv[3]))
