"""The operations of SPEC §7, as a library: one module per operation. The CLI and the Excel
buttons are thin doors over these functions; each returns plain result objects and leaves
printing to the door.

* :mod:`.workspace` — folders, the master in it, ``init``, the one atomic write of a plan;
* :mod:`.templates` — ``templates``;
* :mod:`.intake` — ``validate`` and ``consolidate``;
* :mod:`.review` — ``summary``, ``report``;
* :mod:`.programme` — ``programme`` (the annual and monthly programme documents);
* :mod:`.mail` — ``remind`` and ``templates --send``: reminder workbooks, e-mail drafts, sending;
* :mod:`.registry` — ``agencies`` (list, add, rename, merge: the registry's reorganisations);
* :mod:`.doctor` — ``doctor`` (will the Excel buttons work on this PC?).

Only :mod:`.workspace` is imported by the others.
"""

from .doctor import run_doctor
from .intake import FileCheck, Progress, RunReport, check_file, consolidate, plan_consolidation, plan_validation, validate
from .mail import MailRun, Outgoing, Reminder, dispatch_to, mail_templates, remind, remind_from
from .programme import programme, programme_from
from .registry import add_agency, list_agencies, merge_agencies, rename_agency
from .review import plan_summary, report, report_from, summary
from .templates import make_templates, make_templates_from
from .workspace import (FOLDERS, KEY_FILE, Workspace, WorkspaceError, ensure_template_key, init_workspace,
                        open_workspace, template_key, write_master)

__all__ = [
    "FOLDERS", "KEY_FILE", "ensure_template_key", "template_key", "FileCheck", "MailRun", "Outgoing", "dispatch_to", "mail_templates", "add_agency", "list_agencies", "merge_agencies",
    "rename_agency", "Progress", "Published", "Reminder", "RunReport", "Workspace", "WorkspaceError", "check_file",
    "consolidate", "init_workspace", "make_templates", "make_templates_from", "open_workspace", "plan_consolidation",
    "plan_summary", "plan_validation", "run_doctor", "programme", "programme_from", "remind", "remind_from", "report", "report_from", "summary", "validate", "write_master",
]


def __getattr__(name: str):
    """``ops.Published`` (the documents' door, python-docx and matplotlib) is imported when asked
    for, not by every command."""
    if name == "Published":
        from ..io.document import Published

        return Published
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
