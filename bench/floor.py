"""The floor: what reading the inbox and writing the result cannot go below in Python.

``python bench/floor.py WORKSPACE OUT.xlsx FIRST_DATA_ROW`` reads every sheet of every inbox file and of the
master with python-calamine (Rust) and writes all data rows of the inbox files into one new
workbook with XlsxWriter (``constant_memory``). No checking, no merging, no hashing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook


def read_all(path: Path) -> dict[str, list[list]]:
    with CalamineWorkbook.from_path(str(path)) as wb:
        return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def main(workspace: Path, out: Path, first_row: int) -> int:
    read_all(next(workspace.glob("*.xlsm")))
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = book.add_worksheet("Data")
    r = 0
    for path in sorted((workspace / "inbox").iterdir()):
        sheets = read_all(path)
        for rows in sheets.values():
            for row in rows[first_row - 1:]:  # below the template's header and example rows
                sheet.write_row(r, 0, row)
                r += 1
    book.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])))
