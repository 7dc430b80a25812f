"""Reminders and templates that go out by e-mail: an `.eml` draft per agency beside its workbook,
and `--send` through a real SMTP server the tests start on 127.0.0.1 (aiosmtpd), with a send
log in the master so that the same letter is not sent twice."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from helpers import Office, copy_workspace, rows_as_dicts, run_cli
from smtp_server import Inbox, free_port, plain_smtp  # noqa: F401 - plain_smtp is a fixture
from ctcong_xl.core import layout as L
from ctcong_xl.core.mail import SMTP_PASSWORD_ENV
from ctcong_xl.core.plan import WritePlan
from ctcong_xl.core.warning import COLORS, WarningGroup
from ctcong_xl.core.writeplan import plan_config
from ctcong_xl.io.mail import attachment_hash, read_eml
from ctcong_xl.io.xlsxpatch import apply_plan

AS_OF = "2026-06-30"
USER, PASSWORD = "vanphong@tinhmau.gov.vn", "MatKhau@2026"
ROWS = {
    "STC": [
        {"noi_dung": "Kế hoạch đầu tư công trung hạn giai đoạn 2026-2030", "loai": "Kế hoạch", "thoi_han": "15/05/2026"},
        {"noi_dung": "=Đề án sắp xếp lại, xử lý tài sản công", "loai": "Đề án", "thoi_han": "03/07/2026"},
        {"noi_dung": "Báo cáo quyết toán ngân sách năm 2025", "loai": "Báo cáo", "thoi_han": "31/12/2026"},
    ],
    "SYT": [{"noi_dung": "Kế hoạch phòng, chống dịch bệnh truyền nhiễm năm 2026", "loai": "Kế hoạch",
             "thoi_han": "31/03/2026"}],
    "SNV": [{"noi_dung": "Đề án sắp xếp đơn vị hành chính cấp xã", "loai": "Đề án", "thoi_han": "30/04/2026"}],
    "STP": [{"noi_dung": "Báo cáo công tác kiểm tra văn bản quy phạm pháp luật", "loai": "Báo cáo",
             "thoi_han": "Quý I/2026"}],
}


def _login(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER \
        and auth_data.password.decode() == PASSWORD
    return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself


@pytest.fixture
def smtp(tmp_path, monkeypatch):
    """A real SMTP server on 127.0.0.1 requiring STARTTLS and a login (certificate of a test CA
    the client trusts through SSL_CERT_FILE, as an office trusts its own CA)."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=server_ctx,
                            require_starttls=True, authenticator=_login, auth_required=True)
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def configure(office: Office, **values) -> None:
    """The Office types the mail settings into the sheet Cấu hình."""
    plan = WritePlan()
    for key, value in values.items():
        plan_config(plan, key, value)
    office.ws.master.write_bytes(apply_plan(office.ws.master.read_bytes(), plan))


def set_email(office: Office, code: str, email: str) -> None:
    ds = office.dataset()
    plan = WritePlan()
    plan.add(L.REGISTRY_SHEET, ds.registry_index.rows[code], ds.registry_index.columns["email"], [[email or None]])
    office.ws.master.write_bytes(apply_plan(office.ws.master.read_bytes(), plan))


@pytest.fixture(scope="module")
def registered_year(pristine, tmp_path_factory) -> Path:
    """Four agencies registered their year; at 30/06/2026 each has overdue items (built once)."""
    office = Office(copy_workspace(pristine, tmp_path_factory.mktemp("year") / "ws"))
    for code, rows in ROWS.items():
        office.send("annual", code, rows)
    assert not office.consolidate().has_errors
    office.clear_inbox()
    return office.root


@pytest.fixture
def year(registered_year, tmp_path) -> Office:
    return Office(copy_workspace(registered_year, tmp_path / "year"))


def with_server(office: Office, controller, security: str = "STARTTLS", user: str = USER) -> None:
    configure(office, smtp_host=controller.hostname, smtp_port=controller.port, smtp_security=security,
              smtp_user=user, mail_from=USER)


def send_log(office: Office) -> list[dict]:
    return rows_as_dicts(office.sheet(L.SEND_LOG_SHEET))


