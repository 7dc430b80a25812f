"""The printed page: A4 landscape geometry, the width of columns on paper, the effective font
size a fit-to-width print gives, and the height of a row of wrapped text. One definition for
every writer (the master's builder and patcher, the reminder lists) and for the tests.

Column widths are in Excel's units (characters of the workbook's Normal font, Times New Roman
12): one unit is 8 pixels of that font's digit, plus 5 pixels of padding per column, at 96
pixels per inch (LibreOffice measured here: a column of width 10, stored as 10.71, is 64.2 pt
on the PDF page; :func:`column_points` says 64.29 pt).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from collections.abc import Iterable

A4 = 9  # OOXML paperSize of A4
A3 = 8
A4_LONG_PT = 841.89  # 297 mm
A4_SHORT_PT = 595.28  # 210 mm
MARGIN_SIDE_IN = 0.4  # left and right margins of every printed sheet
MARGIN_TOP_IN = 0.5
DIGIT_PX = 8  # width of a digit of Times New Roman 12 at 96 dpi: Excel's unit of column width
PADDING_PX = 5
FOOTER_ROOM_PT = 28.0
MIN_READABLE_PT = 9.0  # the smallest effective font size a printed sheet may have

LINE_HEIGHT_PT = 15.75  # one line of 12-point Times New Roman
DEFAULT_COLUMN_WIDTH = 8.43
CELL_PADDING_PT = 4.0  # the room a cell leaves beside its text
MAX_ROW_LINES = 25  # a row never grows beyond this many lines (Excel's limit is 409 pt)


def printable_width_pt(landscape: bool = True) -> float:
    """The width inside the side margins of an A4 page."""
    return (A4_LONG_PT if landscape else A4_SHORT_PT) - 2 * 72 * MARGIN_SIDE_IN


def printable_height_pt(landscape: bool = True) -> float:
    """The height inside the top and bottom margins of an A4 page, less the room LibreOffice
    gives the footer (Excel prints it inside the margin)."""
    return (A4_SHORT_PT if landscape else A4_LONG_PT) - 2 * 72 * MARGIN_TOP_IN - FOOTER_ROOM_PT


def stored_width(width: float) -> float:
    """The width a writer stores for a column of ``width`` characters (XlsxWriter, like Excel,
    adds 5 pixels of padding, at 7 pixels a unit)."""
    return (int(width * 7 + 5) / 7) if width >= 1 else width


def column_points(width: float, *, stored: bool = False) -> float:
    """The width on paper (points, at 100 %) of a column of ``width`` characters, or of the
    width as the file stores it (``stored``): 8 pixels of Times New Roman 12 a unit."""
    return (width if stored else stored_width(width)) * DIGIT_PX * 0.75


def fit_to_width_scale(widths: Iterable[float], landscape: bool = True, *, stored: bool = False) -> float:
    """The scale a print "fit to 1 page wide" applies to columns of these widths (never above
    100 %; Excel rounds down to a whole percent)."""
    total = sum(column_points(w, stored=stored) for w in widths)
    if total <= 0:
        return 1.0
    return min(100, math.floor(100 * printable_width_pt(landscape) / total)) / 100


def effective_font_size(font_size: float, widths: Iterable[float], landscape: bool = True, *,
                        stored: bool = False) -> float:
    """The size, on paper, of ``font_size`` text in a sheet of these column widths printed
    fit to one page wide."""
    return round(font_size * fit_to_width_scale(widths, landscape, stored=stored), 2)


_WIDEST_POINTS = 8.0  # the widest advance :func:`_char_points` gives


def _char_points(ch: str) -> float:
    """The advance of one character of 12-point Times New Roman (measured on LibreOffice's
    PDF: lower-case Vietnamese letters about 5.4 pt, capitals 8, digits 6, a space 3)."""
    if ch == " ":
        return 3.0
    if ch.isdigit():
        return 6.0
    if ch.isalpha():
        return 8.0 if ch.isupper() else 5.4
    return 4.0


@lru_cache(maxsize=1 << 16)
def _word_points(word: str) -> float:
    """The advance of a word (remembered: the same syllables come back in every row)."""
    return sum(_char_points(c) for c in word)


_PIECES = re.compile(r"[^ -]*[ -]|[^ -]+")  # the pieces a line may break between: after a space or a hyphen


@lru_cache(maxsize=1 << 14)
def text_lines(text: str, width: float, font_size: float = 12) -> int:
    """How many lines ``text`` wraps to in a column of ``width`` units: the words laid out
    greedily at the measured widths of Times New Roman, with 5 % to spare (Excel draws text a
    little wider than LibreOffice); a word longer than the line is broken. (Remembered: a
    programme's texts are measured for its sheet and again for its print view.)"""
    capacity = max(1.0, (column_points(width) - CELL_PADDING_PT) * 0.95) * 12 / font_size
    text = str(text)
    if len(text) * _WIDEST_POINTS <= capacity and "\n" not in text:  # fits even if every character were a capital
        return 1
    return laid_out_lines(text, capacity)


@lru_cache(maxsize=1 << 16)
def _word_room(word: str) -> tuple[float, float]:
    """A word's advance, and the room it takes at the end of a line (its last space takes none)."""
    size = _word_points(word)
    return size, (size - 3.0 if word[-1] == " " else size)


def laid_out_lines(text: str, capacity: float) -> int:
    """The lines of :func:`text_lines`, the words laid out on lines of ``capacity`` points."""
    lines = 0
    for part in text.split("\n"):
        lines += 1
        used = 0.0
        for size, fits in map(_word_room, _PIECES.findall(part)):
            if used and used + fits > capacity:
                lines += 1
                used = 0.0
            while fits > capacity:  # a word wider than the column
                lines += 1
                fits -= capacity
                size -= capacity
            used += size
    return max(lines, 1)


def row_height(lines: int, font_size: float = 12) -> float:
    """The height (points) of a row of ``lines`` lines of text."""
    return round(min(max(lines, 1), MAX_ROW_LINES) * LINE_HEIGHT_PT * font_size / 12, 2)


def wrapped_row_height(cells: Iterable[tuple[str, float]], font_size: float = 12) -> float | None:
    """The height of a row whose wrapped cells are (text, column width) pairs, or None when
    every cell fits on one line (the row keeps the default height)."""
    lines = max((text_lines(text, width, font_size) for text, width in cells if text), default=1)
    return row_height(lines, font_size) if lines > 1 else None


def text_points(text: str, font_size: float = 12) -> float:
    """The width of one line of ``text`` on paper (points, at 100 %)."""
    return sum(_char_points(c) for c in str(text)) * font_size / 12


def width_for(texts: Iterable[str], minimum: float, font_size: float = 12) -> float:
    """A column width (characters, as a builder sets it) that shows the longest of ``texts``
    on one line, and at least ``minimum``."""
    widest = max((text_points(t, font_size) for t in texts if t), default=0.0)
    needed = (widest + CELL_PADDING_PT) / (DIGIT_PX * 0.75) - 5 / 7
    return max(float(minimum), math.ceil(needed) + 1)  # a character to spare: Excel draws a little wider
