"""`inspect` loaded when first used, not when `dataclasses` imports it (a one-shot search).

`dataclasses` imports `inspect` at its top and uses it only to write the docstring of a
class that has none (ours all have one). `inspect` brings `ast`, `dis`, `tokenize` and
`linecache`: ~18-23 M instructions of a one-shot search that never calls it, once click
(which does) is off its path (issue 19; benchmarks/results/2026-12-05-change-check.md).

So before the search's code loads, `defer_inspect` puts in `sys.modules` a module object
for `inspect` with its spec and the attributes every module has, and nothing else. `import
inspect` finds it there (the import machinery reads only `__spec__`, which it has); the
first attribute looked up that it lacks (`inspect.signature`, `from inspect import
cleandoc`) runs the real module's code in it, once, and from then on it is the ordinary
module. Other threads asking meanwhile wait for that run (a lock).
"""

from __future__ import annotations

import _thread
import sys
import types

_lock = _thread.RLock()
_running = False  # the module's code is running: what it lacks yet, it lacks (a cycle)


class _LoadedWhenUsed(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        global _running
        with _lock:
            if type(self) is _LoadedWhenUsed:
                if _running:
                    who = f"partially initialized module {self.__name__!r}"
                    raise AttributeError(f"{who} has no attribute {name!r}")
                _running = True
                try:
                    self.__spec__.loader.exec_module(self)
                finally:
                    _running = False
                self.__class__ = types.ModuleType
        return getattr(self, name)


def defer_inspect() -> None:
    """Put a module for `inspect` in `sys.modules` that loads itself when first used;
    nothing when it is loaded already."""
    if "inspect" in sys.modules:
        return
    from importlib.util import find_spec, module_from_spec

    spec = find_spec("inspect")
    if spec is None or spec.loader is None:
        return
    module = module_from_spec(spec)
    module.__class__ = _LoadedWhenUsed
    sys.modules["inspect"] = module
