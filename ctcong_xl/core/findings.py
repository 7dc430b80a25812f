"""Findings: the one error model for user mistakes (in the spirit of frictionless-py).

A finding has a code (the key into the message catalogue), a severity, a position
(file, sheet, cell such as ``J7``), the value seen, and a Vietnamese message and hint that
come from :mod:`ctcong_xl.core.messages`. Core functions return findings; they never raise
for a user's mistake.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .messages import render, show_value

Severity = Literal["error", "warning"]


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)  # (validator built at the first finding)

    code: str
    severity: Severity
    message: str
    hint: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""
    value: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def at(self, *, file: str | None = None, sheet: str | None = None, cell: str | None = None) -> "Finding":
        """The same finding placed at a file / sheet / cell (only the given parts change)."""
        update: dict[str, str] = {}
        if file is not None:
            update["file"] = file
        if sheet is not None:
            update["sheet"] = sheet
        if cell is not None:
            update["cell"] = cell
        return self.model_copy(update=update)

    def located_message(self) -> str:
        """The message with its place in front, as a clerk reads it aloud."""
        where = []
        if self.file:
            where.append(f"Tệp {self.file}")
        if self.sheet:
            where.append(f"trang {self.sheet}")
        if self.cell:
            where.append(f"ô {self.cell}")
        head = ", ".join(where)
        text = f"{head}: {self.message}" if head else self.message
        if self.hint:
            text += f" Cách sửa: {self.hint}"
        return text


def finding(code: str, value: Any = "", /, **params: Any) -> Finding:
    """Make a finding from the catalogue. ``params`` fill the message's placeholders."""
    severity, message, hint = render(code, value, **params)
    return Finding(code=code, severity=severity, message=message, hint=hint, value=show_value(value))


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)
