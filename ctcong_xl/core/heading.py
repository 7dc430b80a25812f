"""The texts the Office's documents (:mod:`.documents`) and the programme's print view
(:mod:`.printview`) share: the issuing body's name, the programme as later texts cite it, the
roman numerals of sections — apart from the document model, which the print view does not need
(a summary writes the print view and imports none of it)."""

from __future__ import annotations

from .models import ProgrammeConfig
from .text import format_date

PROVINCE_BLANK = "……"


def roman(n: int) -> str:
    values = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
              (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for v, s in values:
        while n >= v:
            out += s
            n -= v
    return out


def province_upper(config: ProgrammeConfig) -> str:
    return (config.province or PROVINCE_BLANK).upper()


def programme_reference(config: ProgrammeConfig) -> str:
    """``Chương trình công tác năm 2026 (số 27/CTr-UBND ngày 10/01/2026) của UBND tỉnh``: the
    issued programme as later documents cite it."""
    issued = []
    if config.program_number:
        issued.append(f"số {config.program_number}")
    if config.program_date:
        issued.append(f"ngày {format_date(config.program_date)}")
    return f"Chương trình công tác năm {config.year}" + (f" ({' '.join(issued)})" if issued else "") + " của UBND tỉnh"
