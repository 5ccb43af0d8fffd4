import pytest

from tests.integration.processes import attach_logs


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    attach_logs(item, outcome.get_result())