def test_remind_writes_a_utf8_draft_per_agency_with_its_workbook_attached(year):
    code, out, _ = run_cli("remind", year.root, "--as-of", AS_OF, "--within", "7")
    assert code == 0, out
    drafts = sorted((year.root / "outbox").glob("DonDoc_2026-06-30_*.eml"))
    assert [d.stem.rsplit("_", 1)[1] for d in drafts] == ["SNV", "STC", "STP", "SYT"]
    msg = read_eml(year.root / "outbox" / "DonDoc_2026-06-30_STC.eml")
    assert msg["Subject"] == "V/v đôn đốc thực hiện Chương trình công tác năm 2026 của UBND tỉnh (Sở Tài chính)"
    assert msg["To"].addresses[0].addr_spec == "stc@tinhmau.gov.vn"
    assert msg["To"].addresses[0].display_name == "Sở Tài chính"
    body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("Kính gửi: Sở Tài chính.")
    assert ("tính đến ngày 30/06/2026, Sở Tài chính còn 1 công việc đã quá thời hạn nhưng chưa hoàn thành và "
            "1 công việc sắp đến hạn (trong 7 ngày tới)") in body
    assert body.rstrip().endswith("Trân trọng./.\n\nVăn phòng UBND tỉnh")
    (att,) = list(msg.iter_attachments())
    assert att.get_filename() == "DonDoc_2026-06-30_STC.xlsx"
    assert att.get_content() == (year.root / "outbox" / "DonDoc_2026-06-30_STC.xlsx").read_bytes()
    assert "chưa gửi thư nào (thêm --send để gửi)" in out
    assert send_log(year) == []  # a dry run sends and logs nothing


def test_remind_send_delivers_every_reminder_through_starttls_and_logs_it(year, smtp, monkeypatch):
    controller, inbox = smtp
    with_server(year, controller)
    monkeypatch.setenv(SMTP_PASSWORD_ENV, PASSWORD)
    code, out, _ = run_cli("remind", year.root, "--as-of", AS_OF, "--send")
    assert code == 0, out
    received = {m["To"].addresses[0].addr_spec: m for m in inbox.messages}
    assert sorted(received) == ["snv@tinhmau.gov.vn", "stc@tinhmau.gov.vn", "stp@tinhmau.gov.vn", "syt@tinhmau.gov.vn"]
    syt = received["syt@tinhmau.gov.vn"]
    assert syt["Subject"] == "V/v đôn đốc thực hiện Chương trình công tác năm 2026 của UBND tỉnh (Sở Y tế)"
    assert syt["From"].addresses[0].display_name == "Văn phòng UBND tỉnh"
    assert syt["X-Unsent"] is None  # the draft marker stays in the draft
    for m in inbox.messages:
        (att,) = list(m.iter_attachments())
        assert att.get_content() == (year.root / "outbox" / att.get_filename()).read_bytes()
    log = send_log(year)
    assert [(r["Đơn vị"], r["Địa chỉ nhận"], r["Kết quả"]) for r in log] == [
        ("STC", "stc@tinhmau.gov.vn", "Đã gửi"), ("SNV", "snv@tinhmau.gov.vn", "Đã gửi"),
        ("STP", "stp@tinhmau.gov.vn", "Đã gửi"), ("SYT", "syt@tinhmau.gov.vn", "Đã gửi")]
    assert {r["Tệp đính kèm"] for r in log} == {f"DonDoc_2026-06-30_{c}.xlsx" for c in ROWS}
    stc = year.root / "outbox" / "DonDoc_2026-06-30_STC.xlsx"
    assert next(r for r in log if r["Đơn vị"] == "STC")["Mã băm SHA-256 tệp đính kèm"] == attachment_hash(stc)


