"""Text as people type it (SPEC §4).

* :func:`clean_text` turns any cell value into NFC text with tidy spaces, repairing text typed
  in a decomposed (NFD) form or in the legacy TCVN3 (ABC, ``.VnTime``) and VNI-Windows
  encodings, and says which repairs it made (finding codes of the message catalogue).
* :func:`vn_sort_key` / :func:`vn_sorted` order names the Vietnamese way
  (a ă â b c d đ e ê …, tones as a secondary key inside each syllable).
* :class:`AgencyMatcher` recognises an agency written by code, full name, abbreviation or a
  close variant, and :func:`split_agencies` cuts a list of agencies into its parts;
  :class:`LeaderMatcher` recognises the configured leaders the same way (``PCT Nguyễn Văn Hải``,
  ``Phó Chủ tịch Hải``, and as a guess ``Đ/c Hải``): both are one :class:`NameMatcher`.

Legacy encodings: when text typed with a ``.VnTime`` (TCVN3) or ``VNI-Times`` (VNI) font is
pasted as plain text, Excel keeps the font's single bytes as Windows-1252 characters, e.g.
TCVN3 ``Së Tµi chÝnh`` and VNI ``Sôû Taøi chính`` both mean ``Sở Tài chính``.
The TCVN3 table below is the lower-case half of TCVN 5712:1993 VN3 plus the seven upper-case
letters that have their own codes (Ă Â Ê Ô Ơ Ư Đ); it agrees with glibc's TCVN5712-1 table
(checked in the tests). VN3 has no codes for the other upper-case letters: ``.VnTimeH`` fonts
draw the lower-case codes as capitals, so a word written all in capitals is upper-cased back.
VNI writes a base letter followed by a byte for the diacritic.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import numbers
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

from .models import Agency

T = TypeVar("T")

# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------


def memoized(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` (pure, returning immutable values) remembered for the arguments already seen: the
    same dates, list values and names come back in every column of every file of a run, so each
    distinct value is worked out once. Arguments that cannot be hashed are worked out each time."""
    cached = lru_cache(maxsize=1 << 16, typed=True)(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return cached(*args, **kwargs)
        except TypeError:  # an unhashable argument
            return fn(*args, **kwargs)

    wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return wrapper


def shared(value: Any) -> Any:
    """A short text (an agency, a leader, a period, a kind of document…) as the one copy every
    item of the programme holds (:func:`sys.intern`); anything else as it is. A programme of
    150,000 items repeats a few thousand such texts in every row."""
    return sys.intern(value) if value.__class__ is str and len(value) <= _SHARED_TEXT else value


_SHARED_TEXT = 80


def shared_cell_text(value: object) -> str:
    """``shared(cell_text(value))``, the text of a cell as an item holds it; a text (most cells)
    without the detours (a master's programme is read cell by cell: 150,000 items)."""
    if value.__class__ is str:
        text = unicodedata.normalize("NFC", value).strip()
        return sys.intern(text) if len(text) <= _SHARED_TEXT else text
    return shared(cell_text(value))


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def normalize_header(s: str) -> str:
    """Key for comparing header texts: NFC, lower case, single spaces."""
    return _normalize_text(s if type(s) is str else str(s))


@lru_cache(maxsize=1 << 16)
def _normalize_text(s: str) -> str:
    # (split/join: the same runs of white space as the pattern \s+, ten times faster on a
    # programme's 150,000 contents)
    return " ".join(nfc(s).split()).casefold()


_D_STROKE = str.maketrans({"đ": "d", "Đ": "D"})


def strip_diacritics(s: str) -> str:
    """``"Sở Tài chính"`` -> ``"So Tai chinh"`` (đ -> d); other characters are kept."""
    decomposed = unicodedata.normalize("NFD", s.translate(_D_STROKE))
    return nfc("".join(c for c in decomposed if not unicodedata.combining(c)))


def fold_key(s: str) -> str:
    """Key for comparing names loosely: no diacritics, lower case, punctuation as spaces, single
    spaces (``"Sở Tài chính (STC)"`` -> ``"so tai chinh stc"``)."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", strip_diacritics(str(s)).casefold()).split())


def is_blank(value: object) -> bool:
    """An empty cell: ``None`` or a text of white space only."""
    return value is None or (isinstance(value, str) and not value.strip())


def format_date(d: dt.date) -> str:
    """``15/11/2026``: the way dates are written in Vietnamese documents."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def cell_text(value: object) -> str:
    """A cell value as plain text, without repairs (see :func:`clean_text`): ``""`` for blank, a
    whole number without ``.0``, a date as ``15/11/2026``, otherwise NFC and trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return format_date(value)
    return nfc(str(value)).strip()


# --------------------------------------------------------------------------------------------
# Agencies' text on its way out (SECURITY.md): never a control sequence, never a bad name
# --------------------------------------------------------------------------------------------

ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # what XML 1.0 cannot hold
# C0 and C1 controls, DEL, and the invisible marks that reorder or hide text on a screen
_UNSAFE_ON_SCREEN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_UNSAFE_IN_NAME = re.compile('[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff/\\\\:*?"<>|]')
MAX_NAME_BYTES = 180  # of a file name the tool makes from an agency's (the disk allows 255)


def xml_safe(text: str) -> str:
    """``text`` without the characters an .xlsx part cannot contain (a BEL, ``_x0007_``…)."""
    return ILLEGAL_XML.sub("\ufffd", text)


def screen_safe(text: str, *, newlines: bool = False) -> str:
    """``text`` as a terminal may print it: every control or escape character (``\\x1b[2J``,
    a carriage return that overprints, a right-to-left override) shown as a visible
    ``\\x1b`` / ``\\u202e`` instead of acting; tabs as spaces, new lines as spaces unless
    ``newlines`` (text already laid out in lines)."""
    def show(m: re.Match) -> str:
        ch = m.group(0)
        if ch == "\n" and newlines:
            return ch
        if ch in "\n\t":
            return " "
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"

    return _UNSAFE_ON_SCREEN.sub(show, str(text))


def safe_file_stem(stem: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file-name stem made from an agency's: control and reserved characters replaced by
    ``_``, cut to ``max_bytes`` of UTF-8 (with a short hash of the whole, so that two long
    names stay apart)."""
    clean = _UNSAFE_IN_NAME.sub("_", nfc(stem)).strip(" .") or "tep"
    data = clean.encode("utf-8")
    if len(data) <= max_bytes:
        return clean
    import hashlib

    tag = hashlib.sha256(stem.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    cut = data[: max_bytes - len(tag) - 1].decode("utf-8", "ignore")
    return f"{cut}~{tag}"


# --------------------------------------------------------------------------------------------
# Legacy encodings: code tables
# --------------------------------------------------------------------------------------------

# TCVN 5712:1993 VN3 (ABC), byte -> letter. Bytes 0xA0-0xFF read the same in cp1252 and latin-1.
_TCVN3_BYTES: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ", 0xA8: "ă",
    0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ", 0xB5: "à", 0xB6: "ả",
    0xB7: "ã", 0xB8: "á", 0xB9: "ạ", 0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ", 0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ",
    0xD0: "é", 0xD1: "ẹ", 0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ", 0xD7: "ì",
    0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị", 0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó",
    0xE4: "ọ", 0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ", 0xEA: "ờ", 0xEB: "ở",
    0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ", 0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự", 0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ",
    0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip
TCVN3_TABLE: dict[str, str] = {chr(code): letter for code, letter in _TCVN3_BYTES.items()}

# VNI-Windows. Diacritic bytes follow the base letter; the lower-case byte is shown, the
# upper-case byte (used after a capital) is its .upper().
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE = "\u0302", "\u0306"
_VNI_TONE = {"ø": _GRAVE, "ù": _ACUTE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_VNI_CIRCUMFLEX = {"â": "", "à": _GRAVE, "á": _ACUTE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}
_VNI_BREVE = {"ê": "", "è": _GRAVE, "é": _ACUTE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}
# Letters with a byte of their own (ơ ư đ, and i / ỵ whose tones are single bytes).
_VNI_SINGLE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "ì": "ì", "í": "í", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}


def _build_vni_table() -> dict[str, str]:
    table: dict[str, str] = {}

    def add(seq: str, letter: str) -> None:
        for base_upper in (False, True):
            base = seq[0].upper() if base_upper else seq[0]
            target = nfc(letter.upper() if base_upper else letter)
            # the diacritic byte is normally in the base's case; accept either
            for marks in {seq[1:], seq[1:].upper(), seq[1:].lower()}:
                table[base + marks] = target

    for byte, letter in _VNI_SINGLE.items():
        add(byte, letter)
    for base in "aeouy":
        for byte, mark in _VNI_TONE.items():
            if (base, byte) != ("y", "ï"):  # ỵ has its own byte (î)
                add(base + byte, base + mark)
    for base in "aeo":
        for byte, mark in _VNI_CIRCUMFLEX.items():
            add(base + byte, base + _CIRCUMFLEX + mark)
    for byte, mark in _VNI_BREVE.items():
        add("a" + byte, "a" + _BREVE + mark)
    for byte, letter in (("ô", "ơ"), ("ö", "ư")):
        for tone_byte, mark in _VNI_TONE.items():
            add(byte + tone_byte, letter + mark)
    return table


VNI_TABLE: dict[str, str] = _build_vni_table()
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, VNI_TABLE), key=len, reverse=True)))
_TCVN3_TRANSLATION = str.maketrans(TCVN3_TABLE)


