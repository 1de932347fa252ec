"""Whoosh's private internals are reached only from `indexer/engine/`, only the names it
lists, and only on the Whoosh version they were written for; a name that moved fails
loudly there, never silently slower."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
from pathlib import Path

import pytest
import whoosh

from indexer.engine import version
from tests.conftest import REPO, info_note

PACKAGE = REPO / "indexer"
ENGINE = PACKAGE / "engine"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and len(name) > 1


@functools.cache
def whoosh_private_names() -> frozenset[str]:
    """Every name with one leading underscore that Whoosh's own modules define: functions,
    methods, classes, attributes set on objects, module and class variables, arguments."""
    names: set[str] = set()
    for path in Path(whoosh.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return frozenset(name for name in names if _private(name))


def _modules(folder: Path, *, outside: Path | None = None) -> list[Path]:
    return [
        path for path in sorted(folder.rglob("*.py")) if outside is None or not path.is_relative_to(outside)
    ]


@functools.cache
def our_names() -> frozenset[str]:
    """Private names our own code outside engine/ defines as attributes: its methods,
    nested classes, class variables and attributes set on `self` or `cls` (a name Whoosh also uses is
    ours where we define it; setting one on another object is not defining it)."""
    names: set[str] = set()
    for path in _modules(PACKAGE, outside=ENGINE):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for statement in node.body:
                    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                        names.add(statement.name)
                    for target in _assigned(statement):
                        if isinstance(target, ast.Name):
                            names.add(target.id)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("self", "cls")
            ):
                names.add(node.attr)
    return frozenset(name for name in names if _private(name))


def _assigned(statement: ast.stmt) -> list[ast.expr]:
    if isinstance(statement, ast.Assign):
        return statement.targets
    if isinstance(statement, ast.AnnAssign):
        return [statement.target]
    return []


def whoosh_names_used(path: Path, private: frozenset[str]) -> list[tuple[int, str]]:
    """(line, name) of each use in `path` of a name in `private`: an attribute, a keyword
    argument, a name imported from Whoosh, a name given to getattr/hasattr/setattr/delattr
    or tested against `vars(...)`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in private:
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.keyword) and node.arg in private:
            found.append((node.lineno, f"{node.arg}="))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            found.extend((node.lineno, alias.name) for alias in node.names if _private(alias.name))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr", "setattr", "delattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in private
        ):
            found.append((node.lineno, f'{node.func.id}(..., "{node.args[1].value}")'))
        elif (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Constant)
            and node.left.value in private
            and any(
                isinstance(right, ast.Call) and isinstance(right.func, ast.Name) and right.func.id == "vars"
                for right in node.comparators
            )
        ):
            found.append((node.lineno, f'"{node.left.value}" in vars(...)'))
    return found


def test_whooshs_private_names_appear_only_under_engine():
    private = whoosh_private_names() - our_names()
    assert {"_btexts", "_finalize_segment", "_commit_toc", "_perdoc", "_segments", "_lk"} <= private
    outside = {
        f"{path.relative_to(REPO)}:{line}: {name}"
        for path in _modules(PACKAGE, outside=ENGINE)
        for line, name in whoosh_names_used(path, private)
    }
    assert not outside, (
        "Whoosh's private names outside indexer/engine/ (go through the engine):\n"
        + "\n".join(sorted(outside))
    )


def test_the_scan_finds_each_kind_of_use(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        "from whoosh.codec.whoosh3 import _lenfield\n"
        "writer._finalize_segment()\n"
        "ix.writer(_lk=False)\n"
        'hasattr(ix, "_segments")\n'
        'if "_btexts" not in vars(leaf): pass\n'
        "self._fields = 1\n"  # our own attribute would be fine outside engine/: it is ours
    )
    used = [name for _, name in whoosh_names_used(planted, whoosh_private_names() - our_names())]
    assert sorted(used) == sorted(
        ["_lenfield", "_finalize_segment", "_lk=", 'hasattr(..., "_segments")', '"_btexts" in vars(...)']
    )