def test_a_second_send_sends_nothing_new_but_a_changed_list_goes_out_again(year, plain_smtp):
    controller, inbox = plain_smtp
    with_server(year, controller, security="Không", user="")
    assert run_cli("remind", year.root, "--as-of", AS_OF, "--send")[0] == 0
    assert len(inbox.envelopes) == 4
    code, out, _ = run_cli("remind", year.root, "--as-of", AS_OF, "--send")
    assert code == 0
    assert len(inbox.envelopes) == 4  # the same agencies, the same attachments: nothing new
    assert "0 đã gửi, 4 đã gửi trước đó (không gửi lại)" in out
    # Sở Y tế reports its overdue plan done: its list is empty now; a day later the others' lists change
    progress = [{"ma_dau_viec": "2026-SYT-001", "ngay_hoan_thanh": dt.date(2026, 6, 29),
                 "van_ban_ket_qua": "Kế hoạch số 45/KH-SYT"}]
    year.send("progress", "SYT", progress)
    assert not year.consolidate(today=dt.date(2026, 6, 30)).has_errors
    assert run_cli("remind", year.root, "--as-of", AS_OF, "--send")[0] == 0
    assert len(inbox.envelopes) == 4  # Sở Y tế has nothing left to remind; the others are unchanged
    assert run_cli("remind", year.root, "--as-of", "2026-07-01", "--send")[0] == 0
    assert sorted(m["To"].addresses[0].addr_spec for m in inbox.messages[4:]) == [
        "snv@tinhmau.gov.vn", "stc@tinhmau.gov.vn", "stp@tinhmau.gov.vn"]
    assert len(send_log(year)) == 7


def test_an_agency_without_an_address_gets_a_finding_and_the_others_are_sent(year, plain_smtp):
    controller, inbox = plain_smtp
    with_server(year, controller, security="Không", user="")
    set_email(year, "SNV", "")
    code, out, _ = run_cli("remind", year.root, "--as-of", AS_OF, "--send")
    assert code == 0
    assert len(inbox.envelopes) == 3
    assert "Đơn vị Sở Nội vụ (SNV) chưa có địa chỉ thư điện tử" in out
    assert "trang Đơn vị, ô D3" in out  # the registry cell to fill
    assert (year.root / "outbox" / "DonDoc_2026-06-30_SNV.eml").exists()  # the draft is there to send by hand
    assert "SNV" not in {r["Đơn vị"] for r in send_log(year)}


def test_a_refused_recipient_is_logged_as_not_sent_and_tried_again_next_time(year, plain_smtp):
    controller, inbox = plain_smtp
    with_server(year, controller, security="Không", user="")
    inbox.refuse.add("stp@tinhmau.gov.vn")
    code, out, _ = run_cli("remind", year.root, "--as-of", AS_OF, "--send")
    assert code == 1  # an error: one letter did not go out
    assert "Không gửi được thư đến Sở Tư pháp (stp@tinhmau.gov.vn)" in out
    stp = [r for r in send_log(year) if r["Đơn vị"] == "STP"]
    assert len(stp) == 1 and stp[0]["Kết quả"].startswith("Không gửi được: ")
    inbox.refuse.clear()
    assert run_cli("remind", year.root, "--as-of", AS_OF, "--send")[0] == 0
    assert [m["To"].addresses[0].addr_spec for m in inbox.messages[3:]] == ["stp@tinhmau.gov.vn"]


def test_a_mistyped_address_is_skipped_with_a_finding(year):
    set_email(year, "STC", "stc@tinhmau.gov.vn; van thu stc")
    code, out, _ = run_cli("remind", year.root, "--as-of", AS_OF)
    assert code == 0
    assert "Địa chỉ thư “van” của đơn vị Sở Tài chính (STC) không đúng dạng" in out
    msg = read_eml(year.root / "outbox" / "DonDoc_2026-06-30_STC.eml")
    assert [a.addr_spec for a in msg["To"].addresses] == ["stc@tinhmau.gov.vn"]


def test_send_without_the_password_is_refused_and_leaves_the_master_as_it_was(year, smtp, monkeypatch):
    controller, inbox = smtp
    with_server(year, controller)
    monkeypatch.delenv(SMTP_PASSWORD_ENV, raising=False)
    before = year.master_bytes()
    code, _, err = run_cli("remind", year.root, "--as-of", AS_OF, "--send")
    assert code == 2
    assert "CTCONG_SMTP_PASSWORD" in err
    assert inbox.envelopes == []
    assert year.master_bytes() == before


def test_a_wrong_password_is_refused_by_the_server_and_nothing_is_logged(year, smtp, monkeypatch):
    controller, inbox = smtp
    with_server(year, controller)
    monkeypatch.setenv(SMTP_PASSWORD_ENV, "sai-mat-khau")
    before = year.master_bytes()
    code, _, err = run_cli("remind", year.root, "--as-of", AS_OF, "--send")
    assert code == 2
    assert "từ chối đăng nhập" in err
    assert year.master_bytes() == before