def decode_tcvn3(s: str) -> str:
    """TCVN3 (ABC) text read as cp1252/latin-1 characters -> Unicode (NFC)."""
    decoded = s.translate(_TCVN3_TRANSLATION)
    words = list(re.finditer(r"\S+", s))
    # .VnTimeH draws lower-case codes as capitals: a word whose Latin letters are capitals was
    # written in capitals, and so was all the text when every such legacy word is.
    legacy_words = [m.group() for m in words if _has_tcvn3_small(m.group()) and _ascii_letters(m.group()) >= 2]
    shouting = bool(legacy_words) and all(_all_caps(w) for w in legacy_words)
    pieces, last = [], 0
    for m in words:
        pieces.append(decoded[last : m.start()])
        word = decoded[m.start() : m.end()]
        upper = _all_caps(m.group()) or (shouting and _has_tcvn3(m.group()))
        pieces.append(word.upper() if upper else word)
        last = m.end()
    pieces.append(decoded[last:])
    return nfc("".join(pieces))


def _has_tcvn3(word: str) -> bool:
    return any(c in TCVN3_TABLE for c in word)


def _has_tcvn3_small(word: str) -> bool:
    """Holds a code of a small letter (not only Ă Â Ê Ô Ơ Ư Đ, as in the acronym "KH&§T")."""
    return any(TCVN3_TABLE.get(c, "A").islower() for c in word)


