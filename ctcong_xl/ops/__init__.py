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

# Each name and the module that defines it: a command imports only its own operation (and what
# that needs), not every other one — `summary` does not load the mail door, `validate` not the
# doctor's xlwings.
_MODULE_OF = {
    "run_doctor": "doctor",
    **dict.fromkeys(("FileCheck", "Progress", "RunReport", "check_file", "consolidate", "plan_consolidation",
                     "plan_validation", "validate"), "intake"),
    **dict.fromkeys(("MailRun", "Outgoing", "Reminder", "dispatch_to", "mail_templates", "remind", "remind_from"), "mail"),
    **dict.fromkeys(("programme", "programme_from"), "programme"),
    **dict.fromkeys(("add_agency", "list_agencies", "merge_agencies", "rename_agency"), "registry"),
    **dict.fromkeys(("plan_summary", "report", "report_from", "summary"), "review"),
    **dict.fromkeys(("make_templates", "make_templates_from"), "templates"),
    **dict.fromkeys(("FOLDERS", "KEY_FILE", "Workspace", "WorkspaceError", "ensure_template_key", "init_workspace",
                     "open_workspace", "template_key", "write_master"), "workspace"),
}

__all__ = [
    "FOLDERS", "KEY_FILE", "ensure_template_key", "template_key", "FileCheck", "MailRun", "Outgoing", "dispatch_to", "mail_templates", "add_agency", "list_agencies", "merge_agencies",
    "rename_agency", "Progress", "Published", "Reminder", "RunReport", "Workspace", "WorkspaceError", "check_file",
    "consolidate", "init_workspace", "make_templates", "make_templates_from", "open_workspace", "plan_consolidation",
    "plan_summary", "plan_validation", "run_doctor", "programme", "programme_from", "remind", "remind_from", "report", "report_from", "summary", "validate", "write_master",
]


def __getattr__(name: str):
    """``ops.<name>`` imports the module of that operation when first asked for; ``ops.Published``
    (the documents' door, python-docx and matplotlib) likewise."""
    import importlib

    if name == "Published":
        from ..io.document import Published

        return Published
    if name in _MODULE_OF:
        value = getattr(importlib.import_module(f".{_MODULE_OF[name]}", __name__), name)
        globals()[name] = value
        return value
    if name in set(_MODULE_OF.values()):  # ``ops.intake`` … before anything imported it
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
