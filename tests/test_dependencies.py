"""Every package the code imports is declared: a clean `pip install ctcong-xl` (no extra) runs.

The imports of every module of ``ctcong_xl`` are read with ``ast`` (also those inside functions),
mapped to the distributions that provide them (``importlib.metadata.packages_distributions`` of
the environment the tests run in) and compared with ``[project].dependencies`` of pyproject.toml.
A package that arrives only through a test extra (olefile through oletools) is caught here.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "ctcong_xl"


def canonical(name: str) -> str:
    """PEP 503 name: `python_calamine`, `Python-Calamine` -> `python-calamine`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_distributions(pyproject: Path, *extras: str) -> set[str]:
    """The distribution names of `[project].dependencies` and of the given extras (without
    versions and markers)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    reqs = list(project.get("dependencies", []))
    for extra in extras:
        reqs += project.get("optional-dependencies", {}).get(extra, [])
    return {canonical(re.match(r"[A-Za-z0-9._-]+", req).group(0)) for req in reqs}


def imported_top_levels(source: str) -> set[str]:
    """Top-level names of the absolute imports in one module's source (relative ones are ours)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def undeclared_imports(
    modules: Iterable[Path], declared: set[str], providers: Mapping[str, list[str]], own: str | set[str] = PACKAGE
) -> dict[str, list[str]]:
    """{imported top-level name: [modules importing it]} for every import that is neither the
    standard library, nor the package itself, nor provided by a declared distribution. A name no
    installed distribution provides counts as undeclared too."""
    missing: dict[str, list[str]] = {}
    for path in modules:
        for name in imported_top_levels(path.read_text(encoding="utf-8")):
            if name in ({own} if isinstance(own, str) else own) or name in sys.stdlib_module_names or name == "__future__":
                continue
            if not declared & {canonical(d) for d in providers.get(name, [])}:
                missing.setdefault(name, []).append(path.name)
    return missing


def package_modules() -> list[Path]:
    return sorted(p for p in (ROOT / PACKAGE).rglob("*.py") if "macros" not in p.parts)


def test_every_package_the_code_imports_is_a_declared_dependency():
    missing = undeclared_imports(
        package_modules(), declared_distributions(ROOT / "pyproject.toml"), importlib.metadata.packages_distributions()
    )
    assert missing == {}, f"imported but not in [project].dependencies: {missing}"


def test_every_package_the_tests_import_is_a_dependency_or_in_the_test_extra():
    tests = ROOT / "tests"
    local = {PACKAGE, *(p.stem for p in tests.glob("*.py"))}  # helpers, ooxml, conftest, ...
    missing = undeclared_imports(
        sorted(tests.glob("*.py")), declared_distributions(ROOT / "pyproject.toml", "test"),
        importlib.metadata.packages_distributions(), own=local,
    )
    assert missing == {}, f"imported by tests but not in [project].dependencies or the test extra: {missing}"


def test_the_check_finds_a_package_that_only_a_test_extra_brings(tmp_path):
    """Today's olefile case: the reader imports olefile, only oletools (test extra) installs it."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\ndependencies = ["openpyxl>=3.1,<3.2", "Python_Calamine>=0.3"]\n'
        '[project.optional-dependencies]\ntest = ["oletools>=0.60"]\n',
        encoding="utf-8",
    )
    module = tmp_path / "incoming.py"
    module.write_text(
        "import os\nfrom . import forms\nimport openpyxl.styles\nfrom python_calamine import CalamineWorkbook\n"
        "def is_encrypted(path):\n    import olefile\n    return olefile.isOleFile(path)\n",
        encoding="utf-8",
    )
    providers = {"openpyxl": ["openpyxl"], "python_calamine": ["python-calamine"], "olefile": ["olefile"]}
    assert undeclared_imports([module], declared_distributions(pyproject), providers) == {"olefile": ["incoming.py"]}


def test_the_check_finds_an_import_no_installed_distribution_provides(tmp_path):
    module = tmp_path / "mail.py"
    module.write_text("import win32com.client\n", encoding="utf-8")
    assert undeclared_imports([module], {"openpyxl"}, {}) == {"win32com": ["mail.py"]}
