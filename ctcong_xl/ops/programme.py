"""`programme` (issue 13): the annual programme and a month's programme that UBND tỉnh issues,
drafted from the master as administrative documents in ``reports/``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.dataset import Dataset
from ..core.programme import annual_programme_document, monthly_programme_document
from ..io import master as master_io
from .workspace import Workspace

if TYPE_CHECKING:
    from ..io.document import Published


def programme(ws: Workspace, *, month: int | None = None) -> Published:
    """``reports/ChuongTrinh_<year>.docx`` (the year's programme) or, with ``month``,
    ``reports/ChuongTrinhThang_<year>-<MM>.docx`` (+ .pdf where LibreOffice is installed)."""
    return programme_from(ws, master_io.read_master(ws.master, logs=False), month=month)  # writes no log


def programme_from(ws: Workspace, ds: Dataset, *, month: int | None = None) -> Published:
    """The programme of a dataset already read (from the file or the open book)."""
    from ..io.document import publish  # python-docx, matplotlib: only when a document is made

    year = ds.config.year
    if month is None:
        return publish(annual_programme_document(ds), ws.folder("reports") / f"ChuongTrinh_{year}.docx")
    return publish(monthly_programme_document(ds, month),
                   ws.folder("reports") / f"ChuongTrinhThang_{year}-{month:02d}.docx")
