"""`remind` and `templates --send` (SPEC §7): per agency an e-mail draft (``.eml``) beside its
workbook in outbox/, and with ``send`` the drafts go out through SMTP and into the master's
send log (Nhật ký gửi thư). A dry run (the default) writes the drafts and sends nothing.
A letter already sent (same agency, same attachment content: :mod:`ctcong_xl.core.mail`)
is not sent again."""

from __future__ import annotations

import datetime as dt
import os
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from ..core import layout as L
from ..core import mail as rule
from ..core.forms import column_letter
from ..core.dataset import Dataset
from ..core.heading import programme_reference
from ..core.findings import Finding, finding
from ..core.models import Agency
from ..core.plan import WritePlan
from ..core.summary import reminder_items
from ..core.writeplan import plan_send_log
from ..io import mail as mail_io
from ..io import master as master_io
from ..io.templates import template_filename
from .workspace import Workspace, WorkspaceError, write_master

DRAFT, SENT, ALREADY_SENT, NO_ADDRESS, FAILED = rule.DRAFT, rule.SENT, rule.ALREADY_SENT, rule.NO_ADDRESS, rule.FAILED


@dataclass
class Outgoing:
    """One letter to one agency: its attachment, its draft, and what became of it."""

    agency: Agency
    attachment: Path
    draft: Path
    to: tuple[str, ...]
    sha256: str
    kind: str
    status: str = DRAFT

    @property
    def message(self) -> EmailMessage:
        """The letter as its draft holds it: read when sent, not kept (3,000 letters with their
        attachments held 750 MB)."""
        return mail_io.read_eml(self.draft)


@dataclass
class Reminder:
    agency: Agency
    overdue: list
    due_soon: list
    path: Path | None = None  # the workbook
    mail: Outgoing | None = None


@dataclass
class MailRun:
    letters: list[Outgoing] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    send: bool = False
    reminders: list[Reminder] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.letters if o.status == status)

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)

    def sent_text(self) -> str:
        """What became of the letters of a sending run, in one sentence (CLI and button)."""
        return (f"Thư: {self.count(SENT)} đã gửi, {self.count(ALREADY_SENT)} đã gửi trước đó (không gửi lại), "
                f"{self.count(NO_ADDRESS)} chưa có địa chỉ, {self.count(FAILED)} gửi không được; "
                f"ghi vào trang “{L.SEND_LOG_SHEET}”.")

    def unsent_lines(self) -> list[str]:
        """One line per letter of a sending run that did not go out now, with why."""
        return [f"{o.agency.name}: {rule.STATUS_TEXT[o.status]}" for o in self.letters if o.status != SENT]


# ---------------------------------------------------------------- reminders


def remind(ws: Workspace, *, as_of: dt.date | None = None, within: int | None = None, send: bool = False,
           today: dt.date | None = None, now: dt.datetime | None = None) -> MailRun:
    """The reminder workbooks and their drafts; with ``send`` the letters not yet sent go out."""
    with master_io.locked(ws.master):
        ds = master_io.read_master(ws.master)
        reminders = remind_from(ws, ds, as_of=as_of, within=within, today=today, now=now)
        run = dispatch(ws, ds, [r.mail for r in reminders if r.mail], send=send, now=now)
    run.reminders = reminders
    return run


def remind_from(ws: Workspace, ds: Dataset, *, as_of: dt.date | None = None, within: int | None = None,
                today: dt.date | None = None, now: dt.datetime | None = None) -> list[Reminder]:
    """For a dataset already read (from the file or the open book): per agency with overdue or
    soon-due items, the reminder workbook and its e-mail draft in outbox/."""
    from ..io.reminders import write_reminder  # XlsxWriter: only when reminders are written

    when = as_of or ds.config.effective_as_of(today or dt.date.today())
    days = within if within is not None else ds.config.remind_within_days
    out = []
    for a in ds.agencies:
        overdue, soon = reminder_items(ds.items_of(a.code), when, days)
        if not (overdue or soon):
            continue
        r = Reminder(a, overdue, soon)
        r.path = write_reminder(ws.folder("outbox"), a, overdue, soon, when, programme_reference(ds.config))
        to, _ = rule.addresses(a)
        letter = rule.reminder_letter(a, to, overdue=len(overdue), due_soon=len(soon), within_days=days, as_of=when,
                                      config=ds.config, attachment=r.path.name)
        r.mail = _draft(ds, letter, r.path, now)
        out.append(r)
    return out


# ---------------------------------------------------------------- templates


