"""Plain domain values (pydantic): agencies, programme configuration, work items."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    """A domain value whose validator is built when a value of its class is first validated,
    not when the module is imported: a summary reads the items from the master without
    validating them (:func:`construct`) and builds only the agencies' and the configuration's
    validators."""

    model_config = ConfigDict(defer_build=True)


AgencyKind = Literal["sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã", "khác"]


class Agency(_Model):
    model_config = ConfigDict(frozen=True)

    code: str  # short code, e.g. STC
    name: str  # full name, e.g. Sở Tài chính
    kind: str = "sở, ban, ngành"
    email: str = ""
    added: dt.date | None = None  # when it joined the registry after init (a reorganisation)
    merged_into: str = ""  # the successor's code once it was merged into another agency
    merged_on: dt.date | None = None

    def registers_for(self, deadline: dt.date) -> bool:
        """Is a registration due by ``deadline`` expected from this agency: it was in the
        registry by then and not yet merged into another one."""
        return not ((self.added is not None and self.added > deadline)
                    or (self.merged_on is not None and self.merged_on <= deadline))


class FileLimits(_Model):
    """What an incoming file may claim before it is parsed (the configuration's limits)."""

    model_config = ConfigDict(frozen=True)

    max_file_mb: int = 20
    max_part_mb: int = 100
    max_part_ratio: int = 200
    max_rows: int = 20000
    max_columns: int = 200
    max_cell_chars: int = 32767


class ProgrammeConfig(_Model):
    """The configuration sheet of the master workbook."""

    year: int
    program_number: str = ""  # e.g. 27/CTr-UBND
    program_date: dt.date | None = None
    as_of: dt.date | None = None
    annual_deadline: dt.date | None = None  # registration deadline for the annual programme
    monthly_deadline_day: int = 20  # monthly registration due by this day of month M-1
    remind_within_days: int = 7  # "soon due" window
    backups_kept: int = 30  # master backups kept in archive/master-backups
    leaders: list[str] = Field(default_factory=list)
    # The administrative documents (NĐ 30/2020/NĐ-CP): issuing bodies, numbers, signers.
    province: str = ""  # e.g. "Lâm Đồng" (without the word "tỉnh")
    place: str = ""  # place name of the date line; blank = the province
    office_name: str = "Văn phòng"  # the body under UBND tỉnh that issues the report
    report_number: str = ""  # e.g. "125/BC-VP"; blank = left for the clerk to fill in
    report_signer_authority: str = ""  # e.g. "KT. CHÁNH VĂN PHÒNG"
    report_signer_title: str = "Chánh Văn phòng"
    report_signer_name: str = ""
    report_recipients: str = ("Thường trực Tỉnh ủy; Thường trực HĐND tỉnh; Chủ tịch, các Phó Chủ tịch UBND tỉnh; "
                              "Lãnh đạo Văn phòng; Lưu: VT, TH.")
    programme_signer_authority: str = "TM. Ủy ban nhân dân"
    programme_signer_title: str = "Chủ tịch"
    programme_signer_name: str = ""
    legal_basis: str = ("Luật Tổ chức chính quyền địa phương; Quy chế làm việc của Ủy ban nhân dân tỉnh; "
                        "đăng ký chương trình công tác của các sở, ban, ngành, địa phương")
    programme_recipients: str = ("Văn phòng Chính phủ; Thường trực Tỉnh ủy; Thường trực HĐND tỉnh; "
                                 "Chủ tịch, các Phó Chủ tịch UBND tỉnh; Các sở, ban, ngành tỉnh; "
                                 "UBND các xã, phường; Lưu: VT, TH.")
    # e-mail (SMTP); the password is never stored, it comes from SMTP_PASSWORD_ENV
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "STARTTLS"  # STARTTLS | SSL | Không
    smtp_user: str = ""
    mail_from: str = ""  # the sender's address; blank = smtp_user
    mail_sender_name: str = "Văn phòng UBND tỉnh"
    # the emulation ranking (thi đua): points of one deadline by days late, criteria weights
    rank_points_on_time: int = 100
    rank_days_small: int = 2
    rank_points_late_small: int = 90
    rank_days_medium: int = 7
    rank_points_late_medium: int = 75
    rank_points_late_large: int = 50
    rank_points_not_done: int = 0
    rank_weight_annual: int = 15
    rank_weight_monthly: int = 15
    rank_weight_execution: int = 50
    rank_weight_backlog: int = 20
    # limits on each incoming file, checked before it is parsed (SECURITY.md)
    max_files: int = 500  # files read in one run; the rest wait for the next run
    max_file_mb: int = 20  # size of a file as received
    max_part_mb: int = 100  # uncompressed size of each part (zip member) of the package
    max_part_ratio: int = 200  # uncompressed / compressed size of a part larger than 1 MB
    max_rows: int = 20000  # rows a sheet of the file may claim
    max_columns: int = 200  # columns a sheet of the file may claim
    max_cell_chars: int = 32767  # Excel's own limit on the text of one cell
    worker_memory_mb: int = 400  # memory the reading of one file may take
    worker_seconds: int = 60  # time the reading of one file may take

    @property
    def file_limits(self) -> "FileLimits":
        return FileLimits(max_file_mb=self.max_file_mb, max_part_mb=self.max_part_mb,
                          max_part_ratio=self.max_part_ratio, max_rows=self.max_rows,
                          max_columns=self.max_columns, max_cell_chars=self.max_cell_chars)

    def default_annual_deadline(self) -> dt.date:
        return self.annual_deadline or dt.date(self.year - 1, 11, 15)

    def registration_deadline(self, kind: str, month: int | None = None) -> dt.date | None:
        """By when an agency sends its registration: the annual deadline (``annual``), the
        configured day of month M-1 for month M (``monthly``); None for a progress report."""
        if kind == "annual":
            return self.default_annual_deadline()
        if kind == "monthly" and month:
            year, before = (self.year - 1, 12) if month == 1 else (self.year, month - 1)
            last_day = calendar.monthrange(year, before)[1]
            return dt.date(year, before, max(1, min(self.monthly_deadline_day, last_day)))
        return None

    def effective_as_of(self, today: dt.date | None = None) -> dt.date:
        return self.as_of or today or dt.date.today()


class WorkItem(_Model):
    """One row of the master's annual programme: an item instance (a recurring item has one
    instance per period, each with its own code and deadline). Field names are the programme
    column keys of :data:`ctcong_xl.core.forms.PROGRAMME_COLUMNS`, so rows and items map one to
    one without a second list."""

    ma_dau_viec: str  # stable item code, e.g. 2026-STC-007 (recurring: 2026-STC-007-T03)
    noi_dung: str
    loai: str = ""
    cap_trinh: str = ""
    can_cu: str = ""
    ma_don_vi: str = ""  # code of the lead agency
    don_vi_chu_tri: str = ""
    don_vi_phoi_hop: str = ""
    lanh_dao: str = ""
    thoi_gian_trien_khai: dt.date | None = None
    thoi_han: dt.date | None = None  # original deadline of this instance
    ky: str = ""  # period label, e.g. "Quý II/2026"; "" for a dated item
    dinh_ky: str = ""
    ghi_chu: str = ""
    de_xuat_thoi_han: dt.date | None = None
    ly_do: str = ""
    thoi_han_dieu_chinh: dt.date | None = None  # office-owned: approved new deadline
    ngay_hoan_thanh: dt.date | None = None
    van_ban_ket_qua: str = ""
    tinh_hinh: str = ""
    rut: bool = False
    rut_tu_dong: bool = False  # withdrawn by the tool (the agency's new registration dropped it), not by the Office
    ghi_chu_vp: str = ""
    nguon: str = ""
    don_vi_dang_ky: str = ""  # code of the agency whose registration brought the item ("" = the Office's row)
    dau_kiem: str = ""

    @property
    def office_created(self) -> bool:
        """A row the Office typed into the programme sheet itself: no registration ever wrote its
        fingerprint (``Dấu kiểm``) nor its registering agency (``Đơn vị đăng ký``); either one
        is enough to know an agency's row. A registration never withdraws or rewrites it."""
        return not self.dau_kiem and not self.don_vi_dang_ky

    @property
    def effective_deadline(self) -> dt.date | None:
        return self.thoi_han_dieu_chinh or self.thoi_han


class MonthlyItem(_Model):
    """One row of the master's monthly programme; field names are MONTHLY_COLUMNS keys."""

    ma_viec_thang: str
    thang: str  # "06/2026"
    noi_dung: str
    hinh_thuc: str = ""
    thoi_gian: dt.date | None = None
    lanh_dao_chu_tri: str = ""
    don_vi_chu_tri: str = ""
    don_vi_phoi_hop: str = ""
    thanh_phan: str = ""
    dia_diem: str = ""
    ma_dau_viec: str = ""
    ket_qua: str = ""  # outcome of a meeting / conference / working session (forms.KET_QUA)
    ly_do_kq: str = ""  # why it was not held
    ghi_chu: str = ""
    ma_don_vi: str = ""
    ngay_nhan: dt.date | None = None
    ghi_chu_vp: str = ""
    nguon: str = ""


class ImportLogEntry(_Model):
    when: dt.datetime
    who: str
    file: str
    sha256: str
    agency: str
    kind: str
    added: int = 0
    changed: int = 0
    removed: int = 0
    result: str = ""


class Receipt(_Model):
    """When an agency's registration for a programme reached the Office."""

    agency_code: str
    kind: str  # annual / monthly
    period: str  # "2026" or "2026-06"
    received: dt.date
    deadline: dt.date | None = None


def all_fields(model: type[BaseModel]) -> set[str]:
    """The one set of a model's field names that every item of the programme shares as the
    fields it was given (pydantic keeps such a set per instance: 2.2 KB for a work item, more
    than the dict of its values — 330 MB for a country's 150,000 items). Nothing in ctcong-xl
    asks which fields were given; pydantic adds a field it sets to the set, already there."""
    found = _ALL_FIELDS.get(model)
    if found is None:
        found = _ALL_FIELDS[model] = set(model.model_fields)
    return found


def field_template(model: type[BaseModel], given: Iterable[str]) -> dict[str, Any] | None:
    """The fields of ``model`` in its order, the ``given`` ones (a placeholder each, to be
    filled) and every other with its default: what :meth:`~pydantic.BaseModel.model_construct`
    makes of values for ``given``. ``None`` where :func:`construct` cannot stand in for it (a
    default made by a factory, extra or private attributes, a post-init hook)."""
    given = set(given)
    if model.__pydantic_post_init__ or model.__private_attributes__ or model.model_config.get("extra") == "allow":
        return None
    template: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in given:
            template[name] = None
        elif info.default_factory is not None or info.alias or info.validation_alias:
            return None
        elif not info.is_required():
            template[name] = info.default
    return template


def construct(model: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    """``model.model_construct(all_fields(model), **values)`` for ``values``, a filled copy of a
    :func:`field_template` of ``model``, each value already of its field's type; the dict
    becomes the instance's (a master's rows are read into 150,000 items)."""
    item = model.__new__(model)
    _set(item, "__dict__", values)
    _set(item, "__pydantic_fields_set__", all_fields(model))
    _set(item, "__pydantic_extra__", None)
    _set(item, "__pydantic_private__", None)
    return item


_set = object.__setattr__


def sharing_fields(item: BaseModel) -> BaseModel:
    """``item`` (just made, or copied) holding :func:`all_fields` of its model."""
    object.__setattr__(item, "__pydantic_fields_set__", all_fields(type(item)))
    return item


_ALL_FIELDS: dict[type, set[str]] = {}