def test_the_engine_uses_only_the_private_names_it_lists():
    listed = {name for names in version.PRIVATE_NAMES.values() for name in names}
    private = whoosh_private_names()
    used = {
        name.rstrip("=")
        for path in _modules(ENGINE)
        for _, name in whoosh_names_used(path, private)
        if not name.startswith(("hasattr", "getattr", "setattr", "delattr", '"'))
    }
    used |= {
        name.split('"')[1]
        for path in _modules(ENGINE)
        for _, name in whoosh_names_used(path, private)
        if name.startswith(('"', "hasattr", "getattr", "setattr", "delattr"))
    }
    used.add("_parse_datestring")  # a frame's function name (engine/parse_errors.py), not an attribute
    used |= {  # methods of Whoosh's overridden in a subclass
        statement.name
        for path in _modules(ENGINE)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        for statement in node.body
        if isinstance(statement, ast.FunctionDef) and statement.name in private
    }
    # The engine's own attributes that happen to share a name with one of Whoosh's.
    own = _engine_own_names()
    assert used - own <= listed, (
        f"private names of Whoosh used in engine/ but not listed: {used - own - listed}"
    )
    assert listed - used == set(), f"listed but no longer used: {listed - used}"


def _engine_own_names() -> set[str]:
    names: set[str] = set()
    for path in _modules(ENGINE):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and _private(node.name):
                names.add(node.name)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
                and _private(node.attr)
            ):
                names.add(node.attr)
    # ...but a name the engine overrides or sets on Whoosh's objects stays Whoosh's.
    listed = {name for names in version.PRIVATE_NAMES.values() for name in names}
    return names - listed


@pytest.mark.skipif(not version.fast_path(), reason="the names are those of the tested Whoosh")
@pytest.mark.parametrize("owner", sorted(version.PRIVATE_NAMES))
def test_each_listed_private_name_exists_on_the_tested_whoosh(owner):
    module_name, _, qualname = owner.partition(":")
    target = importlib.import_module(module_name)
    for part in filter(None, qualname.split(".")):
        target = getattr(target, part)
    missing = [name for name in version.PRIVATE_NAMES[owner] if not _defines(target, name)]
    assert not missing, f"{owner} no longer has {missing}: update engine/ for this Whoosh"


def _defines(target: object, name: str) -> bool:
    """Whether `target` (a module or class) has `name`: an attribute, a parameter of its
    `__init__`, or an attribute its code (or a base class's) sets on `self`."""
    if hasattr(target, name):
        return True
    if not inspect.isclass(target):
        return False
    for cls in target.__mro__:
        if cls is object:
            continue
        init = cls.__dict__.get("__init__")
        if init is not None and name in inspect.signature(init).parameters:
            return True
        if name in _set_on_self(cls):
            return True
    return False


@functools.cache
def _set_on_self(cls: type) -> frozenset[str]:
    """The attributes the code of `cls` (not of its bases) sets on `self`, read once a class
    (several owners share base classes)."""
    source = ast.parse(inspect.cleandoc("\n" + inspect.getsource(cls)))
    return frozenset(
        node.attr
        for node in ast.walk(source)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Store)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def test_the_fast_path_is_the_tested_version_only(monkeypatch):
    assert tuple(whoosh.__version__) == version.TESTED_WHOOSH_VERSION
    assert version.fast_path()
    monkeypatch.setattr(
        version, "TESTED_WHOOSH_VERSION", (*whoosh.__version__[:2], whoosh.__version__[2] + 1)
    )
    monkeypatch.setattr(version, "_fast", None)
    assert not version.fast_path()


def test_the_pin_and_the_tested_version_agree():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    tested = ".".join(map(str, version.TESTED_WHOOSH_VERSION))
    assert f'"whoosh3=={tested}"' in pyproject


@pytest.mark.parametrize(
    ("owner", "name", "step"),
    [
        ("whoosh.writing:SegmentWriter", "_finalize_segment", "parallel build"),
        ("whoosh.codec.whoosh3:W3PerDocReader", "_cached_reader", "search"),
        ("whoosh.writing:SegmentWriter", "_check_fields", "build"),
    ],
)
def test_a_private_name_gone_from_the_tested_version_fails_loudly(
    corpus, write_note, index_dir, monkeypatch, owner, name, step
):
    """No fallback that only gets slower: on the version the fast path is used for, a
    missing name is an error (which the tests see), not Whoosh's slow way taken quietly."""
    from indexer.index.store import IndexOptions, build_index
    from indexer.search.searching import open_index

    for number in range(3):
        write_note(f"n{number}.md", info_note(f"Gateway {number}", "ransomware gateway " * (number + 1)))
    module_name, _, class_name = owner.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if step == "search":
        build_index(corpus, index_dir, options=IndexOptions(procs=1))
    monkeypatch.delattr(cls, name)
    with pytest.raises(AttributeError, match=name):
        if step.endswith("build"):
            build_index(corpus, index_dir, options=IndexOptions(procs=2 if step == "parallel build" else 1))
        else:
            with open_index(corpus, index_dir) as notes:
                notes.search("ransomware gateway")
