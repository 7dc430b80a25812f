"""The operations of SPEC §7, as a library: one module per operation. The CLI and the Excel
buttons are thin doors over these functions; each returns plain result objects and leaves
printing to the door.

* :mod:`.workspace` — folders, the master in it, ``init``, the one atomic write of a plan;
* :mod:`.templates` — ``templates``;
* :mod:`.intake` — ``validate`` and ``consolidate``;
* :mod:`.review` — ``summary``, ``report``, ``remind``.

Only :mod:`.workspace` is imported by the others.
"""

from .intake import FileCheck, Progress, RunReport, check_file, consolidate, plan_consolidation, plan_validation, validate
from .review import Reminder, plan_summary, remind, remind_from, report, summary
from .templates import make_templates, make_templates_from
from .workspace import FOLDERS, Workspace, WorkspaceError, init_workspace, open_workspace, write_master

__all__ = [
    "FOLDERS", "FileCheck", "Progress", "Reminder", "RunReport", "Workspace", "WorkspaceError", "check_file",
    "consolidate", "init_workspace", "make_templates", "make_templates_from", "open_workspace", "plan_consolidation",
    "plan_summary", "plan_validation", "remind", "remind_from", "report", "summary", "validate", "write_master",
]
