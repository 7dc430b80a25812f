"""Fuzzing a real template (SECURITY.md): whatever bytes or XML an agency's file holds, checking it
raises nothing, and a file that is not accepted carries at least one error finding naming it.
The checks run in this process, on the same path a guarded worker runs (small examples keep
the 1,000 cases to well under a minute)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctcong_xl import ops
from helpers import RUN_DAY, Office, copy_workspace
from hostile import FORM_PART, parts_of

CASES = 500  # per test: 1,000 in all
FUZZ = settings(max_examples=CASES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
ROWS = [{"noi_dung": "Đề án chuyển đổi số tỉnh giai đoạn 2026-2030", "thoi_han": "Quý III/2026"},
        {"noi_dung": "Báo cáo tình hình thu, chi ngân sách", "thoi_han": "Hằng quý", "dinh_ky": "Hằng quý"}]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzzed(pristine, tmp_path_factory):
    """A workspace, STC's filled registration (bytes) and a place to write the mutants."""
    root = tmp_path_factory.mktemp("fuzz")
    office = Office(copy_workspace(pristine, root / "ws"))
    filled = office.fill("annual", "STC", ROWS, root / "DangKy_STC.xlsx")
    return office, office.dataset(), ops.template_key(office.ws), filled.read_bytes(), root / "mutant.xlsx"


def check_promise(fuzzed, data: bytes) -> None:
    office, ds, key, _, path = fuzzed
    path.write_bytes(data)
    c = ops.check_file(path, ds, seen={}, today=RUN_DAY, key=key)  # must not raise
    assert c.result.accepted or any(f.is_error for f in c.findings)
    assert all(f.file == path.name and f.message for f in c.findings)


@st.composite
def byte_mutations(draw, data: bytes) -> bytes:
    """Bytes flipped, cut, inserted or repeated anywhere in the package."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "truncate", "repeat"]))
        at = draw(st.integers(0, max(0, len(buf) - 1)))
        if op == "flip":
            buf[at] ^= draw(st.integers(1, 255))
        elif op == "cut":
            del buf[at:at + draw(st.integers(1, 64))]
        elif op == "insert":
            buf[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif op == "truncate":
            del buf[at:]
        else:
            buf[at:at] = bytes(buf[at:at + draw(st.integers(1, 256))]) * draw(st.integers(1, 4))
        if not buf:
            break
    return bytes(buf)


XML_NOISE = st.sampled_from([
    b"<", b">", b"/>", b"&", b"&amp;", b"&#0;", b"&#x7;", b"&lol;", b"]]>", b"<![CDATA[", b'"', b"'",
    b'<c r="XFD1"/>', b'<c r="A0"/>', b'<c r="-1"/>', b'<row r="0"/>', b'<row r="99999999999"/>',
    b'<c r="B7" t="s"><v>99999</v></c>', b'<c r="B7" t="n"><v>1e308</v></c>', b'<c r="D7" t="d"><v>x</v></c>',
    b'<c r="B7" t="e"><v>#REF!</v></c>', b'<c r="B7"><f>HYPERLINK("x")</f></c>', b'<mergeCell ref="A1:XFD9"/>',
    b'<dimension ref="A1:B2"/>', b"\x00", b"\xff\xfe", "Đề án".encode(), b"_x0007_", b"\x1b[2J",
])


@st.composite
def xml_mutations(draw, data: bytes) -> bytes:
    """One XML part of the package edited: fragments of markup inserted, text cut or repeated,
    then zipped again properly (so that the readers, not the unzip, meet the damage)."""
    parts = parts_of(data)
    names = [i.filename for i, _ in parts if i.filename.endswith((".xml", ".rels"))]
    target = draw(st.sampled_from([FORM_PART, FORM_PART, *names]))
    out = []
    for info, body in parts:
        if info.filename == target:
            buf = bytearray(body)
            for _ in range(draw(st.integers(1, 3))):
                at = draw(st.integers(0, len(buf)))
                if draw(st.booleans()):
                    buf[at:at] = draw(XML_NOISE)
                else:
                    del buf[at:at + draw(st.integers(1, 40))]
            body = bytes(buf)
        out.append((info, body))
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, body in out:
            zf.writestr(info.filename, body)
    return sink.getvalue()


def test_fuzzed_bytes_of_a_real_template_never_escape_as_an_exception(fuzzed):
    @FUZZ
    @given(st.data())
    def run(data):
        check_promise(fuzzed, data.draw(byte_mutations(fuzzed[3])))

    run()


def test_fuzzed_xml_of_a_real_template_never_escapes_as_an_exception(fuzzed):
    @FUZZ
    @given(st.data())
    def run(data):
        check_promise(fuzzed, data.draw(xml_mutations(fuzzed[3])))

    run()


def test_the_unmutated_template_is_accepted(fuzzed):
    office, ds, key, data, path = fuzzed
    path.write_bytes(data)
    assert ops.check_file(path, ds, seen={}, today=RUN_DAY, key=key).result.accepted
