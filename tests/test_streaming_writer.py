"""The streaming worksheet writer (io/xlsxpatch.py): a row the plan writes with what it already
holds is copied as bytes, any other written row is rewritten, rows appended below a log's last
row leave every row above as it was."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from ctcong_xl.core.paper import DEFAULT_COLUMN_WIDTH, row_height, text_lines
from ctcong_xl.core.plan import Formula, RangeWrite
from ctcong_xl.io.xlsxpatch import _patch_tree, _planned_cells, cell_content, patch_sheet_xml

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
M = f"{{{MAIN}}}"
SHEET = "Nhật ký tổng hợp"


def sheet(rows: dict[int, str], dimension: str = "A1:C3") -> bytes:
    body = "".join(f'<row r="{r}">{cells}</row>' for r, cells in sorted(rows.items()))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>').encode()


def cells(values: dict[str, object]) -> str:
    out = []
    for ref, value in values.items():
        kind, inner = cell_content(value)
        out.append(f'<c r="{ref}" s="4"' + (f' t="{kind}"' if kind else "") + f">{inner}</c>")
    return "".join(out)


def write(xml: bytes, row: int, values: list[list[object]]) -> bytes:
    return patch_sheet_xml(xml, [RangeWrite(SHEET, row, 1, tuple(tuple(r) for r in values))])


ROW2 = {"A2": "Báo cáo kết quả Quý II/2026 (đợt 1/2)", "B2": Formula('=IF(D2<>"",D2,C2)', 46203), "C2": dt.date(2026, 6, 30)}


def test_a_row_that_already_holds_what_the_plan_writes_is_kept_byte_for_byte():
    xml = sheet({1: cells({"A1": "Nội dung"}), 2: cells(ROW2) + '<c r="E2" s="7" t="inlineStr"><is><t>ghi chú của văn thư</t></is></c>'},
                "A1:E2")
    assert write(xml, 2, [list(ROW2.values())]) == xml


def test_a_written_cell_stored_in_another_form_is_rewritten_as_the_writer_writes_it():
    held = '<c r="A2" s="4" t="str"><v>Rà soát thủ tục hành chính</v></c>'  # a formula's text result, no formula
    xml = sheet({2: held}, "A2:A2")
    out = write(xml, 2, [["Rà soát thủ tục hành chính"]])
    cell = etree.fromstring(out).find(f".//{M}c")
    assert out != xml
    assert (cell.get("s"), cell.get("t"), "".join(cell.itertext())) == ("4", "inlineStr", "Rà soát thủ tục hành chính")


def test_a_cell_that_holds_the_value_with_its_attributes_in_another_order_is_kept_as_it_is():
    held = '<c r="A2" t="inlineStr" s="4"><is><t>Rà soát thủ tục hành chính</t></is></c>'  # t before s
    xml = sheet({2: held}, "A2:A2")
    assert write(xml, 2, [["Rà soát thủ tục hành chính"]]) == xml


def test_a_row_written_as_text_is_the_row_the_whole_tree_writer_makes():
    """Cells the plan does not name are kept; the height fits the longest wrapped text, also of a
    kept cell; ``spans`` goes (it may no longer be true)."""
    note = '<c r="D2" s="4" t="inlineStr"><is><t>Văn phòng đã nhắc Sở Nội vụ hai lần &amp; gửi công văn đôn đốc</t></is></c>'
    xml = sheet({2: cells({"A2": "Kế hoạch", "B2": dt.date(2026, 3, 31)}) + note}, "A2:D2").replace(
        b'<row r="2">', b'<row r="2" spans="1:4" ht="15">')
    writes = [RangeWrite(SHEET, 2, 1, (("Kế hoạch tuyển dụng công chức năm 2026 theo chỉ tiêu biên chế được giao",
                                        None, Formula('=IF(B2="","",B2)', 46112)),))]
    wrap = frozenset({"4"})
    out = patch_sheet_xml(xml, writes, wrap)
    row = etree.fromstring(out).find(f".//{M}row")
    tree_row = etree.fromstring(_patch_tree(xml, writes, _planned_cells(writes), wrap)).find(f".//{M}row")
    assert etree.tostring(row) == etree.tostring(tree_row)
    assert note.encode() in out and row.get("spans") is None and float(row.get("ht")) > 15


def test_a_status_written_beside_a_wrapped_text_is_replaced_where_it_is_and_the_row_keeps_its_height():
    """Only the status changes (a formula's text result, not a wrapped text): the other cells are
    not read, and the row is the one the whole-tree writer makes, its fitted height included."""
    content = "Đề án sắp xếp, tổ chức lại các đơn vị sự nghiệp công lập thuộc UBND tỉnh giai đoạn 2026-2030"
    lines = text_lines(content, DEFAULT_COLUMN_WIDTH)
    assert lines > 1
    before = Formula('=IF(C2="","Chưa có hạn","Đang thực hiện")', "Đang thực hiện")
    held = (f'<c r="A2" s="4" t="inlineStr"><is><t>{content}</t></is></c><c r="B2" s="5" t="str">'
            f'<f>{before.text[1:]}</f><v>Đang thực hiện</v></c>')
    xml = sheet({2: held}, "A2:B2").replace(b'<row r="2">', f'<row r="2" spans="1:2" ht="{row_height(lines):g}">'.encode())
    writes = [RangeWrite(SHEET, 2, 2, ((Formula(before.text, "Chưa hoàn thành"),),))]
    wrap = frozenset({"4"})
    out = patch_sheet_xml(xml, writes, wrap)
    row = etree.fromstring(out).find(f".//{M}row")
    tree_row = etree.fromstring(_patch_tree(xml, writes, _planned_cells(writes), wrap)).find(f".//{M}row")
    assert etree.tostring(row) == etree.tostring(tree_row)
    assert row[1].findtext(f"{M}v") == "Chưa hoàn thành" and float(row.get("ht")) == row_height(lines)


def test_rows_appended_below_the_last_row_leave_the_rows_above_as_they_were():
    old = {1: cells({"A1": "Thời gian", "B1": "Tệp"}), 2: cells({"A2": "DangKy_STC.xlsx"}), 3: cells({"A3": "DangKy_SNV.xlsx"})}
    xml = sheet(old)
    out = write(xml, 4, [["TienDo_STC.xlsx", "Sở Tài chính", 3]])
    body = xml[xml.index(b"<sheetData>") + len(b"<sheetData>"):xml.index(b"</sheetData>")]
    assert body in out
    root = etree.fromstring(out)
    assert root.find(f"{M}dimension").get("ref") == "A1:C4"
    assert [r.get("r") for r in root.iter(f"{M}row")] == ["1", "2", "3", "4"]
    assert [c.get("r") for c in root.iter(f"{M}c")][-3:] == ["A4", "B4", "C4"]


def test_parts_a_write_does_not_change_keep_their_compressed_bytes_and_the_package_stays_whole(office):
    import io
    import zipfile

    from ctcong_xl.core.forms import PROGRAMME_SHEET
    from ctcong_xl.core.plan import WritePlan
    from ctcong_xl.io.xlsxpatch import apply_plan, sheet_parts

    before = office.master_bytes()
    plan = WritePlan()
    plan.add(PROGRAMME_SHEET, 2, 2, [["Xây dựng Đề án chuyển đổi số tỉnh giai đoạn 2026-2030"]])
    after = apply_plan(before, plan)
    old, new = zipfile.ZipFile(io.BytesIO(before)), zipfile.ZipFile(io.BytesIO(after))
    assert new.testzip() is None and new.namelist() == old.namelist()
    changed = {sheet_parts(old)[PROGRAMME_SHEET], "xl/workbook.xml"}
    for info in old.infolist():
        if info.filename in changed:
            continue
        copy = new.getinfo(info.filename)
        assert (copy.CRC, copy.compress_size, copy.compress_type) == (info.CRC, info.compress_size, info.compress_type)
        assert new.read(info.filename) == old.read(info.filename)


def _package(parts: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def test_a_part_is_read_in_one_buffer_as_zipfile_reads_it():
    import io
    import zipfile

    from ctcong_xl.io.xlsxpatch import read_part

    xml = sheet({r: cells({f"A{r}": f"Báo cáo tháng {r}/2026 của Sở Tài chính"}) for r in range(1, 3000)}, "A1:A2999")
    with zipfile.ZipFile(io.BytesIO(_package({"xl/worksheets/sheet1.xml": xml}))) as z:
        assert read_part(z, "xl/worksheets/sheet1.xml") == z.read("xl/worksheets/sheet1.xml") == xml


def test_a_part_whose_crc_does_not_match_is_refused_as_zipfile_refuses_it():
    import io
    import zipfile

    import pytest

    from ctcong_xl.io.xlsxpatch import read_part

    xml = sheet({2: cells(ROW2)}, "A2:C2")
    package = bytearray(_package({"xl/worksheets/sheet1.xml": xml}))
    with zipfile.ZipFile(io.BytesIO(bytes(package))) as z:
        crc = z.getinfo("xl/worksheets/sheet1.xml").CRC.to_bytes(4, "little")
    at = package.rfind(crc)  # the central directory's copy (the one zipfile checks against)
    package[at:at + 4] = ((int.from_bytes(crc, "little") + 1) % (1 << 32)).to_bytes(4, "little")
    with zipfile.ZipFile(io.BytesIO(bytes(package))) as z, pytest.raises(zipfile.BadZipFile):
        read_part(z, "xl/worksheets/sheet1.xml")


def test_every_part_a_write_makes_has_a_local_header_that_agrees_with_the_central_directory(office):
    """Readers that stream a zip (from its local headers, not its central directory) find the
    CRC and sizes of each part the write deflated itself, and the same bytes."""
    import io
    import struct
    import zipfile
    import zlib

    from ctcong_xl.core.forms import PROGRAMME_SHEET
    from ctcong_xl.core.plan import WritePlan
    from ctcong_xl.io.xlsxpatch import apply_plan, sheet_parts

    plan = WritePlan()
    plan.add(PROGRAMME_SHEET, 2, 2, [["Xây dựng Đề án chuyển đổi số tỉnh giai đoạn 2026-2030"]])
    after = apply_plan(office.master_bytes(), plan)
    with zipfile.ZipFile(io.BytesIO(after)) as z:
        made = [z.getinfo(sheet_parts(z)[PROGRAMME_SHEET]), z.getinfo("xl/workbook.xml")]
    for info in made:
        fields = struct.unpack("<4s2B4HL2L2H", after[info.header_offset:info.header_offset + 30])
        assert fields[0] == b"PK\x03\x04" and fields[3] & 0x08 == 0  # no data descriptor after the data
        assert (fields[4], fields[7], fields[8], fields[9]) == (zipfile.ZIP_DEFLATED, info.CRC, info.compress_size,
                                                                 info.file_size)
        start = info.header_offset + 30 + fields[10] + fields[11]
        data = zlib.decompress(after[start:start + info.compress_size], -15)  # plain deflate: zlib inflates it
        assert len(data) == info.file_size and zlib.crc32(data) == info.CRC


_TEXTS = ["Báo cáo kết quả thực hiện Chương trình công tác năm 2026 của Sở Nội vụ", "Chưa hoàn thành",
          "Phó Chủ tịch UBND tỉnh Nguyễn Văn Hải", "Sở Tài chính; Sở Kế hoạch và Đầu tư", " có khoảng trắng ",
          "A & B <C>", "Đề án\nhai dòng", ""]


def _cell_values():
    from hypothesis import strategies as st

    return st.one_of(st.none(), st.sampled_from(_TEXTS), st.integers(0, 99999),
                     st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
                     st.builds(lambda d: Formula('=IF(Q7<>"",Q7,K7)', d), st.sampled_from([46203, 46387, "", None])))


def test_a_row_this_writer_wrote_is_rewritten_as_the_cell_by_cell_writer_rewrites_it():
    """The shortcut for a row whose every cell is written again gives the same bytes as the
    writer that takes the row apart, for all rows it takes (and it takes the usual ones)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from ctcong_xl.io.xlsxpatch import _new_row, _patch_row_text, _rewritten_row

    styles = {1: "11", 2: "5", 3: "5", 4: "5", 5: "5", 6: "10", 7: "10", 8: "5"}
    widths = {1: 6, 2: 17, 3: 44, 4: 20, 5: 17, 6: 12, 7: 12, 8: 16}
    taken = []

    @settings(max_examples=400, deadline=None)
    @given(old=st.dictionaries(st.integers(1, 8), _cell_values(), max_size=8),
           new=st.dictionaries(st.integers(1, 8), _cell_values(), max_size=8),
           wrap=st.sampled_from([frozenset({"5"}), frozenset()]), height=st.sampled_from(["", ' ht="31.5"']))
    def check(old, new, wrap, height):
        row, _ = _new_row(42, old, styles, widths, wrap)
        row = row.replace(b'<row r="42"', b'<row r="42"' + height.encode(), 1) if b" ht=" not in row else row
        values = {**dict.fromkeys(old), **new}  # every column the row has is written again
        fast = _rewritten_row(row, 42, values, styles, widths, wrap)
        if fast is not None:
            taken.append(1)
            assert fast == _patch_row_text(row, 42, values, styles, widths, wrap)

    check()
    assert len(taken) > 100


def test_a_row_with_a_cell_the_plan_does_not_write_or_a_cell_styled_by_hand_is_left_to_the_cell_by_cell_writer():
    from ctcong_xl.io.xlsxpatch import _rewritten_row

    styles = {1: "11", 2: "5"}
    row = '<row r="7"><c r="A7" s="11"><v>3</v></c><c r="B7" s="5" t="inlineStr"><is><t>Tờ trình</t></is></c></row>'
    row = row.encode()
    assert _rewritten_row(row, 7, {1: 4, 2: "Tờ trình"}, styles, {}, frozenset()) is not None
    assert _rewritten_row(row, 7, {1: 4}, styles, {}, frozenset()) is None  # B7 is not written
    hand = row.replace(b's="5"', b's="9"')  # the Office gave B7 another format
    assert _rewritten_row(hand, 7, {1: 4, 2: "Tờ trình"}, styles, {}, frozenset()) is None


_CELLS = st.one_of(st.none(), st.text("Sở Tài chính đề án", max_size=6), st.integers(0, 99))


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 12),
                          st.lists(st.lists(_CELLS, min_size=1, max_size=5), min_size=1, max_size=3)),
                min_size=1, max_size=6))
def test_a_rows_cells_come_by_column_and_a_later_write_wins_however_the_writes_meet(writes):
    planned = _planned_cells([RangeWrite("Chương trình năm", row, col, tuple(map(tuple, values)))
                              for row, col, values in writes])
    for row in planned:
        assert list(planned.cells(row)) == sorted(planned[row].items())