def _ascii_letters(s: str) -> int:
    return sum(c.isascii() and c.isalpha() for c in s)


def _all_caps(s: str) -> bool:
    """At least two Latin letters, all capitals."""
    letters = [c for c in s if c.isascii() and c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def decode_vni(s: str) -> str:
    """VNI-Windows text read as cp1252/latin-1 characters -> Unicode (NFC)."""
    return nfc(_VNI_PATTERN.sub(lambda m: VNI_TABLE[m.group()], s))


# --------------------------------------------------------------------------------------------
# Legacy encodings: detection
# --------------------------------------------------------------------------------------------

# cp1252 punctuation in 0x80-0x9F (smart quotes, dashes…) may sit in legacy text.
_CP1252_EXTRAS = frozenset(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))
# TCVN3 codes that are symbols (or µ ª) in cp1252: never inside a real word.
_TCVN3_SYMBOLS = frozenset(c for c in TCVN3_TABLE if not c.isalpha()) | {"ª", "µ"}
_TCVN3_QUOTES = frozenset("«»")  # also French quotation marks: count them only mid-word
# Latin-1 letters that VNI uses and Vietnamese never does.
_VNI_MARKERS = frozenset("øûïåäüëöñæî" + "øûïåäüëöñæî".upper())
_VNI_CHARS = frozenset("".join(VNI_TABLE))
_UNICODE_VOWEL_PAIRS = frozenset({"oà", "oá", "oã"})  # old-style "hoà", "khoá", "xoã"

_TONE_MARKS = frozenset((_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT))
_OPEN_RHYMES = (
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ui ưi ưu ua ưa oai oay oeo uây uôi ươi ươu iêu yêu "
    "uya uyu uơ"
).split()
_CLOSABLE_NUCLEI = "a ă â e ê i o ô ơ u ư y iê yê uô ươ oa oă oe uâ uê uy uyê oo".split()


def _alternation(items: Iterable[str]) -> str:
    return "|".join(sorted(items, key=len, reverse=True))


_SYLLABLE = re.compile(
    rf"(?:ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdđghklmnprstvx])?"
    rf"(?:{_alternation(_OPEN_RHYMES)}|(?:{_alternation(_CLOSABLE_NUCLEI)})(?:ch|ng|nh|[cmnpt])?)"
)


