"""Text as people type it (SPEC §4): cleaning, legacy encodings, sorting, agency matching."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ctcong_xl.core.models import Agency
from ctcong_xl.core.text import (
    TCVN3_TABLE,
    VNI_TABLE,
    AgencyMatcher,
    clean_text,
    decode_tcvn3,
    decode_vni,
    detect_legacy,
    normalize_header,
    split_agencies,
    strip_diacritics,
    vn_sort_key,
    vn_sorted,
)

REPORT_TITLE = "Báo cáo tình hình kinh tế - xã hội 6 tháng đầu năm"
SKHDT_NAME = "Sở Kế hoạch và Đầu tư"
DUC_PHO = "Ủy ban nhân dân huyện Đức Phổ"

# --- encoders written from the tables under test (inverse), for round trips ------------------

_TO_TCVN3 = {letter: code for code, letter in TCVN3_TABLE.items()}
_TO_VNI = {}
for _seq, _letter in VNI_TABLE.items():
    # the canonical VNI form writes the diacritic byte in the base letter's case
    if _seq[1:] == (_seq[1:].upper() if _seq[0].isupper() else _seq[1:].lower()):
        _TO_VNI.setdefault(_letter, _seq)


def to_tcvn3(text: str) -> str:
    return "".join(_TO_TCVN3.get(c, c) for c in text)


def to_vni(text: str) -> str:
    return "".join(_TO_VNI.get(c, c) for c in text)


# --- realistic Unicode Vietnamese, built from syllables -------------------------------------

_INITIALS = "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split() + [""]
_RHYMES = (
    "a ai am an ang anh ao au ay ăm ăn ăng âm ân âng âu ây e em en eo ê êm ên ênh êu i ia im in "
    "inh iu iêm iên iêng iêu o oa oai oan oang oanh oăn oe oi om on ong ô ôi ôm ôn ông ơ ơi ơm ơn "
    "u ua uân uây uê ui um un ung uy uyên uyêt uôi uôn uông ư ưa ưi ưng ươi ươn ương ươu y yên "
    "ac ach at ăc ăt âc ât ep êt ich it iêc iêt oc ôc ôt ơt up uc ut ưc ưt ươc"
).split()
_TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
_STOPS = {"c", "ch", "p", "t"}


@st.composite
def vietnamese_syllables(draw) -> str:
    rhyme = draw(st.sampled_from(_RHYMES))
    stop = any(rhyme.endswith(s) for s in _STOPS)
    tone = draw(st.sampled_from(["\u0301", "\u0323"] if stop else _TONES))
    vowels = [i for i, c in enumerate(rhyme) if c in "aăâeêioôơuưy"]
    at = vowels[-1] if len(vowels) > 1 and not rhyme.endswith(tuple("iyou")) else vowels[0]
    word = draw(st.sampled_from(_INITIALS)) + rhyme[: at + 1] + tone + rhyme[at + 1 :]
    case = draw(st.sampled_from(["lower", "title", "upper"]))
    word = unicodedata.normalize("NFC", word)
    return {"lower": word, "title": word[:1].upper() + word[1:], "upper": word.upper()}[case]


vietnamese_text = st.lists(vietnamese_syllables(), min_size=1, max_size=12).flatmap(
    lambda words: st.lists(st.sampled_from([" ", " ", " ", ", ", " - ", ". "]), min_size=len(words), max_size=len(words)).map(
        lambda seps: "".join(w + s for w, s in zip(words, seps)).strip(" ,.-")
    )
)


# --- normalisation --------------------------------------------------------------------------


def test_normalize_header_ignores_case_spacing_and_composition():
    assert normalize_header("  Nội dung   CÔNG\u00a0việc ") == normalize_header(
        unicodedata.normalize("NFD", "Nội dung công việc")
    )


_WHITE_SPACE = [chr(c) for c in range(0x3001) if chr(c).isspace()]  # tabs, line breaks, no-break and wide spaces…


@given(st.lists(st.one_of(st.text(max_size=8), st.sampled_from(_WHITE_SPACE)), max_size=12).map("".join))
def test_the_header_key_collapses_white_space_as_first_defined(text):
    import re

    first = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()
    assert normalize_header(text) == first


_INVISIBLE_AND_BREAKS = ["\u200b", "\u2060", "\ufeff", "\r\n", "\n", "\n\n", " ", "  "]


@given(st.lists(st.one_of(st.text(alphabet="Đề án sở 2026-", max_size=6), st.sampled_from(_WHITE_SPACE),
                          st.sampled_from(_INVISIBLE_AND_BREAKS)), max_size=12).map("".join))
@example('Đề án  số hóa')
@example('Đề án ')
@example(' Đề án')
@example('Đề\n\nán')
@example('Đề \nán')
@example('Đề\u00a0án')
@example('Đề\u200bán')
@example('Đề\r\nán')
@example('\nĐề án')
@example('Đề án')
@example('')
@settings(max_examples=300)
def test_a_cells_spaces_are_tidied_as_first_defined_whether_or_not_the_text_was_already_tidy(text):
    import re

    from ctcong_xl.core.text import _tidy_spaces

    lines = re.sub("[\u200b\u2060\ufeff]", "", re.sub("\r\n|[\r\v\f\x85\u2028\u2029]", "\n", text)).split("\n")
    first = "\n".join(line for line in (re.sub(r"[^\S\n]+", " ", line).strip() for line in lines) if line)
    assert _tidy_spaces(text) == first


def test_decomposed_text_is_composed_and_the_repair_reported():
    typed = unicodedata.normalize("NFD", "Sở Tài chính")
    cleaned = clean_text(typed)
    assert cleaned.text == "Sở Tài chính"
    assert unicodedata.is_normalized("NFC", cleaned.text)
    assert cleaned.repairs == ("text_repaired_nfd",)


def test_composed_text_needs_no_repair():
    assert clean_text("Sở Tài chính").repairs == ()


def test_extra_spaces_tabs_and_nbsp_are_collapsed_and_reported():
    cleaned = clean_text("  Sở\u00a0 Tài \t chính  ")
    assert cleaned.text == "Sở Tài chính"
    assert cleaned.repairs == ("text_spaces",)


def test_line_breaks_are_kept_single():
    cleaned = clean_text("Sở Tài chính \r\n\r\n  Sở Nội vụ\n")
    assert cleaned.text == "Sở Tài chính\nSở Nội vụ"
    assert cleaned.repairs == ("text_spaces",)


def test_windows_line_break_alone_is_no_repair():
    assert clean_text("Sở Tài chính\r\nSở Nội vụ") == clean_text("Sở Tài chính\nSở Nội vụ")
    assert clean_text("Sở Tài chính\r\nSở Nội vụ").repairs == ()


def test_zero_width_space_is_removed():
    assert clean_text("Sở\u200b Tài chính").text == "Sở Tài chính"


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (2026.0, "2026"), (7, "7"), (0.5, "0.5"), (float("nan"), ""), (dt.date(2026, 11, 15), "15/11/2026")],
)
def test_cell_values_become_text(value, text):
    assert clean_text(value).text == text


def test_strip_diacritics_turns_d_stroke_into_d():
    assert strip_diacritics("Sở Tài chính") == "So Tai chinh"
    assert strip_diacritics("ĐỨC PHỔ, Đà Nẵng") == "DUC PHO, Da Nang"


# --- legacy encodings -----------------------------------------------------------------------


def test_tcvn3_sample_decodes():
    assert decode_tcvn3("Së Tµi chÝnh") == "Sở Tài chính"


def test_vni_sample_decodes():
    assert decode_vni("Sôû Taøi chính") == "Sở Tài chính"


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("B¸o c¸o t×nh h×nh kinh tÕ - x· héi 6 th¸ng ®Çu n¨m", REPORT_TITLE),
        ("Së KÕ ho¹ch vµ §Çu t\xad", SKHDT_NAME),
        ("Uû ban nh©n d©n huyÖn §øc Phæ", "Uỷ ban nhân dân huyện Đức Phổ"),
    ],
)
def test_handwritten_tcvn3_administrative_text_decodes(legacy, unicode):
    assert decode_tcvn3(legacy) == unicode
    assert to_tcvn3(unicode) == legacy


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("Baùo caùo tình hình kinh teá - xaõ hoäi 6 thaùng ñaàu naêm", REPORT_TITLE),
        ("Sôû Keá hoaïch vaø Ñaàu tö", SKHDT_NAME),
        ("UÛy ban nhaân daân huyeän Ñöùc Phoå", DUC_PHO),
    ],
)
def test_handwritten_vni_administrative_text_decodes(legacy, unicode):
    assert decode_vni(legacy) == unicode
    assert to_vni(unicode) == legacy


def test_tcvn3_words_in_capitals_are_decoded_in_capitals():
    # .VnTimeH draws the lower-case codes as capitals
    assert decode_tcvn3("B¸O C¸O T×NH H×NH") == "BÁO CÁO TÌNH HÌNH"
    assert decode_tcvn3("Së TµI CHÝNH") == "SỞ TÀI CHÍNH"


def test_tcvn3_acronym_does_not_turn_the_text_into_capitals():
    assert decode_tcvn3("Së KH&§T") == "Sở KH&ĐT"


def test_tcvn3_table_agrees_with_glibc_tcvn5712():
    if shutil.which("iconv") is None:
        pytest.skip("iconv not installed")
    codes = "".join(TCVN3_TABLE).encode("latin-1")
    run = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=codes, capture_output=True, check=False)
    if run.returncode != 0:
        pytest.skip("iconv has no TCVN5712-1")
    assert run.stdout.decode("utf-8") == "".join(TCVN3_TABLE.values())


def test_tcvn3_table_covers_every_small_vietnamese_letter_and_seven_capitals():
    small = {c for w in _RHYMES for c in unicodedata.normalize("NFC", w)} | {"đ"}
    toned = {unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in _TONES}
    assert (small | toned) - set("bcdghklmnprstvxy" + "aeiou") <= set(TCVN3_TABLE.values())
    assert {"Ă", "Â", "Ê", "Ô", "Ơ", "Ư", "Đ"} <= set(TCVN3_TABLE.values())


# The VNI-Windows table as published (Unicode letter, VNI bytes), typed by hand.
_VNI_PUBLISHED = list(
    zip(
        "à á ả ã ạ ă ằ ắ ẳ ẵ ặ â ầ ấ ẩ ẫ ậ đ è é ẻ ẽ ẹ ê ề ế ể ễ ệ ì í ỉ ĩ ị ò ó ỏ õ ọ ô ồ ố ổ ỗ ộ "
        "ơ ờ ớ ở ỡ ợ ù ú ủ ũ ụ ư ừ ứ ử ữ ự ỳ ý ỷ ỹ ỵ".split(),
        "aø aù aû aõ aï aê aè aé aú aü aë aâ aà aá aå aã aä ñ eø eù eû eõ eï eâ eà eá eå eã eä ì í æ ó ò "
        "oø où oû oõ oï oâ oà oá oå oã oä ô ôø ôù ôû ôõ ôï uø uù uû uõ uï ö öø öù öû öõ öï yø yù yû yõ "
        "î".split(),
    )
)


@pytest.mark.parametrize(("letter", "vni"), _VNI_PUBLISHED)
def test_vni_table_matches_published_table(letter, vni):
    assert decode_vni(vni) == letter
    assert decode_vni(vni.upper()) == letter.upper()


@given(vietnamese_text)
def test_vni_round_trip_of_any_vietnamese_text(text):
    assert decode_vni(to_vni(text)) == text


@given(vietnamese_text.map(str.lower))
def test_tcvn3_round_trip_of_any_lower_case_vietnamese_text(text):
    assert decode_tcvn3(to_tcvn3(text)) == text


@given(vietnamese_text)
def test_real_unicode_vietnamese_is_never_taken_for_legacy(text):
    assert detect_legacy(text) is None
    assert clean_text(text).repairs == ()


def test_a_text_whose_words_are_syllables_as_they_stand_is_not_decoded_though_vni_would_decode_it():
    """Found by the property above: ``quùôi`` (u with a grave, then ô) reads as VNI too."""
    assert detect_legacy("quùôi quùôi") is None
    assert clean_text("quùôi quùôi").text == "quùôi quùôi"
    assert detect_legacy("Baùo caùo keát quaû") == "vni"  # real VNI still is


@pytest.mark.parametrize(
    "text",
    [
        "Hoàn thành",
        "Tòa án nhân dân tỉnh",
        "Cà Mau",
        "Tôi là cán bộ",
        "Sở Tài chính",
        "Report on the socio-economic situation",
        "2026",
        "15/11/2026",
        "Le 15 août, nous irons à l'île",
        "Café crème à la française, naïve et sûr",
        "Noël à Zürich",
        "Le coût du projet",
        "«Bonjour»",
        "Vitesse: 5 µm",
        "© 2026",
    ],
)
def test_ordinary_text_is_not_taken_for_legacy(text):
    assert detect_legacy(text) is None


@pytest.mark.parametrize("sentence", [REPORT_TITLE, SKHDT_NAME, "Sở Tài chính", "Uỷ ban nhân dân huyện Đức Phổ"])
def test_tcvn3_text_is_detected_and_repaired(sentence):
    legacy = to_tcvn3(sentence)
    assert detect_legacy(legacy) == "tcvn3"
    cleaned = clean_text(legacy)
    assert cleaned.text == sentence
    assert cleaned.repairs == ("text_repaired_tcvn3",)


@pytest.mark.parametrize("sentence", [REPORT_TITLE, SKHDT_NAME, "Sở Tài chính", DUC_PHO])
def test_vni_text_is_detected_and_repaired(sentence):
    legacy = to_vni(sentence)
    assert detect_legacy(legacy) == "vni"
    cleaned = clean_text(legacy)
    assert cleaned.text == sentence
    assert cleaned.repairs == ("text_repaired_vni",)


def test_one_legacy_looking_word_is_not_enough_to_convert():
    # "Sở TC" in VNI: only one word bears VNI marks, too little to be sure
    assert detect_legacy("Sôû TC") is None
    assert clean_text("Sôû TC").text == "Sôû TC"


# --- Vietnamese order -----------------------------------------------------------------------


def test_letters_follow_the_vietnamese_alphabet():
    names = ["Đà Nẵng", "Bình Định", "Ân Thi", "Dương Minh Châu", "Ăn Chè", "An Giang"]
    assert vn_sorted(names) == ["An Giang", "Ăn Chè", "Ân Thi", "Bình Định", "Dương Minh Châu", "Đà Nẵng"]


def test_o_with_hat_and_horn_follow_plain_o():
    assert vn_sorted(["Ơn", "Ôn", "On"]) == ["On", "Ôn", "Ơn"]
    assert vn_sorted(["Ưng", "Ung"]) == ["Ung", "Ưng"]


def test_tones_order_none_huyen_hoi_nga_sac_nang():
    assert vn_sorted(["má", "mạ", "mã", "ma", "mả", "mà"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_letters_of_a_syllable_weigh_more_than_its_tone():
    assert vn_sorted(["mác", "mà"]) == ["mà", "mác"]


def test_syllables_are_compared_one_by_one():
    assert vn_sorted(["Bà Rịa", "Ba Tơ", "Ba"]) == ["Ba", "Ba Tơ", "Bà Rịa"]


def test_order_ignores_case():
    assert vn_sort_key("sở tài chính")[0] == vn_sort_key("SỞ TÀI CHÍNH")[0]
    assert vn_sorted(["bình sơn", "An Lão"]) == ["An Lão", "bình sơn"]


def test_vn_sorted_uses_the_key():
    agencies = [Agency(code="HDP", name="UBND huyện Đức Phổ"), Agency(code="HBS", name="UBND huyện Bình Sơn")]
    assert [a.code for a in vn_sorted(agencies, key=lambda a: a.name)] == ["HBS", "HDP"]


@given(st.lists(vietnamese_text, max_size=8))
def test_sorting_is_a_total_order_stable_under_shuffling(names):
    assert vn_sorted(names) == vn_sorted(list(reversed(names)))


# --- agency matching ------------------------------------------------------------------------

REGISTRY = [
    Agency(code="STC", name="Sở Tài chính"),
    Agency(code="SNV", name="Sở Nội vụ"),
    Agency(code="SKHDT", name="Sở Kế hoạch và Đầu tư"),
    Agency(code="STP", name="Sở Tư pháp"),
    Agency(code="SYT", name="Sở Y tế"),
    Agency(code="SGDDT", name="Sở Giáo dục và Đào tạo"),
    Agency(code="SVHTTDL", name="Sở Văn hóa, Thể thao và Du lịch"),
    Agency(code="CAT", name="Công an tỉnh"),
    Agency(code="HDP", name="UBND huyện Đức Phổ", kind="UBND cấp huyện"),
    Agency(code="HBS", name="UBND huyện Bình Sơn", kind="UBND cấp huyện"),
    Agency(code="TPQN", name="UBND thành phố Quảng Ngãi", kind="UBND cấp huyện"),
]


@pytest.fixture(scope="module")
def matcher() -> AgencyMatcher:
    return AgencyMatcher(REGISTRY)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("STC", "STC"),
        ("stc", "STC"),
        ("Sở Tài Chính", "STC"),
        ("so tai chinh", "STC"),
        ("  SỞ TÀI  CHÍNH ", "STC"),
        ("Sở TC", "STC"),
        ("Sở KH&ĐT", "SKHDT"),
        ("Sở KHĐT", "SKHDT"),
        ("Sở Kế hoạch và Đầu tư", "SKHDT"),
        ("Sở GD&ĐT", "SGDDT"),
        ("Sở VH-TT&DL", "SVHTTDL"),
        ("UBND huyện Đức Phổ", "HDP"),
        ("Ủy ban nhân dân huyện Đức Phổ", "HDP"),
        ("Uỷ ban nhân dân huyện Đức Phổ", "HDP"),
        ("UBND H. Đức Phổ", "HDP"),
        ("Huyện Đức Phổ", "HDP"),
        ("UBND TP. Quảng Ngãi", "TPQN"),
        ("Thành phố Quảng Ngãi", "TPQN"),
        ("Sở Tư pháp tỉnh Quảng Ngãi", "STP"),
        ("Công an tỉnh Quảng Ngãi", "CAT"),
        ("Sở Tài chính (chủ trì)", "STC"),
        ("Së Tµi chÝnh", "STC"),
        (unicodedata.normalize("NFD", "Sở Y tế"), "SYT"),
    ],
)
def test_agency_is_recognised_with_certainty(matcher, written, code):
    result = matcher.match(written)
    assert result.agency is not None and result.agency.code == code
    assert result.certain
    assert result.suggestion is None


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Sở Tài chánh", "STC"),
        ("So Tai chin", "STC"),
        ("Tài chính", "STC"),
        ("Đức Phổ", "HDP"),
        ("Sở Giáo dục Đào tạo", "SGDDT"),
        ("UBND huyện Bình Sơnn", "HBS"),
    ],
)
def test_close_variant_is_a_guess_with_a_warning(matcher, written, code):
    result = matcher.match(written)
    assert result.agency is not None and result.agency.code == code
    assert not result.certain
    assert result.suggestion == result.agency


def test_unknown_agency_gets_the_closest_as_a_suggestion(matcher):
    result = matcher.match("Sở Tài chính - Kế hoạch")
    assert result.agency is None and not result.certain
    assert result.suggestion is not None and result.suggestion.code in {"STC", "SKHDT"}


def test_another_real_agency_is_not_guessed_as_a_similar_one(matcher):
    assert matcher.match("Sở Ngoại vụ").agency is None


def test_words_in_another_order_are_a_guess(matcher):
    result = matcher.match("Sở Đầu tư và Kế hoạch")
    assert result.agency is not None and result.agency.code == "SKHDT" and not result.certain


def test_unrelated_text_gets_no_suggestion(matcher):
    result = matcher.match("Phòng họp số 3")
    assert result == type(result)(None, False, None)


def test_empty_text_matches_nothing(matcher):
    assert matcher.match("") == matcher.match("  ") == type(matcher.match(""))(None, False, None)


def test_abbreviation_shared_by_two_agencies_is_not_certain():
    twins = AgencyMatcher([Agency(code="STC", name="Sở Tài chính"), Agency(code="STHC", name="Sở Thương chính")])
    result = twins.match("Sở TC")
    assert not result.certain


# --- lists of agencies ----------------------------------------------------------------------


def test_list_splits_on_commas_semicolons_and_line_breaks():
    assert split_agencies("Sở Tài chính, Sở Nội vụ; UBND huyện Đức Phổ\nCông an tỉnh") == [
        "Sở Tài chính",
        "Sở Nội vụ",
        "UBND huyện Đức Phổ",
        "Công an tỉnh",
    ]


def test_va_between_two_agencies_splits():
    assert split_agencies("Sở Nội vụ và UBND huyện Bình Sơn") == ["Sở Nội vụ", "UBND huyện Bình Sơn"]


def test_va_inside_an_agency_name_does_not_split():
    assert split_agencies("Sở Kế hoạch và Đầu tư và Sở Tài chính") == [SKHDT_NAME, "Sở Tài chính"]


def test_generic_tails_stay_with_their_head():
    assert split_agencies("UBND các huyện, thị xã, thành phố") == ["UBND các huyện, thị xã, thành phố"]
    assert split_agencies("Các sở, ban, ngành") == ["Các sở, ban, ngành"]


def test_bullets_and_final_dots_are_dropped():
    assert split_agencies("- Sở Tài chính;\n- Sở Nội vụ.") == ["Sở Tài chính", "Sở Nội vụ"]


def test_codes_split_on_commas():
    assert split_agencies("STC, SNV,STP") == ["STC", "SNV", "STP"]


def test_registry_keeps_a_name_with_a_comma_whole(matcher):
    text = "Sở Văn hóa, Thể thao và Du lịch, Sở Y tế"
    assert matcher.split(text) == ["Sở Văn hóa, Thể thao và Du lịch", "Sở Y tế"]


def test_empty_list_has_no_parts():
    assert split_agencies("") == []
    assert split_agencies(None) == []  # type: ignore[arg-type]