def mail_templates(ws: Workspace, kind: str, paths: list[Path], *, month: int | None = None, send: bool = False,
                   now: dt.datetime | None = None) -> MailRun:
    """Drafts for templates already written to outbox/ (``paths``, as ``make_templates``
    returns them); with ``send`` the letters not yet sent go out."""
    with master_io.locked(ws.master):
        ds = master_io.read_master(ws.master)
        by_name = {p.name: p for p in paths}
        letters = []
        for a in ds.agencies:
            path = by_name.get(template_filename(kind, a, ds.config.year, month))
            if path is None:
                continue
            to, _ = rule.addresses(a)
            letter = rule.template_letter(a, to, kind=kind, month=month, config=ds.config, attachment=path.name,
                                          deadline=ds.config.registration_deadline(kind, month))
            letters.append(_draft(ds, letter, path, now))
        return dispatch(ws, ds, letters, send=send, now=now)


# ---------------------------------------------------------------- drafts and sending


def _draft(ds: Dataset, letter: rule.Letter, attachment: Path, now: dt.datetime | None) -> Outgoing:
    msg = mail_io.build_message(letter, attachment, sender=rule.sender(ds.config), when=now or dt.datetime.now())
    draft = mail_io.write_eml(msg, attachment.with_suffix(".eml"))
    return Outgoing(letter.agency, attachment, draft, letter.to, mail_io.attachment_hash(attachment), letter.kind)


def dispatch(ws: Workspace, ds: Dataset, letters: list[Outgoing], *, send: bool,
             now: dt.datetime | None = None) -> MailRun:
    """Findings for agencies without a usable address; with ``send``, every letter with an
    address not already sent goes out and each attempt is appended to the master's send log."""
    return dispatch_to(ds, letters, send=send, now=now,
                       record=lambda plan: write_master(ws, ws.master, plan, ds.config))


def dispatch_to(ds: Dataset, letters: list[Outgoing], *, send: bool, record: Callable[[WritePlan], None],
                now: dt.datetime | None = None) -> MailRun:
    """:func:`dispatch` for a dataset read from anywhere: the send log's new rows are handed to
    ``record`` (the master file, or the book open in Excel), also when a run stops half-way."""
    run = MailRun(letters=letters, send=send)
    for o in letters:
        _, problems = rule.addresses(o.agency)
        run.findings += [f.at(sheet=L.REGISTRY_SHEET, cell=_email_cell(ds, o.agency.code)) for f in problems]
        if not o.to:
            o.status = NO_ADDRESS
    if not send:
        return run
    todo = []
    for o in letters:
        if o.status == NO_ADDRESS:
            continue
        if rule.already_sent(o.agency.code, o.sha256, ds.sent_mail):
            o.status = ALREADY_SENT
        else:
            todo.append(o)
    if not todo:
        return run
    host, port, mode, user, password = _settings(ds)
    records = []
    try:
        with mail_io.smtp_session(host, port, security=mode, user=user, password=password) as server:
            for o in todo:
                when = now or dt.datetime.now()
                try:
                    mail_io.send_message(server, o.message)
                except (OSError, smtplib.SMTPException) as exc:
                    o.status = FAILED
                    result = rule.FAILED_PREFIX + str(exc)
                    run.findings.append(finding("mail_send_failed", ", ".join(o.to), agency=o.agency.name,
                                                reason=str(exc)).at(file=o.draft.name))
                else:
                    o.status = SENT
                    result = rule.SENT_RESULT
                records.append(rule.SendRecord(when.replace(microsecond=0), o.agency.code, "; ".join(o.to), o.kind,
                                               o.attachment.name, o.sha256, result))
    except mail_io.MailError as exc:  # raised before anything was sent: the master stays as it was
        raise WorkspaceError(str(exc)) from exc
    finally:
        if records:
            plan = WritePlan()
            plan_send_log(plan, ds, records)
            record(plan)
    return run


def _settings(ds: Dataset) -> tuple[str, int, str, str, str]:
    c = ds.config
    if not c.smtp_host:
        raise WorkspaceError("Chưa có máy chủ thư: ghi “Máy chủ thư điện tử (SMTP)”, cổng và tài khoản ở trang "
                             "“Cấu hình” của sổ tổng hợp, rồi chạy lại với --send. Các bản nháp thư (.eml) đã có "
                             "trong thư mục outbox.")
    mode = rule.security_mode(c)
    if mode is None:
        raise WorkspaceError(f"Ô “Bảo mật kết nối thư” ghi “{c.smtp_security}”; ghi STARTTLS, SSL hoặc Không.")
    password = os.environ.get(rule.SMTP_PASSWORD_ENV, "")
    if c.smtp_user and not password:
        raise WorkspaceError(f"Chưa có mật khẩu thư của tài khoản {c.smtp_user}: đặt biến môi trường "
                             f"{rule.SMTP_PASSWORD_ENV} (không ghi mật khẩu vào sổ), rồi chạy lại với --send.")
    return c.smtp_host, c.smtp_port, mode, c.smtp_user, password


def _email_cell(ds: Dataset, code: str) -> str:
    row = ds.registry_index.rows.get(code)
    col = ds.registry_index.columns.get("email")
    return f"{column_letter(col)}{row}" if row and col else ""
