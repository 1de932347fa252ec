"""`pytest --cpu-top N`: the N tests that cost the most CPU, setup and teardown included.

A test's CPU is this process's (`time.process_time`) plus that of the child processes it
waited for (`os.times`): `indexer` runs, console scripts, build workers. Processes nobody
waits for (a resident query process started by `search` in the background) are not
counted. Works under pytest-xdist: each worker measures its tests, the report gathers them.
"""

from __future__ import annotations

import os
import time

import pytest

_KEY = "cpu_seconds"
_started: dict[str, float] = {}
_costs: list[tuple[float, str]] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cpu-top",
        type=int,
        default=0,
        metavar="N",
        help="list the N tests that took the most CPU (theirs and their waited-for children's)",
    )


def _cpu() -> float:
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.config.getoption("--cpu-top"):
        _started[item.nodeid] = _cpu()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    if call.when == "teardown" and item.nodeid in _started:
        outcome.get_result().user_properties.append((_KEY, _cpu() - _started.pop(item.nodeid)))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "teardown":
        _costs.extend((value, report.nodeid) for key, value in report.user_properties if key == _KEY)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    top = config.getoption("--cpu-top")
    if not top or not _costs:
        return
    terminalreporter.section(f"CPU: the {top} costliest of {len(_costs)} tests")
    for seconds, nodeid in sorted(_costs, reverse=True)[:top]:
        terminalreporter.write_line(f"{seconds:7.2f} s  {nodeid}")
    terminalreporter.write_line(f"{sum(seconds for seconds, _ in _costs):7.2f} s  in all tests")
