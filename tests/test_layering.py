"""The package's imports follow the layer order written in docs/development.rst ("Layers").

Every module is parsed (nothing is imported to find the edges), and every import is
collected: module level, inside functions and under ``if TYPE_CHECKING``.  A module may
import its own subpackage and any lower layer, never a peer of its layer nor a higher one.
"""

import ast
import pathlib

import pytest

import sktemporal

PACKAGE = pathlib.Path(sktemporal.__file__).resolve().parent

#: Bottom up; the names of one row are peers (none imports another).  The package root
#: ``sktemporal/__init__.py`` only re-exports and sits above every row.
LAYERS = [
    ("exceptions", "_version"),
    ("utils",),
    ("preprocessing", "datasets", "metrics", "_parallel"),
    ("neural_network", "reservoir"),
    ("forecasting",),
    ("sktime", "persistence", "__main__", "_testing"),
]
RANK = {name: rank for rank, row in enumerate(LAYERS) for name in row}
ROOT_RANK = len(LAYERS)


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(path):
    """(line, absolute dotted name) of every sktemporal module or name ``path`` imports."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            # `from . import x` and `from sktemporal import x` import the submodule x (or a
            # re-exported name of the root, which is still an import of the root)
            targets = ([f"{module}.{alias.name}" for alias in node.names]
                       if module == "sktemporal" else [module])
        else:
            continue
        for target in targets:
            if target == "sktemporal" or target.startswith("sktemporal."):
                yield node.lineno, target


def _unit(dotted):
    """The layer unit of a dotted name: its first component below ``sktemporal`` (None: the root)."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else None


def _rank(unit):
    return ROOT_RANK if unit is None else RANK[unit]


def _violations(paths):
    found = []
    for path in paths:
        here = _unit(_module_name(path))
        if here is None and path.parent == PACKAGE:
            continue  # the root re-exports everything
        for line, target in _imported(path):
            there = _unit(target)
            if there == here:
                continue
            # a root re-export (`from sktemporal import ESNRegressor`) is an import of the root;
            # test_every_top_level_module_has_a_layer keeps every real module in RANK
            if there not in RANK:
                there = None
            if _rank(there) >= _rank(here):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target} "
                             f"({there or 'the package root'} is not below {here})")
    return found


def _top_level_modules():
    names = {f"sktemporal.{p.stem}" for p in PACKAGE.glob("*.py")}
    names |= {f"sktemporal.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py")}
    return names


def test_every_top_level_module_has_a_layer():
    units = {name.split(".")[1] for name in _top_level_modules()} - {"__init__"}
    # a new top-level module must be placed in the order, here and in the docs
    assert sorted(units - set(RANK)) == []


def test_no_import_against_the_layer_order():
    paths = sorted(PACKAGE.rglob("*.py"))
    assert len(paths) > 40  # the walk sees the whole package
    assert _violations(paths) == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from ..neural_network._cells import LSTMCell\n", "sktemporal.neural_network._cells"),
        ("def f():\n    from sktemporal import reservoir\n", "sktemporal.reservoir"),
        ("def f():\n    import sktemporal\n", "the package root"),
    ],
)
def test_the_walk_finds_an_upward_import(tmp_path, monkeypatch, source, expected):
    # a throwaway module placed in utils: each of these imports goes up
    fake_package = tmp_path / "sktemporal"
    (fake_package / "utils").mkdir(parents=True)
    module = fake_package / "utils" / "_upward.py"
    module.write_text(source)
    monkeypatch.setattr(f"{__name__}.PACKAGE", fake_package)
    (found,) = _violations([module])
    assert expected in found and "utils" in found


def test_peers_do_not_import_each_other(tmp_path, monkeypatch):
    fake_package = tmp_path / "sktemporal"
    (fake_package / "reservoir").mkdir(parents=True)
    module = fake_package / "reservoir" / "_peer.py"
    module.write_text("from ..neural_network._layers import Dense\n")
    monkeypatch.setattr(f"{__name__}.PACKAGE", fake_package)
    assert len(_violations([module])) == 1
    module.write_text("from ..utils._activations import ACTIVATIONS\nfrom ._weights import x\n")
    assert _violations([module]) == []


def test_root_reexports_the_subpackages_exactly():
    # persistence and the estimator registry read the classes from the subpackages, not
    # the root, so the root must re-export exactly these
    import inspect

    from sktemporal import neural_network, preprocessing, reservoir

    classes = {name for module in (neural_network, preprocessing, reservoir) for name in module.__all__
               if inspect.isclass(getattr(module, name))}
    assert set(sktemporal.__all__) == classes
