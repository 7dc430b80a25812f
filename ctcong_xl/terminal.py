"""What the batch commands show in a terminal, shared by the CLI and the demo (rich renderables;
no markup, so agencies' text is printed as text), and the console that prints them: every
piece of text, whatever it came from (a file name, a cell, a message quoting one), reaches the
terminal with its control and escape sequences neutralised (:func:`~ctcong_xl.core.text.screen_safe`)."""

from __future__ import annotations

from rich.table import Table

from .core.status import Status
from .core.summary import Summary
from .core.text import format_date
from .console import SafeConsole  # noqa: F401 - the console that prints these views


def status_table(s: Summary) -> Table:
    """The count of each status at the as-of date, and the total without withdrawn items."""
    t = Table(title=f"Tình trạng đến ngày {format_date(s.as_of)}")
    t.add_column("Tình trạng")
    t.add_column("Số việc", justify="right")
    for st in Status:
        t.add_row(st.text, str(s.by_status[st.value]))
    t.add_row("Tổng số (không tính việc đã rút)", str(s.total))
    return t
