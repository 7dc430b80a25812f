"""The floor: what reading the inbox and writing the result cannot go below in Python.

``python bench/floor.py WORKSPACE OUT.xlsx FIRST_DATA_ROW [--sheets FORM_SHEET...] [--writer
xlsxwriter|rustpy]`` reads every sheet of every inbox file and of the master with python-calamine
(Rust) and writes the data rows of the inbox files' form sheets (``--sheets``; every sheet when
not given) into one new workbook with XlsxWriter (``constant_memory``), or with
the Rust-backed ``rustpy-xlsxwriter`` (rust_xlsxwriter, constant memory; not a dependency of
ctcong-xl: install it beside to measure it). No checking, no merging, no hashing.

``--new FILE...`` reads only those inbox files, and ``--master-sheets SHEET...`` reads only
those sheets of the master and writes their rows too, before the inbox rows: the floor of one
new file into a consolidated master (read the programme and the file, write the programme
again), to set beside ctcong-xl's incremental run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from python_calamine import CalamineWorkbook


def read_all(path: Path, only: list[str] | None = None) -> dict[str, list[list]]:
    """Every sheet of the workbook (those named ``only``, when given)."""
    with CalamineWorkbook.from_path(str(path)) as wb:
        return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names
                if only is None or name in only}


def data_rows(workspace: Path, first_row: int, sheets: set[str] | None = None,
              only: set[str] | None = None) -> Iterator[list]:
    """Every data row (below the header and example rows) of the form sheets of every inbox
    file (of the files named ``only``, when given); each file is read whole."""
    for path in sorted((workspace / "inbox").iterdir()):
        if only is not None and path.name not in only:
            continue
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
    ap.add_argument("--new", nargs="+", default=None, help="read only these inbox files (names)")
    ap.add_argument("--master-sheets", nargs="+", default=[], help="write these sheets of the master too")
    args = ap.parse_args(argv)
    master = read_all(next(args.workspace.glob("*.xlsm")), args.master_sheets or None)
    kept = [row for name in args.master_sheets for row in master.get(name, [])]
    rows = data_rows(args.workspace, args.first_row, set(args.sheets or []) or None,
                     set(args.new) if args.new else None)
    WRITERS[args.writer](args.out, chain(kept, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
