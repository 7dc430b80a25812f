"""The console the CLI and the demo print through: every piece of text, whatever it came from
(a file name, a cell, a message quoting one), reaches the terminal with its control and escape
sequences neutralised (:func:`~ctcong_xl.core.text.screen_safe`, imported on first print so
that starting the CLI stays light)."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment


def _safe(text: str) -> str:
    from .core.text import screen_safe

    return screen_safe(text, newlines=True)


class SafeConsole(Console):
    """A rich console without markup or highlighting whose output cannot carry a control or
    escape sequence from agencies' text (``\\x1b[2J``, a fake green “nhận``, ``\\r``)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(highlight=False, markup=False, **kwargs)

    def render_str(self, text: str, **kwargs):  # table cells and printed strings: before layout
        return super().render_str(_safe(text), **kwargs)

    def render(self, renderable, options=None):  # everything else (Text built by the caller): as printed
        for segment in super().render(renderable, options):
            if segment.control or not segment.text:
                yield segment
            else:
                yield Segment(_safe(segment.text), segment.style)


__all__ = ["SafeConsole"]
