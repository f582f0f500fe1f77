"""Root pytest hooks: doctest namespace, and skips as failures under CI."""

from __future__ import annotations

import os

import pytest

import symbinfo


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace: dict) -> None:
    """Doctests see the public API, as a user who ran ``from symbinfo import *`` would."""
    doctest_namespace.update({name: getattr(symbinfo, name) for name in symbinfo.__all__})


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (``CI`` set) a skipped test is a failure: nothing may skip silently."""
    if os.environ.get("CI") and _skipped:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"CI: {len(_skipped)} test(s) skipped, which CI counts as "
                                f"failures: {', '.join(_skipped)}", red=True)
