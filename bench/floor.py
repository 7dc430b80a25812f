"""The floor: what reading the inbox and writing the result cannot go below in Python.

``python bench/floor.py WORKSPACE OUT.xlsx FIRST_DATA_ROW [--sheets FORM_SHEET...] [--writer
xlsxwriter|rustpy]`` reads every sheet of every inbox file and of the master with python-calamine
(Rust) and writes the data rows of the inbox files' form sheets (``--sheets``; every sheet when
not given) into one new workbook with XlsxWriter (``constant_memory``), or with
the Rust-backed ``rustpy-xlsxwriter`` (rust_xlsxwriter, constant memory; not a dependency of
ctcong-xl: install it beside to measure it). No checking, no merging, no hashing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from python_calamine import CalamineWorkbook


def read_all(path: Path) -> dict[str, list[list]]:
    with CalamineWorkbook.from_path(str(path)) as wb:
        return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def data_rows(workspace: Path, first_row: int, sheets: set[str] | None = None) -> Iterator[list]:
    """Every data row (below the header and example rows) of the form sheets of every inbox
    file; each file is read whole."""
    for path in sorted((workspace / "inbox").iterdir()):
        for name, rows in read_all(path).items():
            if sheets is None or name in sheets:
                yield from rows[first_row - 1:]


def write_xlsxwriter(out: Path, rows: Iterator[list]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = book.add_worksheet("Data")
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()


def write_rustpy(out: Path, rows: Iterator[list]) -> None:
    """The same rows through rustpy-xlsxwriter, which takes records (dicts, one key per column,
    streamed) and writes their keys as a header row first."""
    from rustpy_xlsxwriter import FastExcel

    keys = [f"c{i}" for i in range(RECORD_WIDTH)]

    def records() -> Iterator[dict]:
        for row in rows:
            if len(row) > RECORD_WIDTH:
                raise ValueError(f"a row of {len(row)} columns (more than {RECORD_WIDTH})")
            yield {k: (v if v != "" else None) for k, v in zip(keys, row + [None] * (RECORD_WIDTH - len(row)))}

    FastExcel(str(out)).sheet("Data", records()).save()


RECORD_WIDTH = 16  # the widest sheet of a template has 12 columns
WRITERS = {"xlsxwriter": write_xlsxwriter, "rustpy": write_rustpy}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("workspace", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("first_row", type=int)
    ap.add_argument("--writer", choices=sorted(WRITERS), default="xlsxwriter")
    ap.add_argument("--sheets", nargs="+", default=None, help="the form sheets (default: every sheet)")
    args = ap.parse_args(argv)
    read_all(next(args.workspace.glob("*.xlsm")))
    WRITERS[args.writer](args.out, data_rows(args.workspace, args.first_row, set(args.sheets or []) or None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
