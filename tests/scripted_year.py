"""A scripted year for the documents' tests: five agencies register (dates, period words, a
recurring item), one drops an item, the Office withdraws one and adds one by hand, agencies
report progress, July's meetings are registered (one dropped again), and ``Cấu hình`` names the
province, the signers and the issued programme. Each item's period group is written out by
hand in :data:`EXPECTED_GROUPS`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx

from ctcong_xl.core.forms import PROGRAMME_SHEET
from ctcong_xl.core.plan import WritePlan
from ctcong_xl.core.writeplan import plan_config
from ctcong_xl.io.master import read_master
from ctcong_xl.io.xlsxpatch import apply_plan

from helpers import AGENCIES, Office, build_workspace, clear_rows_with

D = dt.date
AS_OF = D(2026, 7, 31)
AGENCY_CODES = ("STC", "SNV", "STP", "SYT", "XDONGTAM")

STC = [
    {"noi_dung": "Dự thảo Nghị quyết quy định phân cấp nguồn thu, nhiệm vụ chi ngân sách địa phương",
     "loai": "Dự thảo văn bản quy phạm pháp luật", "cap_trinh": "HĐND tỉnh", "thoi_han": D(2026, 3, 15),
     "lanh_dao": "Chủ tịch UBND tỉnh", "don_vi_phoi_hop": "STP"},
    {"noi_dung": "Báo cáo tình hình thực hiện dự toán ngân sách 6 tháng đầu năm", "loai": "Báo cáo",
     "cap_trinh": "UBND tỉnh", "thoi_han": "6 tháng đầu năm", "lanh_dao": "Phó Chủ tịch UBND tỉnh Nguyễn Văn Hải"},
    {"noi_dung": "Kế hoạch đầu tư công trung hạn giai đoạn 2026-2030", "loai": "Kế hoạch", "thoi_han": "Quý II/2026",
     "lanh_dao": "Phó Chủ tịch UBND tỉnh Nguyễn Văn Hải"},
    {"noi_dung": "Báo cáo tình hình kinh tế - xã hội hằng quý", "loai": "Báo cáo", "dinh_ky": "Hằng quý",
     "lanh_dao": "Chủ tịch UBND tỉnh"},
    {"noi_dung": "Đề án sắp xếp lại, xử lý tài sản công", "loai": "Đề án", "thoi_han": "Tháng 7/2026",
     "lanh_dao": "Phó Chủ tịch UBND tỉnh Nguyễn Văn Hải"},
]
SNV = [
    {"noi_dung": "Đề án vị trí việc làm trong các cơ quan hành chính cấp tỉnh", "loai": "Đề án",
     "thoi_han": "Quý III/2026", "lanh_dao": "Phó Chủ tịch UBND tỉnh Lê Thị Thu Hà"},
    {"noi_dung": "Báo cáo công tác cải cách hành chính năm 2026", "loai": "Báo cáo", "thoi_han": "Năm 2026",
     "lanh_dao": "Phó Chủ tịch UBND tỉnh Lê Thị Thu Hà"},
]
STP = [
    {"noi_dung": "Kế hoạch phổ biến, giáo dục pháp luật năm 2026", "loai": "Kế hoạch",
     "thoi_han": "ngày 31 tháng 1 năm 2026", "lanh_dao": "Phó Chủ tịch UBND tỉnh Lê Thị Thu Hà"},
    {"noi_dung": "Báo cáo kết quả theo dõi thi hành pháp luật", "loai": "Báo cáo", "thoi_han": "6 tháng cuối năm"},
]
SYT = [
    {"noi_dung": "Kế hoạch phòng, chống dịch bệnh truyền nhiễm năm 2026", "loai": "Kế hoạch",
     "thoi_han": D(2026, 2, 28), "lanh_dao": "Phó Chủ tịch UBND tỉnh Lê Thị Thu Hà"},
    {"noi_dung": "Đề án phát triển y tế cơ sở giai đoạn 2026-2030", "loai": "Đề án", "thoi_han": "15/07/2026",
     "lanh_dao": "Phó Chủ tịch UBND tỉnh Lê Thị Thu Hà"},
    {"noi_dung": "Báo cáo công tác khám chữa bệnh bảo hiểm y tế", "loai": "Báo cáo", "thoi_han": "Tháng 9/2026"},
]
SYT_DROPPED = "Báo cáo công tác khám chữa bệnh bảo hiểm y tế"  # not in SYT's corrected registration
XDONGTAM = [
    {"noi_dung": "Đề án xây dựng xã Đồng Tâm đạt chuẩn nông thôn mới nâng cao", "loai": "Đề án",
     "thoi_han": "30/11/2026", "lanh_dao": "Phó Chủ tịch UBND tỉnh Nguyễn Văn Hải"},
]
OFFICE_WITHDRAWN = "Báo cáo kết quả theo dõi thi hành pháp luật"  # the Office withdraws it by hand
HAND_ADDED = {"ma_dau_viec": "2026-VP-001", "noi_dung": "Báo cáo tổng kết công tác phòng, chống thiên tai năm 2026",
              "ma_don_vi": "SNV", "don_vi_chu_tri": "Sở Nội vụ", "lanh_dao": "Chủ tịch UBND tỉnh",
              "thoi_han": D(2026, 12, 20), "cap_trinh": "UBND tỉnh"}

# Each item still in the programme -> (group title as written in the table, deadline cell).
EXPECTED_GROUPS = {
    STC[0]["noi_dung"]: ("THÁNG 3/2026", "15/03/2026"),
    STC[1]["noi_dung"]: ("6 THÁNG ĐẦU NĂM", "30/06/2026"),
    STC[2]["noi_dung"]: ("QUÝ II", "30/06/2026"),
    STC[3]["noi_dung"]: ("ĐỊNH KỲ HẰNG QUÝ", "Hằng quý"),
    STC[4]["noi_dung"]: ("THÁNG 7/2026", "31/07/2026"),
    SNV[0]["noi_dung"]: ("QUÝ III", "30/09/2026"),
    SNV[1]["noi_dung"]: ("TRONG NĂM 2026", "31/12/2026"),
    STP[0]["noi_dung"]: ("THÁNG 1/2026", "31/01/2026"),
    SYT[0]["noi_dung"]: ("THÁNG 2/2026", "28/02/2026"),
    SYT[1]["noi_dung"]: ("THÁNG 7/2026", "15/07/2026"),
    XDONGTAM[0]["noi_dung"]: ("THÁNG 11/2026", "30/11/2026"),
    HAND_ADDED["noi_dung"]: ("THÁNG 12/2026", "20/12/2026"),
}
LEAD = {**{r["noi_dung"]: "Sở Tài chính" for r in STC}, **{r["noi_dung"]: "Sở Nội vụ" for r in SNV},
        **{r["noi_dung"]: "Sở Tư pháp" for r in STP}, **{r["noi_dung"]: "Sở Y tế" for r in SYT},
        XDONGTAM[0]["noi_dung"]: "UBND xã Đồng Tâm", HAND_ADDED["noi_dung"]: "Sở Nội vụ"}

JULY = {
    "STC": [
        {"noi_dung": "Hội nghị triển khai dự toán ngân sách bổ sung", "hinh_thuc": "Hội nghị",
         "thoi_gian": "14/07/2026", "lanh_dao_chu_tri": "Phó Chủ tịch UBND tỉnh Nguyễn Văn Hải",
         "dia_diem": "Hội trường UBND tỉnh", "thanh_phan": "Các sở, ban, ngành"},
        {"noi_dung": "Họp thẩm định phương án giá đất", "hinh_thuc": "Họp", "thoi_gian": "08/07/2026",
         "lanh_dao_chu_tri": "Chủ tịch UBND tỉnh", "dia_diem": "Phòng họp số 1"},
    ],
    "SNV": [
        {"noi_dung": "Làm việc với Bộ Nội vụ về sắp xếp đơn vị sự nghiệp", "hinh_thuc": "Làm việc",
         "thoi_gian": "14/07/2026", "lanh_dao_chu_tri": "Phó Chủ tịch UBND tỉnh Lê Thị Thu Hà",
         "dia_diem": "Trụ sở UBND tỉnh"},
    ],
}
JULY_DROPPED = "Họp thẩm định phương án giá đất"  # STC sends July again without it

SETTINGS = {"province": "An Hòa", "place": "An Hòa", "report_number": "118/BC-VP",
            "report_signer_authority": "KT. Chánh Văn phòng", "report_signer_title": "Phó Chánh Văn phòng",
            "report_signer_name": "Trần Minh Tuấn", "programme_signer_name": "Hoàng Văn Bình",
            "program_date": D(2026, 1, 12)}


def build_scripted_year(root: Path) -> Office:
    agencies = [a for a in AGENCIES if a.code in AGENCY_CODES]
    office = Office(build_workspace(root, agencies))
    for code, rows in (("STC", STC), ("SNV", SNV), ("STP", STP), ("SYT", SYT), ("XDONGTAM", XDONGTAM)):
        office.send("annual", code, rows, received=D(2025, 11, 10 if code != "STP" else 18))
    office.consolidate(today=D(2025, 11, 20))
    office.clear_inbox()
    office.send("annual", "SYT", [r for r in SYT if r["noi_dung"] != SYT_DROPPED], name="DangKy_SYT_bosung.xlsx")
    office.consolidate(today=D(2025, 12, 1))
    office.clear_inbox()
    items = {i.noi_dung: i for i in office.dataset().items}
    office.edit_master(items[OFFICE_WITHDRAWN].ma_dau_viec, "rut", "x")
    add_row_by_hand(office, HAND_ADDED)
    for code, rows in JULY.items():
        office.send("monthly", code, rows, month=7, received=D(2026, 6, 18))
    office.consolidate(today=D(2026, 6, 19))
    office.clear_inbox()
    # the July template made again carries STC's July rows; the clerk clears the dropped one
    office.send("monthly", "STC", [], month=7, name="monthly_STC_bosung.xlsx", received=D(2026, 6, 25),
                edit=clear_rows_with(JULY_DROPPED))
    office.consolidate(today=D(2026, 6, 25))
    office.clear_inbox()
    codes = {i.noi_dung: i.ma_dau_viec for i in office.dataset().items}
    office.send("progress", "STC", [{"ma_dau_viec": codes[STC[0]["noi_dung"]], "ngay_hoan_thanh": D(2026, 3, 10)},
                                    {"ma_dau_viec": codes[STC[2]["noi_dung"]], "ngay_hoan_thanh": D(2026, 7, 3)}])
    office.send("progress", "SYT", [{"ma_dau_viec": codes[SYT[0]["noi_dung"]], "ngay_hoan_thanh": D(2026, 2, 20)}])
    office.consolidate(today=D(2026, 7, 31))
    office.clear_inbox()
    configure(office, SETTINGS)
    return office


def add_row_by_hand(office: Office, values: dict) -> None:
    """The Office types a new row at the end of the programme sheet."""
    ds = read_master(office.ws.master)
    idx = ds.programme_index
    plan = WritePlan()
    for key, value in values.items():
        plan.add(PROGRAMME_SHEET, idx.last_row + 1, idx.columns[key], [[value]])
    office.ws.master.write_bytes(apply_plan(office.ws.master.read_bytes(), plan))


def configure(office: Office, values: dict) -> None:
    """The Office types ``values`` into Cấu hình."""
    plan = WritePlan()
    for key, value in values.items():
        plan_config(plan, key, value)
    office.ws.master.write_bytes(apply_plan(office.ws.master.read_bytes(), plan))


# ---- reading a .docx back -------------------------------------------------------------------------


def table_rows(table) -> list[list[str]]:
    """Each row's cell texts (a merged group row repeats its text in every cell)."""
    return [[c.text for c in row.cells] for row in table.rows]


def is_group(row: list[str]) -> bool:
    return len(set(row)) == 1 and len(row) > 1


def find_table(document: docx.document.Document, first_header: str, contains: str) -> list[list[str]]:
    for t in document.tables:
        rows = table_rows(t)
        if rows and rows[0][0] == first_header and any(contains in h for h in rows[0]):
            return rows
    raise AssertionError(f"no table headed {first_header!r} … {contains!r}")
