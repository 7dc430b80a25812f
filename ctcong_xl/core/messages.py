"""The one catalogue of Vietnamese texts a user sees for a finding, keyed by finding code.

Each entry: severity, message template, hint template. Placeholders are ``str.format`` fields;
``{value}`` is always available (the value seen in the cell). Keep every user-facing
sentence about a mistake here, so that the CLI, the returned-file comments, the validation log
and the Excel door all say the same thing.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from .layout import OTHER_LEADER_LABEL
from .text import format_date

PERIOD_EXAMPLES = (
    "15/11/2026, Tháng 6/2026, Quý II/2026, 6 tháng đầu năm, 6 tháng cuối năm, Năm 2026"
)

CATALOGUE: dict[str, tuple[str, str, str]] = {
    # --- dates and periods (SPEC §3) ---
    "date_unreadable": (
        "error",
        "Không hiểu được thời hạn “{value}”.",
        "Ghi ngày theo dạng ngày/tháng/năm hoặc một kỳ, ví dụ: " + PERIOD_EXAMPLES + ".",
    ),
    "date_impossible": (
        "error",
        "Ngày “{value}” không có thật trên lịch.",
        "Ghi một ngày có thật theo dạng ngày/tháng/năm, ví dụ 28/02/{year}.",
    ),
    "month_invalid": (
        "error",
        "Tháng trong “{value}” không hợp lệ; một năm chỉ có tháng 1 đến tháng 12.",
        "Ghi “Tháng 1” đến “Tháng 12”, ví dụ Tháng 6/{year}.",
    ),
    "quarter_invalid": (
        "error",
        "Quý trong “{value}” không hợp lệ; một năm chỉ có Quý I đến Quý IV.",
        "Ghi Quý I, Quý II, Quý III hoặc Quý IV (hoặc Quý 1 đến Quý 4), ví dụ Quý II/{year}.",
    ),
    "year_invalid": (
        "error",
        "Năm trong “{value}” không hợp lệ.",
        "Ghi năm đủ bốn chữ số, ví dụ {year}.",
    ),
    "date_outside_year": (
        "error",
        "Thời hạn “{value}” nằm ngoài năm chương trình {year}.",
        "Ghi thời hạn trong năm {year}; nếu đúng là ngoài năm, ghi lý do ở cột “Ghi chú”.",
    ),
    "deadline_before_start": (
        "error",
        "Thời hạn hoàn thành “{value}” sớm hơn thời gian triển khai “{start}”.",
        "Kiểm tra lại hai cột “Thời gian triển khai” và “Thời hạn hoàn thành”.",
    ),
    "recurrence_unknown": (
        "error",
        "Định kỳ “{value}” không thuộc danh sách.",
        "Chọn trong danh sách: để trống (một lần), Hằng tháng, Hằng quý, 6 tháng, Hằng năm.",
    ),
    "deadline_recurring": (
        "error",
        "“{value}” là việc định kỳ: mỗi kỳ có thời hạn riêng.",
        "Ghi một kỳ cụ thể, ví dụ Quý II/{year}.",
    ),
    # --- text (SPEC §4) ---
    "text_repaired_nfd": (
        "warning",
        "Chữ “{value}” được gõ theo kiểu tổ hợp dấu (NFD); đã chuẩn hóa sang Unicode dựng sẵn.",
        "Không cần sửa; nên dùng bảng mã Unicode dựng sẵn trong Unikey.",
    ),
    "text_repaired_tcvn3": (
        "warning",
        "Chữ “{value}” được gõ bằng bảng mã TCVN3 (.VnTime); đã chuyển sang Unicode: “{fixed}”.",
        "Kiểm tra lại chữ đã chuyển; lần sau dùng bảng mã Unicode và phông Times New Roman.",
    ),
    "text_repaired_vni": (
        "warning",
        "Chữ “{value}” được gõ bằng bảng mã VNI; đã chuyển sang Unicode: “{fixed}”.",
        "Kiểm tra lại chữ đã chuyển; lần sau dùng bảng mã Unicode và phông Times New Roman.",
    ),
    "text_spaces": (
        "warning",
        "Ô có khoảng trắng thừa; đã bỏ bớt.",
        "Không cần sửa.",
    ),
    "agency_unknown": (
        "error",
        "Không tìm thấy đơn vị “{value}” trong danh mục đơn vị.",
        "Chọn tên đơn vị trong danh sách thả xuống{suggestion}.",
    ),
    "partner_unknown": (
        "warning",
        "Không tìm thấy đơn vị phối hợp “{value}” trong danh mục; vẫn ghi nhận nguyên văn.",
        "Chọn tên đơn vị đúng như danh mục{suggestion}.",
    ),
    "agency_guessed": (
        "warning",
        "Đã hiểu “{value}” là “{name}” ({code}).",
        "Nếu không đúng, chọn lại tên đơn vị trong danh sách thả xuống.",
    ),
    # --- files and forms (SPEC §5, §7) ---
    "file_not_excel": (
        "error",
        "Tệp không phải là bảng tính Excel (.xlsx) đọc được.",
        "Mở mẫu do Văn phòng gửi, điền và lưu lại dạng Excel Workbook (.xlsx), rồi gửi lại.",
    ),
    "file_old_format": (
        "error",
        "Tệp ở định dạng {format}, không phải mẫu .xlsx của Văn phòng.",
        "Mở tệp, chọn Lưu thành (Save As) kiểu Excel Workbook (.xlsx), rồi gửi lại.",
    ),
    "file_encrypted": (
        "error",
        "Tệp được đặt mật khẩu nên không đọc được.",
        "Gỡ mật khẩu (File → Info → Protect Workbook → Encrypt with Password, xóa mật khẩu) rồi gửi lại.",
    ),
    "file_damaged": (
        "error",
        "Tệp bị hỏng hoặc gửi chưa trọn vẹn, không mở được.",
        "Gửi lại tệp (đính kèm lại trong thư điện tử).",
    ),
    # --- hostile or oversized files (SECURITY.md): rejected before or while reading ---
    "file_crashed": (
        "error",
        "Tệp làm hỏng trình đọc bảng tính ({detail}); tệp không được tổng hợp, các tệp khác vẫn được xử lý.",
        "Mở tệp bằng Excel, kiểm tra nội dung, lưu lại dạng Excel Workbook (.xlsx) rồi gửi lại; nếu vẫn lỗi, điền lại vào mẫu mới.",
    ),
    "file_memory_limit": (
        "error",
        "Đọc tệp cần quá nhiều bộ nhớ (quá giới hạn ở trang Cấu hình); tệp không được tổng hợp.",
        "Xóa các dòng, cột, ảnh thừa trong tệp hoặc điền lại vào mẫu mới, rồi gửi lại.",
    ),
    "file_time_limit": (
        "error",
        "Đọc tệp quá lâu (quá giới hạn thời gian ở trang Cấu hình); tệp không được tổng hợp.",
        "Xóa các dòng, cột, ảnh thừa trong tệp hoặc điền lại vào mẫu mới, rồi gửi lại.",
    ),
    "file_count_limit": (
        "warning",
        "Lần chạy này chỉ đọc {limit} tệp (giới hạn ở trang Cấu hình); tệp này chưa được đọc.",
        "Chạy lại lệnh sau khi xong lần này; tệp vẫn nằm trong inbox.",
    ),
    "file_too_large": (
        "error",
        "Tệp dung lượng {size} MB, quá giới hạn {limit} MB.",
        "Xóa ảnh, trang, dòng thừa rồi lưu lại; mẫu điền đủ chỉ khoảng vài trăm KB.",
    ),
    "part_too_large": (
        "error",
        "Phần “{part}” trong tệp khi giải nén lớn {size} MB, quá giới hạn {limit} MB (có thể là tệp “bom nén”).",
        "Điền lại vào mẫu mới do Văn phòng gửi rồi gửi lại.",
    ),
    "part_ratio": (
        "error",
        "Phần “{part}” trong tệp nén với tỷ lệ {ratio} lần, quá giới hạn {limit} lần (dấu hiệu tệp “bom nén”).",
        "Điền lại vào mẫu mới do Văn phòng gửi rồi gửi lại.",
    ),
    "part_name_unsafe": (
        "error",
        "Tệp chứa phần có tên không hợp lệ “{value}” (đường dẫn ra ngoài tệp); không đọc tệp này.",
        "Điền lại vào mẫu mới do Văn phòng gửi rồi gửi lại.",
    ),
    "file_active_content": (
        "error",
        "Tệp chứa {what}; Văn phòng không nhận tệp có nội dung tự chạy hoặc liên kết ra ngoài.",
        "Xóa {what} (hoặc chép dữ liệu sang mẫu mới do Văn phòng gửi), lưu dạng Excel Workbook (.xlsx) rồi gửi lại.",
    ),
    "xml_entities": (
        "error",
        "Phần “{part}” trong tệp khai báo thực thể XML (DOCTYPE), điều Excel không bao giờ ghi; không đọc tệp này.",
        "Điền lại vào mẫu mới do Văn phòng gửi rồi gửi lại.",
    ),
    "xml_not_utf8": (
        "error",
        "Phần “{part}” trong tệp không ở bảng mã UTF-8 (có thể UTF-16), điều Excel và LibreOffice không bao giờ ghi; "
        "tệp đã bị một chương trình khác sửa nên không đọc tệp này.",
        "Mở tệp bằng Excel, chọn File > Save As > Excel Workbook (.xlsx) rồi gửi lại; "
        "hoặc điền lại vào mẫu mới do Văn phòng gửi.",
    ),
    "sheet_too_many_rows": (
        "error",
        "Trang “{sheet}” có tới dòng {rows}, quá giới hạn {limit} dòng.",
        "Xóa các dòng thừa ở cuối trang (chọn các dòng, Delete Row) rồi lưu lại.",
    ),
    "sheet_too_many_columns": (
        "error",
        "Trang “{sheet}” có tới cột {columns}, quá giới hạn {limit} cột.",
        "Xóa các cột thừa bên phải (chọn các cột, Delete Column) rồi lưu lại.",
    ),
    "cell_too_long": (
        "error",
        "Ô có {length} ký tự, quá giới hạn {limit} ký tự một ô.",
        "Rút gọn nội dung; văn bản dài gửi kèm riêng, trong ô chỉ ghi số, ký hiệu văn bản.",
    ),
    "rows_hidden": (
        "warning",
        "Dòng {rows} đang bị ẩn nhưng vẫn được tổng hợp.",
        "Bỏ ẩn dòng (chọn các dòng, Unhide) và kiểm tra; xóa dòng nếu không muốn đăng ký.",
    ),
    "text_hidden": (
        "warning",
        "Chữ trong ô cùng màu với nền nên không nhìn thấy, nhưng vẫn được tổng hợp: “{value}”.",
        "Đổi màu chữ cho dễ đọc và kiểm tra lại nội dung ô.",
    ),
    "form_sheet_hidden": (
        "warning",
        "Trang “{sheet}” của mẫu đang bị ẩn; dữ liệu được đọc từ trang ẩn này, không phải từ trang đang hiện{visible}.",
        "Bỏ ẩn trang “{sheet}” (chuột phải vào tên trang, Unhide), kiểm tra rồi xóa các trang thừa.",
    ),
    "inbox_skipped": (
        "warning",
        "Bỏ qua “{value}” trong inbox: {reason}.",
        "Nếu đây là tệp đơn vị gửi, đặt tệp .xlsx trực tiếp trong inbox (không trong thư mục con) với tên thường.",
    ),
    # --- identity of a template (SECURITY.md) ---
    "template_unsigned": (
        "error",
        "Tệp không mang chữ ký của mẫu Văn phòng phát hành (mẫu cũ hoặc đã bị sửa thông tin nhận dạng).",
        "Dùng mẫu mới do Văn phòng gửi cho đơn vị mình; chép dữ liệu sang mẫu mới rồi gửi lại.",
    ),
    "template_signature_invalid": (
        "error",
        "Thông tin nhận dạng mẫu đã bị sửa: tệp ghi là mẫu của {claimed} nhưng chữ ký không khớp.",
        "Dùng đúng mẫu Văn phòng gửi cho đơn vị mình; không sửa trang ẩn của mẫu.",
    ),
    "template_agency_mismatch": (
        "error",
        "Mẫu được Văn phòng lập cho {owner} nhưng tệp ghi là của {claimed}; một đơn vị không được gửi thay đơn vị khác.",
        "Đơn vị {claimed} dùng mẫu Văn phòng gửi cho mình; đơn vị {owner} gửi mẫu của mình.",
    ),
    "template_month_invalid": (
        "error",
        "Tháng “{value}” trong thông tin nhận dạng mẫu không hợp lệ; một năm chỉ có tháng 1 đến tháng 12.",
        "Dùng đúng mẫu đăng ký tháng Văn phòng gửi; không sửa trang ẩn của mẫu.",
    ),
    "not_template": (
        "error",
        "Tệp không phải là mẫu do Văn phòng UBND tỉnh phát hành (không có thông tin nhận dạng mẫu).",
        "Dùng đúng tệp mẫu Văn phòng đã gửi; không chép dữ liệu sang tệp khác.",
    ),
    "form_version_unknown": (
        "error",
        "Mẫu phiên bản {version} không còn được dùng.",
        "Xin Văn phòng mẫu mới và điền lại.",
    ),
    "template_other_year": (
        "error",
        "Mẫu này dành cho năm {found}, không phải năm chương trình {year}.",
        "Dùng mẫu năm {year} do Văn phòng gửi.",
    ),
    "template_other_agency": (
        "error",
        "Mẫu này được lập cho đơn vị {found}, không có trong danh mục.",
        "Dùng đúng mẫu Văn phòng gửi cho đơn vị mình.",
    ),
    "sheet_missing": (
        "error",
        "Không tìm thấy trang “{sheet}” trong tệp.",
        "Không đổi tên hoặc xóa trang “{sheet}” của mẫu.",
    ),
    "header_missing": (
        "error",
        "Thiếu cột “{column}” ở dòng tiêu đề.",
        "Không xóa hoặc đổi tên cột “{column}” của mẫu; nếu đã lỡ, chép lại dòng tiêu đề từ mẫu gốc.",
    ),
    "required_missing": (
        "error",
        "Thiếu “{column}”.",
        "Điền cột “{column}” cho dòng này, hoặc xóa cả dòng nếu không dùng.",
    ),
    "leader_guessed": (
        "warning",
        "Đã hiểu “{value}” là “{name}”.",
        "Nếu không đúng, chọn lại tên lãnh đạo trong danh sách thả xuống.",
    ),
    "leader_unknown": (
        "warning",
        "“{value}” không phải lãnh đạo UBND tỉnh có trong danh sách ở trang Cấu hình; việc được tính vào "
        "“{other}”.",
        "Chọn tên lãnh đạo trong danh sách thả xuống{suggestion}: {choices}.",
    ),
    "value_not_in_list": (
        "warning",
        "“{value}” không thuộc danh sách của cột “{column}”.",
        "Chọn một giá trị trong danh sách thả xuống: {choices}.",
    ),
    "formula_neutralised": (
        "warning",
        "Ô chứa công thức “{value}”; công thức không được chạy: sổ tổng hợp lưu nội dung dưới dạng chữ (cột ngày: lưu ngày đã tính).",
        "Ghi nội dung bằng chữ, không ghi công thức.",
    ),
    "duplicate_in_file": (
        "error",
        "Công việc “{value}” bị ghi trùng (đã có ở dòng {other_row}).",
        "Xóa một trong hai dòng trùng.",
    ),
    "duplicate_in_master": (
        "warning",
        "Công việc “{value}” đã có trong chương trình ({code}).",
        "Nếu là cùng một việc thì không đăng ký lại (đăng ký tháng: ghi Mã đầu việc {code}); nếu là việc khác, ghi rõ nội dung để phân biệt.",
    ),
    "item_unknown": (
        "error",
        "Mã đầu việc “{value}” không có trong chương trình của đơn vị.",
        "Không sửa cột “Mã đầu việc”; dùng đúng mẫu báo cáo tiến độ Văn phòng gửi.",
    ),
    "completion_after_today": (
        "warning",
        "Ngày hoàn thành “{value}” muộn hơn ngày lập báo cáo.",
        "Kiểm tra lại ngày hoàn thành.",
    ),
    "new_deadline_without_reason": (
        "error",
        "Đề xuất thời hạn mới “{value}” nhưng chưa ghi lý do điều chỉnh.",
        "Ghi lý do ở cột “Lý do điều chỉnh”.",
    ),
    # --- the agencies file given to `init --agencies` (SPEC §7) ---
    "agencies_file_unreadable": (
        "error",
        "Không đọc được danh mục đơn vị: {reason}.",
        "Dùng tệp .csv (UTF-8) hoặc .xlsx có dòng tiêu đề gồm các cột Mã đơn vị, Tên đơn vị, Loại, Email.",
    ),
    "agencies_file_missing_column": (
        "error",
        "Danh mục đơn vị thiếu cột “{column}”.",
        "Thêm cột “{column}” vào dòng tiêu đề; tệp cần có các cột Mã đơn vị, Tên đơn vị, Loại, Email.",
    ),
    "agencies_file_empty": (
        "error",
        "Danh mục đơn vị không có đơn vị nào.",
        "Mỗi đơn vị ghi trên một dòng, dưới dòng tiêu đề Mã đơn vị, Tên đơn vị, Loại, Email.",
    ),
    "agencies_file_field_count": (
        "error",
        "Dòng {line} của danh mục đơn vị có {found} giá trị, trong khi dòng tiêu đề có {expected} cột.",
        "Một giá trị có dấu phẩy (ví dụ “sở, ban, ngành”) phải đặt trong ngoặc kép; dễ nhất là sửa trong Excel rồi "
        "lưu lại bằng Tệp → Lưu thành → CSV UTF-8 (Comma delimited).",
    ),
    "agencies_file_encoding": (
        "error",
        "Không đọc được chữ tiếng Việt trong danh mục đơn vị: tệp không được lưu theo bảng mã {expected}.",
        "Mở tệp bằng Excel rồi lưu lại bằng Tệp → Lưu thành → CSV UTF-8 (Comma delimited), hoặc lưu thành tệp .xlsx.",
    ),
    "agency_email_invalid": (
        "error",
        "Địa chỉ thư điện tử “{value}” không hợp lệ.",
        "Ghi địa chỉ dạng ten@donvi.gov.vn; nhiều địa chỉ thì ngăn cách bằng dấu chấm phẩy; để trống nếu chưa có.",
    ),
    "registry_code_unknown": (
        "error",
        "Không có đơn vị mã “{value}” trong danh mục của sổ tổng hợp.",
        "Dùng một mã có trong danh mục ({codes}); xem danh mục bằng lệnh “ctcong-xl agencies THƯ_MỤC list”.",
    ),
    "registry_code_taken": (
        "error",
        "Mã đơn vị “{value}” đã có trong danh mục ({name}).",
        "Chọn mã khác cho đơn vị mới; để đổi tên đơn vị đã có, dùng “agencies THƯ_MỤC rename”.",
    ),
    "registry_merge_into_itself": (
        "error",
        "Không thể sáp nhập đơn vị “{value}” vào chính nó.",
        "Ghi mã các đơn vị bị sáp nhập, rồi --into và mã đơn vị tiếp nhận.",
    ),
    "registry_already_merged": (
        "error",
        "Đơn vị “{value}” đã được sáp nhập vào {successor}.",
        "Bỏ mã “{value}” khỏi lệnh; đơn vị đã sáp nhập thì không sáp nhập lại.",
    ),
    "agency_code_invalid": (
        "error",
        "Mã đơn vị “{value}” không hợp lệ.",
        "Mã đơn vị chỉ gồm chữ cái không dấu và chữ số, không có dấu cách hay gạch nối, ví dụ STC, SNNMT.",
    ),
    "agency_code_duplicate": (
        "error",
        "Mã đơn vị “{value}” bị trùng với dòng {other_row}.",
        "Mỗi đơn vị một mã riêng; sửa hoặc xóa một trong hai dòng.",
    ),
    "agency_name_missing": (
        "error",
        "Đơn vị mã “{value}” chưa có tên.",
        "Ghi tên đầy đủ của đơn vị ở cột “Tên đơn vị”, ví dụ Sở Tài chính.",
    ),
    "agency_kind_unknown": (
        "error",
        "Loại đơn vị “{value}” không hợp lệ.",
        "Ghi một trong các loại: sở, ban, ngành; UBND cấp huyện; UBND cấp xã; khác (hoặc để trống).",
    ),
    "duplicate_file": (
        "warning",
        "Nội dung tệp này đã được tổng hợp trước đó (tệp {previous}); không tổng hợp lại.",
        "Không cần gửi lại tệp đã gửi.",
    ),
    "withdrawn_by_office_kept": (
        "warning",
        "Việc “{value}” ({code}) đã được Văn phòng rút khỏi chương trình (ô {cell_ref}); đơn vị vẫn đăng ký lại, giữ nguyên là đã rút.",
        "Nếu đồng ý đưa việc trở lại chương trình, xóa ô {cell_ref} trong sổ tổng hợp.",
    ),
    # --- everyday mistakes of agencies, never silent ---
    "lead_is_other_agency": (
        "warning",
        "Việc “{item}” do {registrant} đăng ký nhưng ghi đơn vị chủ trì là {value}: việc được giao cho {value}, "
        "tính vào số liệu và mẫu báo cáo tiến độ của {value}, không phải của {registrant}.",
        "Nếu {registrant} chủ trì, để trống ô này hoặc chọn tên đơn vị mình rồi gửi lại; nếu đúng là {value} chủ trì, "
        "không cần sửa (Văn phòng báo cho {value}).",
    ),
    "nothing_registered": (
        "error",
        "Tệp không có việc nào được đăng ký (bảng để trống).",
        "Ghi các việc đăng ký vào bảng, từ ô {first_cell}; nếu lần này đơn vị không có việc nào, chọn "
        "“{choice}” ở ô {choice_cell} rồi gửi lại.",
    ),
    "nothing_registered_no_choice": (
        "error",
        "Tệp không có việc nào được đăng ký (bảng để trống).",
        "Ghi các việc đăng ký vào bảng, từ ô {first_cell}; nếu đơn vị không có việc nào, xin Văn phòng mẫu mới "
        "(có ô chọn “{choice}”) hoặc báo Văn phòng bằng văn bản.",
    ),
    "no_content_but_rows": (
        "error",
        "Đã chọn “{value}” nhưng bảng vẫn có {rows} việc.",
        "Nếu đăng ký các việc trong bảng, xóa lựa chọn ở ô này; nếu không có việc nào, xóa các dòng trong bảng.",
    ),
    "superseded_file": (
        "warning",
        "Tệp có lỗi này đã được thay bằng tệp {newer} (nhận sau, đã {verb}) của cùng đơn vị và cùng mẫu; "
        "không tổng hợp tệp này.",
        "Không cần làm gì; có thể xóa tệp khỏi thư mục inbox.",
    ),
    "deadline_change_proposed": (
        "warning",
        "Thời hạn mới {value} của việc “{item}” ({code}) khác thời hạn đã có trong chương trình ({old}): "
        "ghi nhận là đề xuất thời hạn mới (sổ tổng hợp, ô {cell_ref}), chờ Văn phòng duyệt; thời hạn {old} vẫn giữ.",
        "Văn phòng: nếu lãnh đạo đồng ý, ghi {value} vào ô {approve_ref} (Thời hạn được duyệt) của sổ tổng hợp.",
    ),
    "hand_edit_kept": (
        "warning",
        "Ô {cell_ref} đã được sửa tay trong bảng tổng hợp; giữ nguyên giá trị sửa tay “{value}”, không ghi đè bằng “{incoming}”.",
        "Nếu muốn dùng giá trị đơn vị gửi, sửa lại ô trong bảng tổng hợp.",
    ),
    # --- e-mail (remind / templates --send) ---
    "mail_no_address": (
        "warning",
        "Đơn vị {agency} ({code}) chưa có địa chỉ thư điện tử; đã lập bản nháp thư nhưng không gửi được.",
        "Ghi địa chỉ vào cột “Email” của trang “Đơn vị” trong sổ tổng hợp (nhiều địa chỉ cách nhau bằng dấu ;), "
        "rồi chạy lại lệnh.",
    ),
    "mail_address_invalid": (
        "warning",
        "Địa chỉ thư “{value}” của đơn vị {agency} ({code}) không đúng dạng; địa chỉ này bị bỏ qua.",
        "Sửa ô “Email” của đơn vị trên trang “Đơn vị”, ví dụ vanthu@stc.tinhmau.gov.vn.",
    ),
    "mail_send_failed": (
        "error",
        "Không gửi được thư đến {agency} ({value}): {reason}",
        "Kiểm tra địa chỉ và máy chủ thư ở trang “Cấu hình”, rồi chạy lại lệnh với --send; thư đã gửi "
        "không bị gửi lại.",
    ),
    # --- doctor: will the buttons work on this PC? (core/doctor.py) ---
    "doctor_conf_missing": (
        "error",
        "Sổ {file} không có trang ẩn “xlwings.conf” ghi đường dẫn Python (Interpreter_Win).",
        "Tạo lại sổ bằng “ctcong-xl init” ở một thư mục mới, hoặc hiện trang “xlwings.conf” và ghi "
        "Interpreter_Win ở cột A, đường dẫn pythonw.exe ở cột B.",
    ),
    "doctor_interpreter_missing": (
        "error",
        "Không có Python mà trang “xlwings.conf” chỉ tới: {value}.",
        "Cài đặt theo mục “Installing on an office PC” của README (bước 2, tạo %LOCALAPPDATA%\\ctcong-xl\\.venv), "
        "hoặc sửa Interpreter_Win trên trang “xlwings.conf” thành đường dẫn đầy đủ của pythonw.exe.",
    ),
    "doctor_interpreter_import_failed": (
        "error",
        "Python {value} không nạp được ctcong_xl.xl: {reason}",
        "Cài ctcong-xl vào đúng Python này: “{value} -m pip install ctcong-xl”, rồi chạy lại “ctcong-xl doctor”.",
    ),
    "doctor_interpreter_ok": (
        "ok",
        "Python {value} có sẵn và nạp được ctcong_xl.xl.",
        "",
    ),
    "doctor_vba_unreadable": (
        "error",
        "Không đọc được phiên bản xlwings trong mã VBA của sổ {file}.",
        "Tạo lại sổ bằng “ctcong-xl init” với xlwings {installed} đã cài.",
    ),
    "doctor_vba_version_mismatch": (
        "error",
        "Mã VBA của sổ dùng xlwings {value} nhưng máy cài xlwings {installed}: các nút sẽ báo "
        "“Could not load xlwings64-{value}.dll”.",
        "Cài đúng phiên bản của sổ: “%LOCALAPPDATA%\\ctcong-xl\\.venv\\Scripts\\python.exe -m pip install xlwings=={value}”.",
    ),
    "doctor_vba_version_ok": (
        "ok",
        "Mã VBA của sổ và Python cùng dùng xlwings {value}.",
        "",
    ),
    "doctor_store_app": (
        "error",
        "{what} được cài từ Microsoft Store ({value}); bản này làm hỏng máy chủ COM của xlwings.",
        "Gỡ bản Microsoft Store, cài {what} từ bộ cài thông thường (Python: python.org, Windows installer 64-bit), "
        "rồi tạo lại %LOCALAPPDATA%\\ctcong-xl\\.venv.",
    ),
    "doctor_store_ok": (
        "ok",
        "Python và Excel không phải bản Microsoft Store.",
        "",
    ),
    "doctor_cloud_path": (
        "error",
        "Sổ {value} nằm trên OneDrive/SharePoint; xlwings không tìm thấy sổ theo địa chỉ web và việc đồng bộ "
        "có thể ghi đè sổ.",
        "Chép thư mục làm việc sang một thư mục trên ổ máy hoặc ổ mạng của cơ quan, ví dụ D:\\CTCT2026, rồi mở sổ từ đó.",
    ),
    "doctor_cloud_ok": (
        "ok",
        "Sổ không nằm trên OneDrive/SharePoint.",
        "",
    ),
    "doctor_mark_of_the_web": (
        "error",
        "Sổ {value} mang dấu “tải từ Internet” (Zone.Identifier, vùng {zone}): Office sẽ chặn macro.",
        "Nhấn chuột phải vào tệp → Properties → đánh dấu Unblock → OK, hoặc chạy trong PowerShell: "
        "Unblock-File -Path \"{value}\"",
    ),
    "doctor_mark_of_the_web_ok": (
        "ok",
        "Sổ không mang dấu “tải từ Internet”; Office không chặn macro vì lý do này.",
        "",
    ),
    "doctor_untrusted_folder": (
        "warning",
        "Thư mục {value} chưa là vị trí tin cậy của Excel: mỗi lần mở sổ phải bấm Enable Content.",
        "Excel → File → Options → Trust Center → Trust Center Settings → Trusted Locations → Add new location, "
        "chọn thư mục này (đánh dấu Subfolders of this location are also trusted); thư mục trên mạng "
        "cần đánh dấu thêm Allow Trusted Locations on my network.",
    ),
    "doctor_trusted_folder_ok": (
        "ok",
        "Thư mục {value} là vị trí tin cậy của Excel.",
        "",
    ),
    "doctor_trusted_unknown": (
        "info",
        "Không kiểm tra được vị trí tin cậy của Excel trên máy này (chỉ kiểm tra được trên Windows có Excel).",
        "Trên máy Windows của Văn phòng, chạy lại “ctcong-xl doctor”.",
    ),
}


# Texts the tool writes into the master (not findings), keyed like the catalogue.
TEXTS: dict[str, str] = {
    "deadline_proposal_reason": "Đơn vị đăng ký lại (tệp {file}, nhận ngày {received}) với thời hạn {value} thay cho {old}.",
    "deadline_proposal_note": "Ghi chú của đơn vị: {value}",
    "template_key_created": (
        "Đã tạo khóa ký biểu mẫu ({file}) trong thư mục làm việc: từ nay mỗi biểu mẫu mang chữ ký, và tệp "
        "gửi về chỉ được nhận khi đúng là mẫu Văn phòng phát hành cho đơn vị đó. Biểu mẫu phát hành trước đây "
        "(chưa có chữ ký) sẽ bị trả lại: gửi biểu mẫu mới cho các đơn vị. Giữ tệp khóa cùng sổ tổng hợp, không gửi ra ngoài."
    ),
    # --- the result of the doctor's checks as the CLI and the button “Kiểm tra máy” show it (core/doctor.py) ---
    "doctor_status_ok": "Đạt",
    "doctor_status_problem": "Lỗi",
    "doctor_status_unknown": "Chưa rõ",
    "doctor_check_interpreter": "Python của ctcong-xl (trang “xlwings.conf”)",
    "doctor_check_xlwings_version": "Phiên bản xlwings của mã VBA trong sổ",
    "doctor_check_store": "Python và Excel bản Microsoft Store",
    "doctor_check_cloud": "Sổ trên OneDrive/SharePoint",
    "doctor_check_mark_of_the_web": "Dấu “tải từ Internet” trên tệp sổ",
    "doctor_check_trusted": "Vị trí tin cậy của Excel",
    "doctor_all_ok": "Máy này đủ điều kiện chạy các nút của sổ.",
    "doctor_problems": "Có {value} lỗi cần sửa để các nút của sổ chạy được trên máy này.",
    "doctor_sheet_title": "KIỂM TRA MÁY: CÁC NÚT CỦA SỔ CÓ CHẠY ĐƯỢC TRÊN MÁY NÀY KHÔNG",
    "doctor_sheet_when": "Thời điểm kiểm tra: {value}. {verdict}",
    "doctor_sheet_fix": "Cách sửa: {value}",
    "doctor_sheet_again": (
        "Sửa xong, bấm lại nút “Kiểm tra máy”; khi nút không chạy được, chạy lệnh “ctcong-xl doctor” "
        "(mục Troubleshooting của README)."
    ),
    "doctor_see_sheet": "Kết quả từng mục ở trang “{value}”.",
    "doctor_see_sheet_fixes": "Kết quả từng mục và cách sửa ở trang “{value}”.",
}


def render_text(key: str, value: Any = "", /, **params: Any) -> str:
    """A text of :data:`TEXTS`, placeholders filled, NFC-normalised."""
    fields = _Defaults(value=show_value(value), **{k: show_value(v) for k, v in params.items()})
    return unicodedata.normalize("NFC", TEXTS[key].format_map(fields))


# Findings after which a file is not opened again by any reader (not even for its returned
# copy): it was refused before parsing, or it broke the reader that tried.
REFUSED_UNREAD = frozenset({
    "file_crashed", "file_memory_limit", "file_time_limit", "file_too_large", "part_too_large", "part_ratio",
    "part_name_unsafe", "xml_entities", "xml_not_utf8", "file_active_content", "sheet_too_many_rows", "sheet_too_many_columns",
})


def render(code: str, value: Any = "", /, **params: Any) -> tuple[str, str, str]:
    """(severity, message, hint) for ``code``, placeholders filled, NFC-normalised."""
    severity, message, hint = CATALOGUE[code]
    fields = _Defaults(value=show_value(value), **{k: show_value(v) for k, v in params.items()})
    msg = unicodedata.normalize("NFC", message.format_map(fields))
    hnt = unicodedata.normalize("NFC", hint.format_map(fields))
    return severity, msg, hnt


def show_value(v: Any) -> str:
    """A value as quoted in a message: a date as ``15/11/2026``, nothing for ``None``."""
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return format_date(v)
    return str(v)


def suggestion(name: str) -> str:
    """The ``{suggestion}`` placeholder of the agency and leader messages, naming the closest one."""
    return f" (có phải “{name}”?)"


class _Defaults(dict):
    def __missing__(self, key: str) -> str:  # a placeholder nobody filled stays readable
        return {"suggestion": "", "year": "của chương trình"}.get(key, "…")