def is_vietnamese_syllable(word: str) -> bool:
    """True for a well-formed Vietnamese syllable (one tone at most), any case."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(c in _TONE_MARKS for c in decomposed) > 1:
        return False
    toneless = nfc("".join(c for c in decomposed if c not in _TONE_MARKS))
    return _SYLLABLE.fullmatch(toneless) is not None


def _is_acronym(word: str) -> bool:
    """``ĐT`` in ``KH&ĐT``: capitals without tone marks."""
    decomposed = unicodedata.normalize("NFD", word)
    return word.isupper() and not any(c in _TONE_MARKS for c in decomposed)


@dataclass(frozen=True)
class _LegacyCodec:
    name: str
    chars: frozenset[str]  # every non-ASCII character the encoding produces
    decode: Callable[[str], str]
    is_marker: Callable[[str, int], bool]  # is word[i] a sign of this encoding?
    unconsumed: Callable[[str], bool] = lambda word: False  # bytes left that decode nothing


def _tcvn3_marker(word: str, i: int) -> bool:
    c = word[i]
    if c not in TCVN3_TABLE:
        return False
    before = i > 0 and (word[i - 1].isalpha() or word[i - 1] in TCVN3_TABLE)
    after = i + 1 < len(word) and (word[i + 1].isalpha() or word[i + 1] in TCVN3_TABLE)
    if c in _TCVN3_QUOTES:
        return before and after
    if c in _TCVN3_SYMBOLS:
        return before or after
    # a capital in the middle of a lower-case word ("chÝnh", "ViÖt"), or a small letter in a
    # word of capitals ("TRêNG" typed with a .VnTimeH font)
    return (c.isupper() and i > 0 and word[i - 1].islower()) or (c.islower() and _all_caps(word))


def _vni_marker(word: str, i: int) -> bool:
    """A byte Vietnamese never uses ("ñ", "ö", "ø"), or a vowel + diacritic byte pair that
    Unicode Vietnamese never writes ("aù", "eà", "oõ"; not "oà" "oá" "oã" as in "hoà")."""
    if word[i] in _VNI_MARKERS:
        return True
    pair = word[i - 1 : i + 1] if i > 0 else ""
    return pair in VNI_TABLE and pair.lower() not in _UNICODE_VOWEL_PAIRS


def _vni_unconsumed(word: str) -> bool:
    """A diacritic byte with no base letter before it ("thành" is no VNI)."""
    return not _VNI_PATTERN.sub("", word).isascii()


_CODECS = (
    _LegacyCodec("tcvn3", frozenset(TCVN3_TABLE), decode_tcvn3, _tcvn3_marker),
    _LegacyCodec("vni", frozenset(c for c in _VNI_CHARS if not c.isascii()), decode_vni, _vni_marker, _vni_unconsumed),
)


def _looks_like(s: str, codec: _LegacyCodec) -> bool:
    """Words decode to Vietnamese syllables, and at least two bear the encoding's marks."""
    stray = [c for c in s if not c.isascii() and c not in codec.chars]
    if any(c.isalpha() for c in stray):
        return False  # a letter the encoding never produces
    word_chars = re.escape("".join(sorted(codec.chars)))
    words = [w for w in re.findall(rf"[A-Za-z{word_chars}]+", s) if not w.isdigit()]
    marked = invalid = 0
    for word in words:
        if not _decodes_to_vietnamese(word, codec):
            invalid += 1
        elif not word.isascii() and any(codec.is_marker(word, i) for i in range(len(word))):
            marked += 1
    # Unaccented words must be Vietnamese too ("Le coût du projet" is French); a few typos or
    # loan words are allowed.
    return marked >= 2 and invalid * 5 <= len(words)


def _decodes_to_vietnamese(word: str, codec: _LegacyCodec) -> bool:
    if codec.unconsumed(word):
        return False
    return _all_syllables(codec.decode(word))


def _all_syllables(text: str) -> bool:
    """Is every word of ``text`` a Vietnamese syllable (or an acronym such as ``ĐT``)?"""
    return all(is_vietnamese_syllable(run) or _is_acronym(run) for run in re.findall(r"[^\W\d_]+", text))


def detect_legacy(s: str) -> str | None:
    """``"tcvn3"`` or ``"vni"`` when ``s`` is surely text in that legacy encoding, else None.

    Real Unicode Vietnamese never qualifies: it holds none of the marks (TCVN3 symbols such as
    ``µ ¸ ©`` inside words, capitals inside lower-case words; VNI bytes such as ``ø û ï ö ñ``
    that Vietnamese never uses, or pairs such as ``aù``), at least two words must bear them,
    and the words must decode to Vietnamese syllables (four in five at least): French or
    English text does not. A text whose every word is a Vietnamese syllable as it stands is
    taken as it is.
    """
    if not s or s.isascii():
        return None
    if any(ord(c) > 0xFF and c not in _CP1252_EXTRAS for c in s):
        return None  # real Unicode beyond Latin-1: not a single-byte font's text
    if _all_syllables(s):
        return None  # every word already a Vietnamese syllable as it is ("quùôi" decodes from VNI too)
    found = [codec.name for codec in _CODECS if _looks_like(s, codec)]
    return found[0] if len(found) == 1 else None


# --------------------------------------------------------------------------------------------
# Cleaning a cell value
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanText:
    text: str  # NFC, trimmed, inner runs of spaces/tabs/nbsp collapsed, single "\n" line breaks
    repairs: tuple[str, ...]  # finding codes of the repairs applied, in order


_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\x85\u2028\u2029]")
_INLINE_SPACE = re.compile(r"[^\S\n]+")  # every white space except the line break
_INVISIBLE = re.compile("[\u200b\u2060\ufeff]")  # zero-width space, word joiner, BOM


@memoized
def clean_text(value: object) -> CleanText:
    """Text of a cell as it should have been typed, and the repairs that were needed."""
    raw = _as_text(value)
    repairs: list[str] = []
    text = nfc(raw)
    if text != raw:
        repairs.append("text_repaired_nfd")
    legacy = detect_legacy(text)
    if legacy == "tcvn3":
        text = decode_tcvn3(text)
        repairs.append("text_repaired_tcvn3")
    elif legacy == "vni":
        text = decode_vni(text)
        repairs.append("text_repaired_vni")
    before = _LINE_BREAKS.sub("\n", text)
    tidy = _tidy_spaces(before)
    if tidy != before:
        repairs.append("text_spaces")
    return CleanText(tidy, tuple(repairs))


