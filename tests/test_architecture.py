"""The package's shape: no import cycles, and imports that point one way between layers.

Every `import` statement of the package counts, wherever it is: at module level, under
`if TYPE_CHECKING:`, and inside functions. A lazy import is there to keep `search QUERY`
fast to start; it is still a dependency, and a cycle through one breaks the day the
import moves to the top of the file (or the day a type checker runs). Importing a
submodule also runs its packages' `__init__`; those implicit edges are not counted (a
package's `__init__` here imports nothing of its own submodules at module level).

The layers, lowest first (docs/architecture.md): `errors`/`status`, `notes`, `engine`,
`index`, `search` (with the public API in `indexer/__init__.py`), `output`, `shell`,
`cli`. A module imports its own layer and the layers below it, never one above.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "indexer"

LAYERS = {
    "indexer.errors": 0,
    "indexer.status": 0,
    "indexer.deflate": 0,  # the one deflate the index writes with (isal or zlib)
    "indexer.collector": 0,  # the garbage collector paused while a build or a search runs
    "indexer.notes": 1,
    "indexer.engine": 2,
    "indexer.index": 3,
    "indexer.search": 4,
    "indexer": 4,  # the public API: lazy names from the core layers
    "indexer.opensearch": 4,  # the cluster engine: index and search on OpenSearch, beside Whoosh's
    "indexer.output": 5,
    "indexer.shell": 6,
    "indexer.cli": 7,
    "indexer.daemon": 7,  # the resident query process: runs the `search` command per request
    "indexer.__main__": 7,
}
CORE = ("indexer.notes", "indexer.engine", "indexer.index", "indexer.search")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_names(path: Path) -> list[tuple[str, int]]:
    """Every name an import statement of `path` brings in, with its line: `a.b` for
    `import a.b` and `from a import b`, `a` for `from a import b` when `a.b` is not a module."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.append((submodule if submodule in MODULES else source, node.lineno))
    return found


def dependencies(name: str) -> dict[str, int]:
    """The package's modules that module `name` imports, each with the line of one import."""
    return {
        target: line for target, line in imported_names(MODULES[name]) if target in MODULES and target != name
    }


GRAPH = {name: dependencies(name) for name in MODULES}


def find_cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    """One import cycle of `graph` as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def layer_of(name: str) -> int:
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if name == prefix or name.startswith(prefix + "."):
            return LAYERS[prefix]
    raise AssertionError(f"{name} is in no layer: add its package to LAYERS and docs/architecture.md")


def test_the_package_has_no_import_cycle():
    cycle = find_cycle(GRAPH)
    assert cycle is None, (
        "import cycle: "
        + " -> ".join(
            f"{source} (line {GRAPH[source][target]})" for source, target in itertools.pairwise(cycle)
        )
        + f" -> {cycle[-1]}"
    )


def test_the_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": 1}, "b": {}}) is None


def test_a_function_level_import_counts_as_a_dependency():
    assert "indexer.cli.search" in GRAPH["indexer.cli.startup"]  # imported inside run_search


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_the_layers(name):
    upward = [
        f"{target} (line {line})" for target, line in GRAPH[name].items() if layer_of(target) > layer_of(name)
    ]
    assert not upward, f"{name} (layer {layer_of(name)}) imports a higher layer: {', '.join(upward)}"


@pytest.mark.parametrize("name", [name for name in sorted(MODULES) if name.startswith(CORE)])
def test_the_core_imports_no_command_line_or_shell_library(name):
    third_party = {target.split(".")[0] for target, _ in imported_names(MODULES[name])}
    assert not third_party & {"click", "prompt_toolkit"}, name


@pytest.mark.parametrize("name", [name for name in sorted(MODULES) if name.startswith("indexer.notes")])
def test_reading_notes_imports_no_whoosh(name):
    assert not [target for target, _ in imported_names(MODULES[name]) if target.split(".")[0] == "whoosh"]


def test_every_package_is_described_in_the_architecture_page():
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = sorted(module_name(path.parent) for path in PACKAGE.rglob("__init__.py"))
    missing = [name for name in packages if f"`{name.replace('.', '/')}/`" not in page]
    assert not missing, f"docs/architecture.md does not describe {missing}"


def test_the_product_holds_no_test_only_pauses():
    mentions = [name for name, path in MODULES.items() if "NOTES_TEST" in path.read_text(encoding="utf-8")]
    assert mentions == [], "crash tests pause through tests/pausing_indexer.py, not the product"


def test_no_notes_variable_of_the_caller_reaches_a_test():
    import os

    # NOTES_NO_DAEMON=1 is conftest's own: no test starts a resident process unasked.
    assert [name for name in os.environ if name.startswith("NOTES_") and name != "NOTES_NO_DAEMON"] == []
    assert os.environ["NOTES_NO_DAEMON"] == "1"
