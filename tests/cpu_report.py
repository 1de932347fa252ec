"""`pytest --cpu-top N`: the N tests that cost the most CPU, setup and teardown included,
with the processes each started, and the same summed per test file.

A test's CPU is this process's (`time.process_time`) plus that of the child processes it
waited for (`os.times`): `indexer` runs, console scripts, build workers. Processes nobody
waits for (a resident query process started by `search` in the background) are not
counted. The processes a test started are counted by an audit hook (`sys.addaudithook`):
programs run (`subprocess`, `os.posix_spawn`, `os.exec*`) and forks of the test process
(`os.fork`, `os.forkpty`: the change check of a one-shot search, build workers, pexpect);
what those children start in turn is theirs, not counted. Works under pytest-xdist: each
worker measures its tests, the report gathers them.
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict

import pytest

_KEY = "cpu_seconds"
_PROGRAMS_KEY = "programs_started"
_FORKS_KEY = "forks"
_started: dict[str, float] = {}
_costs: list[tuple[float, int, int, str]] = []
_counts = {"programs": 0, "forks": 0}
_PROGRAM_EVENTS = frozenset({"subprocess.Popen", "os.posix_spawn", "os.exec", "os.system"})
_FORK_EVENTS = frozenset({"os.fork", "os.forkpty"})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cpu-top",
        type=int,
        default=0,
        metavar="N",
        help="list the N tests that took the most CPU (theirs and their waited-for children's)",
    )


def _count_processes(event: str, _args: tuple) -> None:
    if event in _PROGRAM_EVENTS:
        _counts["programs"] += 1
    elif event in _FORK_EVENTS:
        _counts["forks"] += 1


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--cpu-top"):
        sys.addaudithook(_count_processes)  # for the rest of the process: it cannot be removed


def _cpu() -> float:
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.config.getoption("--cpu-top"):
        _started[item.nodeid] = _cpu()
        _counts.update(programs=0, forks=0)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    if call.when == "teardown" and item.nodeid in _started:
        properties = outcome.get_result().user_properties
        properties.append((_KEY, _cpu() - _started.pop(item.nodeid)))
        properties.append((_PROGRAMS_KEY, _counts["programs"]))
        properties.append((_FORKS_KEY, _counts["forks"]))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "teardown":
        found = dict(report.user_properties)
        if _KEY in found:
            _costs.append((found[_KEY], found.get(_PROGRAMS_KEY, 0), found.get(_FORKS_KEY, 0), report.nodeid))


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    top = config.getoption("--cpu-top")
    if not top or not _costs:
        return
    write = terminalreporter.write_line
    terminalreporter.section(f"CPU: the {top} costliest of {len(_costs)} tests (programs started, forks)")
    for seconds, programs, forks, nodeid in sorted(_costs, reverse=True)[:top]:
        write(f"{seconds:7.2f} s {programs:4d} {forks:4d}  {nodeid}")
    files: dict[str, list[float]] = defaultdict(lambda: [0.0, 0, 0, 0])
    for seconds, programs, forks, nodeid in _costs:
        total = files[nodeid.partition("::")[0]]
        total[0] += seconds
        total[1] += programs
        total[2] += forks
        total[3] += 1
    terminalreporter.section("CPU by test file (programs started, forks, tests)")
    for name, (seconds, programs, forks, count) in sorted(files.items(), key=lambda kv: -kv[1][0])[:top]:
        write(f"{seconds:7.2f} s {programs:4d} {forks:4d} {count:5d}  {name}")
    seconds = sum(cost[0] for cost in _costs)
    programs = sum(cost[1] for cost in _costs)
    forks = sum(cost[2] for cost in _costs)
    write(f"{seconds:7.2f} s {programs:4d} {forks:4d} {len(_costs):5d}  in all tests")