# what makes a text untidy: white space other than the space and the line break (a tab, a
# non-breaking space, a line break of another kind), an invisible character, two spaces, a space
# or an empty line at a line's end or start (a clerk's text is most often tidy as typed)
_UNTIDY = re.compile("[^\\S \n]|[\u200b\u2060\ufeff]|  | \n|\n |\n\n|\\A[ \n]|[ \n]\\Z")


def _tidy_spaces(text: str) -> str:
    if _UNTIDY.search(text) is None:
        return text
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))
    lines = (_INLINE_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0):
        value = value.date()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return format_date(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return ""  # pandas' empty cell
        if number.is_integer():
            return str(int(number))
        return repr(number)
    return str(value)


# --------------------------------------------------------------------------------------------
# Vietnamese alphabetical order
# --------------------------------------------------------------------------------------------

# Vietnamese alphabet; f j w z (loan words) take their Latin places.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET, start=1)}
# none, huyền, hỏi, ngã, sắc, nặng
_TONE_RANK = {_GRAVE: 1, _HOOK: 2, _TILDE: 3, _ACUTE: 4, _DOT: 5}


@lru_cache(maxsize=4096)
def _char_key(ch: str) -> tuple[tuple[int, int], int]:
    """((group, rank), tone) of one character; groups: punctuation, digits, letters, others."""
    decomposed = unicodedata.normalize("NFD", ch.lower())
    tone = next((_TONE_RANK[c] for c in decomposed if c in _TONE_RANK), 0)
    base = nfc("".join(c for c in decomposed if c not in _TONE_RANK))
    if base in _LETTER_RANK:
        return (2, _LETTER_RANK[base]), tone
    bare = "".join(c for c in unicodedata.normalize("NFD", base) if not unicodedata.combining(c))
    if bare in _LETTER_RANK:  # é ç ñ…: sort with their base letter
        return (2, _LETTER_RANK[bare]), tone
    if ch.isdigit():
        return (1, unicodedata.digit(ch, 0)), 0
    if ch.isalpha():
        return (3, ord(ch)), 0
    return (0, ord(ch)), 0


def vn_sort_key(s: str) -> tuple:
    """Key for Vietnamese alphabetical order, case-insensitive.

    Syllable by syllable: first the letters (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u
    ư v x y), then the tone (none, huyền, hỏi, ngã, sắc, nặng). The text itself breaks ties so
    the order is total and stable across runs.
    """
    return _vn_sort_key(s if s.__class__ is str else str(s))


@lru_cache(maxsize=1 << 14)
def _vn_sort_key(s: str) -> tuple:
    """:func:`vn_sort_key` of a text, worked out once a run: the same agency and leader names
    are sorted in every table."""
    text = nfc(s)
    syllables = []
    for token in text.split():
        keys = [_char_key(c) for c in token]
        syllables.append((tuple(k[0] for k in keys), tuple(k[1] for k in keys)))
    return (tuple(syllables), text)


def vn_sorted(items: Iterable[T], key: Callable[[T], Any] = lambda x: x) -> list[T]:
    """``items`` in Vietnamese alphabetical order of ``key(item)``."""
    return sorted(items, key=lambda item: vn_sort_key(str(key(item))))


# --------------------------------------------------------------------------------------------
# Lists of agencies
# --------------------------------------------------------------------------------------------

# Words that begin an agency's name: " và " before one of them separates two agencies.
_AGENCY_STARTS = (
    "sở", "ban", "ubnd", "ủy ban", "uỷ ban", "hđnd", "công an", "văn phòng", "thanh tra",
    "bộ chỉ huy", "bchqs", "kho bạc", "cục", "chi cục", "tòa án", "toà án", "viện kiểm sát",
    "đài", "bảo hiểm xã hội", "ngân hàng", "mặt trận", "hội", "liên đoàn", "liên minh",
    "tỉnh đoàn", "tỉnh ủy", "tỉnh uỷ", "trường", "bệnh viện", "trung tâm", "công ty", "quỹ",
    "bql", "các", "huyện ủy", "thành ủy", "thị ủy",
)  # fmt: skip
_AGENCY_START_RE = re.compile(rf"^(?:{_alternation(map(re.escape, _AGENCY_STARTS))})(?!\w)")
# Words that alone are no agency but the tail of "UBND các huyện, thị xã, thành phố".
_GENERIC_TAILS = frozenset(
    ("ban", "ngành", "sở", "hội", "huyện", "xã", "phường", "thị xã", "thị trấn", "thành phố",
     "địa phương", "đơn vị", "cơ quan", "đoàn thể", "tổ chức")
)  # fmt: skip
_SEPARATOR = re.compile(r"(\s*[,;\n]\s*|\s+và\s+)", re.IGNORECASE)
_BULLET = re.compile(r"^[-+•*–—]+\s*|[.;,]+$")


def split_agencies(text: str, is_agency: Callable[[str], bool] | None = None) -> list[str]:
    """``"Sở Tài chính, Sở Nội vụ; UBND huyện A"`` -> the agencies' names.

    Splits on ``,`` ``;`` line breaks and `` và `` — but `` và `` only when an agency's name
    follows (so ``Sở Kế hoạch và Đầu tư`` stays whole), and ``thị xã, thành phố`` stay with
    ``UBND các huyện``. ``is_agency`` (e.g. :meth:`AgencyMatcher.is_known`) lets the registry
    keep names that contain a comma whole (``Sở Văn hóa, Thể thao và Du lịch``).
    """
    parts = _SEPARATOR.split(clean_text(text).text)
    pieces, seps = parts[0::2], parts[1::2]
    result: list[str] = []
    i = 0
    while i < len(pieces):
        end = _known_run_end(pieces, seps, i, is_agency) if is_agency else None
        if end is None:
            end = i + 1
            while end < len(pieces) and _continues(seps[end - 1], pieces[end]):
                end += 1
        name = _BULLET.sub("", _join(pieces, seps, i, end)).strip()
        if name:
            result.append(name)
        i = end
    return result


def _is_and(sep: str) -> bool:
    return sep.strip().casefold() == "và"


def _join(pieces: list[str], seps: list[str], start: int, end: int) -> str:
    out = pieces[start]
    for k in range(start + 1, end):
        out += (" và " if _is_and(seps[k - 1]) else ", ") + pieces[k]
    return out


def _known_run_end(pieces: list[str], seps: list[str], start: int, is_agency: Callable[[str], bool]) -> int | None:
    """The longest run of pieces from ``start``, joined by commas or "và", that is an agency."""
    end = start + 1
    while end < len(pieces) and (_is_and(seps[end - 1]) or seps[end - 1].strip() == ","):
        end += 1
    for stop in range(end, start, -1):
        if is_agency(_join(pieces, seps, start, stop)):
            return stop
    return None


def _continues(sep: str, piece: str) -> bool:
    """Does ``piece`` belong to the agency before ``sep``?"""
    head = piece.strip().casefold()
    bare = re.sub(r"^các\s+", "", head)
    if bare in _GENERIC_TAILS:
        return True
    return _is_and(sep) and not _AGENCY_START_RE.match(head)


# --------------------------------------------------------------------------------------------
# Matching agencies
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchResult(Generic[T]):
    found: T | None  # set when recognised (certainly, or as a guess)
    certain: bool  # False when it is a guess that deserves a warning ("agency_guessed")
    suggestion: T | None  # the closest entry when not certain, for the hint

    @property
    def agency(self) -> T | None:
        """What an :class:`AgencyMatcher` found."""
        return self.found


# Local People's Committees: the kind word and its short forms.
_LOCAL_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("thanh pho", ("thanh pho", "tp")),
    ("thi tran", ("thi tran", "tt")),
    ("thi xa", ("thi xa", "tx")),
    ("huyen", ("huyen", "h")),
    ("phuong", ("phuong", "p")),
    ("xa", ("xa",)),
)
# Names shortened by the initials of what follows them ("Sở TC", "Ban QLDA").
_INITIALS_PREFIXES = ("so", "ban")
_SUGGEST_RATIO = 0.6  # difflib ratio below which no agency is suggested


