"""The e-mail door: a letter and its attachment as an ``.eml`` draft (the stdlib ``email``
package, UTF-8), and sending drafts through SMTP (``smtplib``: STARTTLS, SSL or plain)."""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import smtplib
import ssl
import zipfile
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

import datetime as dt

from ..core.mail import Letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Parts of an Office package that change every time the same content is written again.
_VOLATILE_PARTS = frozenset({"docProps/core.xml"})
TIMEOUT = 60.0


class MailError(Exception):
    """The mail server cannot be reached or refuses the login; the message is Vietnamese."""


def attachment_hash(path: Path) -> str:
    """SHA-256 of an attachment's content. For an Office package (.xlsx) the package's parts
    except its creation time (``docProps/core.xml``), so a workbook written again with the
    same content has the same hash; for any other file its bytes."""
    h = hashlib.sha256()
    try:
        with zipfile.ZipFile(path) as z:
            for name in sorted(z.namelist()):
                if name in _VOLATILE_PARTS:
                    continue
                h.update(name.encode("utf-8") + b"\0")
                h.update(hashlib.sha256(z.read(name)).digest())
        return h.hexdigest()
    except zipfile.BadZipFile:
        return hashlib.sha256(path.read_bytes()).hexdigest()


def build_message(letter: Letter, attachment: Path, *, sender: tuple[str, str], when: dt.datetime) -> EmailMessage:
    """The letter as a MIME message: UTF-8 text body, the workbook attached, Vietnamese names
    in the headers encoded per RFC 2047."""
    msg = EmailMessage(policy=policy.SMTP)
    name, address = sender
    msg["From"] = formataddr((name, address)) if address else name
    if letter.to:
        msg["To"] = ", ".join(formataddr((letter.agency.name, a)) for a in letter.to)
    msg["Subject"] = letter.subject
    msg["Date"] = format_datetime(when.astimezone())
    domain = address.rpartition("@")[2] if "@" in address else "ctcong-xl.local"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["X-Unsent"] = "1"  # Outlook opens a draft .eml ready to send
    msg.set_content(letter.body, charset="utf-8")
    ctype = XLSX_TYPE if attachment.suffix.lower() == ".xlsx" else (
        mimetypes.guess_type(attachment.name)[0] or "application/octet-stream")
    maintype, subtype = ctype.split("/", 1)
    msg.add_attachment(attachment.read_bytes(), maintype=maintype, subtype=subtype, filename=attachment.name)
    return msg


def write_eml(msg: EmailMessage, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msg.as_bytes(policy=policy.SMTP))
    return path


def read_eml(path: Path) -> EmailMessage:
    from email import message_from_bytes

    return message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[return-value]


@contextlib.contextmanager
def smtp_session(host: str, port: int, *, security: str, user: str = "", password: str = "") -> Iterator[smtplib.SMTP]:
    """A logged-in SMTP connection (``security``: starttls | ssl | none)."""
    context = ssl.create_default_context()
    try:
        if security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
        else:
            server = smtplib.SMTP(host, port, timeout=TIMEOUT)
            if security == "starttls":
                server.starttls(context=context)
        if user:
            _login(server, user, password)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"Máy chủ thư {host} từ chối đăng nhập tài khoản {user}: kiểm tra tài khoản ở trang "
                        "“Cấu hình” và mật khẩu trong biến môi trường.") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"Không kết nối được máy chủ thư {host}:{port} ({security.upper()}): {exc}. "
                        "Kiểm tra máy chủ, cổng và kiểu bảo mật ở trang “Cấu hình”.") from exc
    try:
        yield server
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            server.quit()


def _login(server: smtplib.SMTP, user: str, password: str) -> None:
    """Log in with AUTH PLAIN where the server offers it (one attempt: a refused password is
    not retried with every other mechanism), else as smtplib chooses."""
    server.ehlo_or_helo_if_needed()
    if "plain" in server.esmtp_features.get("auth", "").lower().split():
        server.user, server.password = user, password
        code, resp = server.auth("PLAIN", server.auth_plain, initial_response_ok=True)
        if code != 235:  # pragma: no cover - auth() raises for a refusal
            raise smtplib.SMTPAuthenticationError(code, resp)
    else:
        server.login(user, password)


def send_message(server: smtplib.SMTP, msg: EmailMessage) -> None:
    """Send one draft (without the draft marker); raises smtplib/OS errors for the caller to log."""
    del msg["X-Unsent"]
    server.send_message(msg)
