"""Shared test set-up.

Tests marked ``@pytest.mark.libreoffice`` (or using the ``libreoffice`` fixture) need
LibreOffice headless. Where ``soffice`` is absent they are skipped — except when the ``CI``
environment variable is set: CI installs LibreOffice, so there a missing ``soffice`` must fail
the tests instead of silently skipping the proof that the Excel formulas are right. The same
holds for every other tool a test reports as "not installed" (the OOXML validator, poppler).
"""

from __future__ import annotations

import os

import pytest

from ctcong_xl.io.recalc import soffice_path

# the shared fixtures (office, pristine) of tests/helpers.py
pytest_plugins = ["helpers"]

_SKIP_REASON = "LibreOffice (soffice) is not installed"


def _may_skip_libreoffice() -> bool:
    return soffice_path() is None and not os.environ.get("CI")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _may_skip_libreoffice():
        return
    skip = pytest.mark.skip(reason=_SKIP_REASON)
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def libreoffice() -> str:
    """The soffice executable; skips the test where LibreOffice is absent (fails under CI)."""
    path = soffice_path()
    if path is None:
        if _may_skip_libreoffice():
            pytest.skip(_SKIP_REASON)
        pytest.fail("LibreOffice (soffice) is required under CI but was not found", pytrace=False)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Under CI a test skipped because a tool is "not installed" (the OOXML validator,
    poppler-utils, …) fails instead: CI installs every tool, so a skip there would hide a
    proof that did not run."""
    outcome = yield
    report = outcome.get_result()
    if not (os.environ.get("CI") and report.skipped and call.excinfo is not None):
        return
    reason = str(getattr(call.excinfo.value, "msg", call.excinfo.value))
    if "not installed" in reason:
        report.outcome = "failed"
        report.longrepr = f"Under CI every tool the tests use is installed, but: {reason}"