def _fold(s: str) -> str:
    """Spaced key: no diacritics, case-folded, punctuation as spaces, UBND spelled short."""
    return re.sub(r"\buy ban nhan dan\b", "ubnd", fold_key(s))


def _compact(folded: str) -> str:
    return folded.replace(" ", "")


@dataclass(frozen=True)
class _Names:
    exact: tuple[str, ...]  # code and full name: certain
    aliases: tuple[str, ...]  # known abbreviations: certain when unambiguous
    weak: tuple[str, ...]  # the name without its kind ("Đức Phổ", "Tài chính"): a guess
    fuzzy: tuple[str, ...]  # spaced forms compared by difflib


def _names_of(agency: Agency) -> _Names:
    name = _fold(agency.name)
    words = name.split()
    aliases: list[str] = []
    weak: list[str] = []
    fuzzy = [name]
    if words[:1] == ["ubnd"]:
        rest = " ".join(words[1:])
        for kind, forms in _LOCAL_KINDS:
            if rest.startswith(kind + " "):
                place = rest[len(kind) + 1 :]
                aliases += [f"ubnd {form} {place}" for form in forms] + [f"{form} {place}" for form in forms]
                aliases.append(f"ubnd {place}")
                weak.append(place)
                fuzzy.append(f"{kind} {place}")
                break
    elif words[:1] and words[0] in _INITIALS_PREFIXES and len(words) > 1:
        prefix, rest = words[0], words[1:]
        initials = "".join(w[0] for w in rest if w != "va")
        if len(initials) >= 2:
            aliases += [f"{prefix} {initials}", f"{prefix} {''.join(w[0] for w in rest)}"]
        weak.append(" ".join(rest))
        fuzzy.append(" ".join(rest))
    if len(words) >= 3 and words[0] != "ubnd":
        aliases.append("".join(w[0] for w in words if w != "va"))
    if words[-1:] == ["tinh"] and len(words) > 1:
        weak.append(" ".join(words[:-1]))
    return _Names(
        exact=(_compact(_fold(agency.code)), _compact(name)),
        aliases=tuple(_compact(a) for a in aliases),
        weak=tuple(_compact(w) for w in weak),
        fuzzy=tuple(fuzzy),
    )


