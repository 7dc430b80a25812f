"""Who a template was made for, verifiably (SECURITY.md).

Each template the Office issues carries, beside its metadata, a signature: an HMAC-SHA256 over
its kind, year, month, agency code and template id, keyed with a secret the workspace keeps
(never sent to agencies). Editing any of these in the hidden metadata sheet breaks the
signature; an agency sending another agency's template is recognised because the signature
verifies for that other agency's code.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

SIGNATURE_CHARS = 32  # hex digits kept (128 bits)


def _message(kind: str, year: int, month: int | None, agency_code: str, template_id: str) -> bytes:
    return "\x1f".join([kind, str(year), "" if month is None else str(month), agency_code, template_id]).encode("utf-8")


def sign(key: bytes, kind: str, year: int, month: int | None, agency_code: str, template_id: str) -> str:
    digest = hmac.new(key, _message(kind, year, month, agency_code, template_id), hashlib.sha256).hexdigest()
    return digest[:SIGNATURE_CHARS]


def verifies(key: bytes, signature: str, kind: str, year: int, month: int | None, agency_code: str,
             template_id: str) -> bool:
    return hmac.compare_digest(sign(key, kind, year, month, agency_code, template_id), str(signature).strip().lower())


def signed_for(key: bytes, signature: str, kind: str, year: int, month: int | None, template_id: str,
               agency_codes: Iterable[str]) -> str | None:
    """The agency whose template this is (the code the signature verifies for), or None."""
    for code in agency_codes:
        if verifies(key, signature, kind, year, month, code, template_id):
            return code
    return None


__all__ = ["sign", "signed_for", "verifies"]
