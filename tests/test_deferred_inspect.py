"""`inspect` loads when first used, not when `dataclasses` imports it (cli/deferred_inspect.py).

Each check runs in a fresh interpreter: the test process has `inspect` loaded long ago.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import REPO


def run_fresh(script: str) -> str:
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_importing_dataclasses_and_building_documented_ones_runs_no_inspect():
    out = run_fresh(
        """
        import sys
        from indexer.cli.deferred_inspect import defer_inspect
        defer_inspect()
        import inspect
        from dataclasses import dataclass, field, fields

        @dataclass(frozen=True, slots=True)
        class Point:
            '''A point.'''
            x: int
            y: int = 0
            tags: tuple = field(default=())

        print(Point(1) == Point(1, 0), hash(Point(1)) == hash(Point(1, 0)), repr(Point(2, 3)))
        print(sorted(f.name for f in fields(Point)), 'ast' in sys.modules, 'tokenize' in sys.modules)
        print(type(sys.modules['inspect']).__name__ != 'module', sys.modules['inspect'] is inspect)
        """
    )
    assert out.splitlines() == [
        "True True Point(x=2, y=3, tags=())",
        "['tags', 'x', 'y'] False False",
        "True True",
    ]


def test_the_first_use_loads_the_real_module_once_and_it_answers_as_usual():
    out = run_fresh(
        """
        import sys
        from indexer.cli.deferred_inspect import defer_inspect
        defer_inspect()
        import inspect
        deferred = sys.modules['inspect']
        def f(a, b=2, *, c): pass
        print(inspect.signature(f), type(inspect).__name__, sys.modules['inspect'] is deferred)
        from inspect import cleandoc, isfunction
        print(repr(cleandoc('  x\\n    y')), isfunction(f), 'ast' in sys.modules)
        import importlib
        fresh = importlib.util.module_from_spec(importlib.util.find_spec('inspect'))
        fresh.__spec__.loader.exec_module(fresh)
        print(sorted(set(dir(fresh)) ^ set(dir(inspect))))
        try:
            inspect.no_such_name
        except AttributeError as error:
            print(error)
        """
    )
    assert out.splitlines() == [
        "(a, b=2, *, c) module True",
        "'x\\ny' True True",
        "[]",
        "module 'inspect' has no attribute 'no_such_name'",
    ]


def test_a_dataclass_without_a_docstring_gets_the_same_one_as_with_inspect_loaded():
    script = """
        import sys
        from indexer.cli.deferred_inspect import defer_inspect
        {defer}
        from dataclasses import dataclass

        @dataclass
        class Pair:
            left: int
            right: str = 'r'

        print(Pair.__doc__)
        """
    deferred = run_fresh(script.format(defer="defer_inspect()"))
    eager = run_fresh(script.format(defer="import inspect"))
    assert deferred == eager == "Pair(left: int, right: str = 'r')\n"


def test_threads_asking_at_once_all_get_the_loaded_module():
    out = run_fresh(
        """
        import sys, threading
        from indexer.cli.deferred_inspect import defer_inspect
        defer_inspect()
        import inspect
        start = threading.Barrier(8)
        answers = []
        def ask():
            start.wait()
            answers.append(str(inspect.signature(ask)) + str(inspect.isclass(int)))
        threads = [threading.Thread(target=ask) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(answers == ['()True'] * 8)
        """
    )
    assert out == "True\n"


def test_nothing_changes_when_inspect_is_loaded_already():
    out = run_fresh(
        """
        import sys, inspect
        from indexer.cli.deferred_inspect import defer_inspect
        defer_inspect()
        print(sys.modules['inspect'] is inspect, type(inspect).__name__)
        """
    )
    assert out == "True module\n"


def test_the_search_script_defers_inspect_before_its_code_loads(tmp_path):
    out = run_fresh(
        f"""
        import os, sys, types
        os.environ['NOTES_NO_DAEMON'] = '1'
        os.environ['XDG_RUNTIME_DIR'] = {str(tmp_path)!r}
        from indexer.cli import startup
        seen = []
        def note_inspect(*args):
            seen.append(type(sys.modules.get('inspect')).__name__)
        # The common command line's path and the click command, standing in.
        common = types.ModuleType('indexer.cli.common_argv')
        common.serve_common_argv = note_inspect
        command = types.ModuleType('indexer.cli.search')
        command.search_main = note_inspect
        sys.modules['indexer.cli.common_argv'], sys.modules['indexer.cli.search'] = common, command
        sys.argv = ['search', 'x']
        startup.run_search()
        print(seen)
        """
    )
    assert out == "['_LoadedWhenUsed', '_LoadedWhenUsed']\n"


def test_what_the_module_lacks_while_its_own_code_runs_is_an_attribute_error_as_in_a_cycle():
    out = run_fresh(
        """
        import sys
        from indexer.cli.deferred_inspect import defer_inspect
        defer_inspect()
        deferred = sys.modules['inspect']
        real = deferred.__spec__.loader

        class AsksItselfFirst:
            def exec_module(self, module):
                try:
                    sys.modules['inspect'].signature
                except AttributeError as error:
                    print('while running:', error)
                real.exec_module(module)

        deferred.__spec__.loader = AsksItselfFirst()
        print(deferred.cleandoc('  a'))
        """
    )
    assert out.splitlines() == [
        "while running: partially initialized module 'inspect' has no attribute 'signature'",
        "a",
    ]