def _index(pairs: Iterable[tuple[str, int]]) -> dict[str, int | None]:
    """key -> agency index, or None when two agencies share the key."""
    out: dict[str, int | None] = {}
    for key, idx in pairs:
        if key:
            out[key] = idx if out.get(key, idx) == idx else None
    return out


class NameMatcher(Generic[T]):
    """Recognises the entries of a list (agencies, leaders) as people write them, from the names
    ``names_of`` gives each entry: an exact name or an unambiguous alias is certain; a weak name
    or a clearly closest spelling is a guess (``certain=False``); otherwise nothing, with the
    closest entry as a suggestion. A key two entries share recognises neither."""

    def __init__(self, entries: Iterable[T], names_of: Callable[[T], _Names],
                 variants: Callable[[str], list[str]] | None = None):
        self._entries: tuple[T, ...] = tuple(entries)
        self._variants = variants or _key_variants
        names = [names_of(e) for e in self._entries]
        self._exact = _index((k, i) for i, n in enumerate(names) for k in n.exact)
        self._alias = _index((k, i) for i, n in enumerate(names) for k in n.aliases)
        self._weak = _index((k, i) for i, n in enumerate(names) for k in n.weak)
        self._fuzzy = [(form, i) for i, n in enumerate(names) for form in n.fuzzy]
        self._cache: dict[str, MatchResult[T]] = {}

    def match(self, text: str) -> MatchResult[T]:
        key = str(text)
        if key not in self._cache:
            self._cache[key] = self._match(key)
        return self._cache[key]

    def is_known(self, text: str) -> bool:
        """True when ``text`` names an entry certainly (an exact name or an alias: the tables
        only, no fuzzy search — a fuzzy match is never certain)."""
        key = str(text)
        if key in self._cache:
            result = self._cache[key]
            return result.found is not None and result.certain
        return self._lookup(self._variants(clean_text(key).text), self._certain_tables) is not None

    def _match(self, text: str) -> MatchResult[T]:
        variants = self._variants(clean_text(text).text)
        if not variants:
            return MatchResult(None, False, None)
        found = self._lookup(variants, (*self._certain_tables, (self._weak, False)))
        return found if found is not None else self._closest(variants[0])

    @property
    def _certain_tables(self) -> tuple[tuple[dict[str, int | None], bool], ...]:
        return (self._exact, True), (self._alias, True)

    def _lookup(self, variants: list[str], tables) -> MatchResult[T] | None:
        """The first table (in order) that knows one of the variants (in order)."""
        compact = [_compact(v) for v in variants]
        for table, certain in tables:
            for key in compact:
                idx = table.get(key)
                if idx is not None:
                    entry = self._entries[idx]
                    return MatchResult(entry, certain, None if certain else entry)
        return None

    def _closest(self, folded: str) -> MatchResult[T]:
        """A guess when one entry is within a typo or has the same words; else a suggestion."""
        compact, words = _compact(folded), _content_words(folded)
        guesses = {idx for form, idx in self._fuzzy if _content_words(form) == words or _within_typo(compact, _compact(form))}
        ratios: dict[int, float] = {}
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(folded)
        for form, idx in self._fuzzy:
            matcher.set_seq1(form)
            if matcher.real_quick_ratio() > ratios.get(idx, 0.0):
                ratios[idx] = max(ratios.get(idx, 0.0), matcher.ratio())
        if len(guesses) == 1:
            entry = self._entries[guesses.pop()]
            return MatchResult(entry, False, entry)
        pool = guesses or set(ratios)
        best = max(pool, key=lambda idx: ratios.get(idx, 0.0), default=None)
        if best is None or (not guesses and ratios[best] < _SUGGEST_RATIO):
            return MatchResult(None, False, None)
        return MatchResult(None, False, self._entries[best])