def test_templates_send_mails_each_agency_its_own_template(office, plain_smtp):
    controller, inbox = plain_smtp
    with_server(office, controller, security="Không", user="")
    code, out, _ = run_cli("templates", office.root, "--kind", "monthly", "--month", "7", "--send")
    assert code == 0, out
    assert len(inbox.envelopes) == 12
    stc = next(m for m in inbox.messages if m["To"].addresses[0].addr_spec == "stc@tinhmau.gov.vn")
    assert stc["Subject"] == "V/v đăng ký Chương trình công tác tháng 7/2026 của UBND tỉnh"
    assert "gửi lại Văn phòng UBND tỉnh trước ngày 20/06/2026" in stc.get_body(("plain",)).get_content()
    (att,) = list(stc.iter_attachments())
    assert att.get_filename() == "DangKyThang_2026-07_STC.xlsx"
    assert att.get_content() == (office.root / "outbox" / "DangKyThang_2026-07_STC.xlsx").read_bytes()
    # the same templates made again carry the same content: not sent twice
    assert run_cli("templates", office.root, "--kind", "monthly", "--month", "7", "--send")[0] == 0
    assert len(inbox.envelopes) == 12
    assert {r["Loại thư"] for r in send_log(office)} == {"Mẫu đăng ký tháng"}


def test_reminder_workbook_keeps_agency_text_as_text_in_the_warning_colours(year):
    assert run_cli("remind", year.root, "--as-of", AS_OF)[0] == 0
    path = year.root / "outbox" / "DonDoc_2026-06-30_STC.xlsx"
    ws = openpyxl.load_workbook(path).active
    rows = {r[0].value: r for r in ws.iter_rows() if r[0].value and str(r[0].value).startswith("2026-")}
    overdue, soon = rows["2026-STC-001"], rows["2026-STC-002"]
    assert soon[1].value == "=Đề án sắp xếp lại, xử lý tài sản công" and soon[1].data_type == "s"
    assert overdue[3].value == "quá 46 ngày" and soon[3].value == "còn 3 ngày"
    assert overdue[1].fill.fgColor.rgb[-6:] == COLORS[WarningGroup.OVERDUE].fill[1:]
    assert soon[1].fill.fgColor.rgb[-6:] == COLORS[WarningGroup.DUE_SOON].fill[1:]


def test_the_same_reminder_written_again_has_the_same_attachment_hash(year, tmp_path):
    assert run_cli("remind", year.root, "--as-of", AS_OF)[0] == 0
    path = year.root / "outbox" / "DonDoc_2026-06-30_STC.xlsx"
    first = attachment_hash(path)
    copy = tmp_path / "before.xlsx"
    copy.write_bytes(path.read_bytes())
    assert run_cli("remind", year.root, "--as-of", AS_OF)[0] == 0
    assert attachment_hash(path) == first == attachment_hash(copy)
    assert run_cli("remind", year.root, "--as-of", "2026-07-01")[0] == 0
    assert attachment_hash(year.root / "outbox" / "DonDoc_2026-07-01_STC.xlsx") != first


def test_a_master_made_before_the_send_log_and_review_sheets_gets_them(year, plain_smtp):
    import io

    book = openpyxl.load_workbook(year.ws.master, keep_vba=True)
    for name in (L.SEND_LOG_SHEET, *L.REVIEW_SHEETS):
        del book[name]
    buf = io.BytesIO()
    book.save(buf)
    year.ws.master.write_bytes(buf.getvalue())
    controller, inbox = plain_smtp
    with_server(year, controller, security="Không", user="")
    assert run_cli("remind", year.root, "--as-of", AS_OF, "--send")[0] == 0
    assert len(inbox.envelopes) == 4
    assert [r["Kết quả"] for r in send_log(year)] == ["Đã gửi"] * 4
    assert run_cli("remind", year.root, "--as-of", AS_OF, "--send")[0] == 0
    assert len(inbox.envelopes) == 4  # the new log already counts
    assert run_cli("summary", year.root, "--as-of", AS_OF)[0] == 0
    names = openpyxl.load_workbook(year.ws.master).sheetnames
    assert set(L.REVIEW_SHEETS) <= set(names)
    ranking = year.sheet(L.RANKING_SHEET)
    assert ranking[3][:3] == ["Hạng", "Mã đơn vị", "Tên đơn vị"]
