"""Text as people type it (SPEC §4). Placeholder: being completed."""

from __future__ import annotations

import re
import unicodedata


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def normalize_header(s: str) -> str:
    """Key for comparing header texts: NFC, lower case, single spaces."""
    return re.sub(r"\s+", " ", nfc(str(s))).strip().casefold()