class AgencyMatcher(NameMatcher[Agency]):
    """Recognises agencies of the registry as people write them.

    Certain: the code (``STC``, ``stc``), the full name ignoring case, diacritics, spacing and
    punctuation (``so tai chinh``), known abbreviations (``Sở TC``, ``Sở KH&ĐT``, ``UBND H. Đức
    Phổ``, ``Ủy ban nhân dân huyện Đức Phổ``, ``TP Quảng Ngãi``), also followed by ``tỉnh …`` or a
    remark in parentheses. A guess (``certain=False``): the name without its kind (``Đức Phổ``)
    or a clearly closest spelling (``Sở Tài chánh``). Otherwise no agency, and the closest one as
    a suggestion.
    """

    def __init__(self, agencies: Iterable[Agency]):
        super().__init__(agencies, _names_of)
        self._splits: dict[str, tuple[str, ...]] = {}

    @property
    def agencies(self) -> tuple[Agency, ...]:
        return self._entries

    def split(self, text: str) -> list[str]:
        """:func:`split_agencies`, keeping registry names that contain a separator whole (each
        distinct text split once: the same partners come back in every file of a run)."""
        key = str(text)
        if key not in self._splits:
            self._splits[key] = tuple(split_agencies(key, self.is_known))
        return list(self._splits[key])


# Leaders of UBND tỉnh: the title (folded, longest first), its short forms, and the honorifics
# a clerk writes before a name (Đ/c, đồng chí, ông, bà).
_LEADER_TITLES = ("pho chu tich ubnd tinh", "chu tich ubnd tinh", "pho chu tich", "chu tich")
_TITLE_FORMS = {
    "pho chu tich": ("pct", "pho chu tich", "pho chu tich ubnd tinh", "pho chu tich ubnd", "pho chu tich tinh",
                     "pct ubnd tinh", "pho ct"),
    "chu tich": ("ct", "chu tich", "chu tich ubnd tinh", "chu tich ubnd", "chu tich tinh", "ct ubnd tinh"),
}
_HONORIFICS = ("d c", "dong chi", "ong", "ba")


def _leader_names(leader: str) -> _Names:
    """Certain: the leader as configured, the person's full name, title (or honorific) and full
    name (``PCT Nguyễn Văn Hải``, ``Đ/c Nguyễn Văn Hải``), title and given name (``Phó Chủ tịch
    Hải``), the title alone when one leader holds it (``Chủ tịch``). A guess: the given name
    alone or after an honorific (``Đ/c Hải``)."""
    folded = _fold(leader)
    title, person = "", folded
    for t in _LEADER_TITLES:
        if folded == t or folded.startswith(t + " "):
            title, person = t, folded[len(t):].strip()
            break
    titles = _TITLE_FORMS["pho chu tich" if title.startswith("pho") else "chu tich"] if title else ()
    given = person.split()[-1] if person else ""
    exact, aliases, weak = [folded], list(titles), []
    if person:
        exact.append(person)
        aliases += [f"{t} {person}" for t in (*titles, *_HONORIFICS)] + [f"{t} {given}" for t in titles]
        weak += [given, *(f"{h} {given}" for h in _HONORIFICS)]
    return _Names(
        exact=tuple(_compact(x) for x in exact),
        aliases=tuple(_compact(x) for x in aliases),
        weak=tuple(_compact(x) for x in weak),
        fuzzy=tuple(dict.fromkeys(x for x in (folded, person) if x)),
    )


class LeaderMatcher(NameMatcher[str]):
    """Recognises the configured leaders of UBND tỉnh as people write them (see
    :func:`_leader_names`); ``found`` is the leader as configured."""

    def __init__(self, leaders: Iterable[str]):
        super().__init__(leaders, _leader_names, _remark_variants)


def _content_words(folded: str) -> frozenset[str]:
    return frozenset(folded.split()) - {"va"}


def _within_typo(a: str, b: str) -> bool:
    """One wrong, missing or extra letter (two in long names); short names must be exact."""
    shorter = min(len(a), len(b))
    allowed = 2 if shorter >= 15 else 1 if shorter >= 6 else 0
    return allowed > 0 and abs(len(a) - len(b)) <= allowed and _levenshtein(a, b) <= allowed


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _remark_variants(text: str) -> list[str]:
    """Folded forms of ``text`` to look up: as written, without (remarks)."""
    return list(dict.fromkeys(v for v in (_fold(text), _fold(re.sub(r"\([^)]*\)", " ", text))) if v))


def _key_variants(text: str) -> list[str]:
    """Folded forms of ``text`` to look up: as written, without (remarks), without ``tỉnh …``."""
    out: list[str] = []
    for variant in (text, re.sub(r"\([^)]*\)", " ", text)):
        folded = _fold(variant)
        if not folded:
            continue
        out.append(folded)
        at = f" {folded} ".find(" tinh ")
        if at > 0:
            out += [folded[: at + len(" tinh") - 1].strip(), folded[: at - 1].strip()]
    return list(dict.fromkeys(v for v in out if v))
