"""At most 8 named parameters per function outside public signatures (``self``/``cls`` excluded).

Parsed with ast over the package; a public signature is a function exported by a public
module's ``__all__``, or ``__init__`` or a public method of an exported class.  Every
named parameter counts, keyword-only ones included (``*args``/``**kwargs`` are not a way
around the rule: a function taking them is judged by reading, not here).
"""

import ast
import importlib
import importlib.util
import inspect
import pathlib

import sktemporal

PACKAGE = pathlib.Path(sktemporal.__file__).resolve().parent
PUBLIC_MODULES = ["sktemporal", "sktemporal.datasets", "sktemporal.exceptions", "sktemporal.forecasting",
                  "sktemporal.metrics", "sktemporal.neural_network", "sktemporal.persistence",
                  "sktemporal.preprocessing", "sktemporal.reservoir", "sktemporal.utils"]
if importlib.util.find_spec("sktime"):  # the adapter module imports sktime
    PUBLIC_MODULES.append("sktemporal.sktime")
LIMIT = 8


def _public():
    names = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            path = pathlib.Path(inspect.getsourcefile(obj)).resolve().relative_to(PACKAGE).as_posix()
            names.add(f"{path}:{obj.__qualname__}")
            if inspect.isclass(obj):
                for klass in obj.__mro__:
                    if klass.__module__.startswith("sktemporal"):
                        where = pathlib.Path(inspect.getsourcefile(klass)).resolve().relative_to(PACKAGE)
                        names |= {f"{where.as_posix()}:{klass.__qualname__}.{m}" for m in vars(klass)
                                  if m == "__init__" or not m.startswith("_")}
    return names


def _named_parameters(node):
    args = node.args
    return [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs if a.arg not in ("self", "cls")]


def _long_signatures(path, rel):
    found = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = len(_named_parameters(child))
                if n > LIMIT:
                    found[f"{rel}:{prefix}{child.name}"] = n
                visit(child, f"{prefix}{child.name}.<locals>.")

    visit(ast.parse(path.read_text(encoding="utf-8")), "")
    return found


def test_no_long_signature_outside_the_public_api():
    public = _public()
    long = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "sktime.py" and "sktemporal.sktime" not in PUBLIC_MODULES:
            continue
        long.update(_long_signatures(path, path.relative_to(PACKAGE).as_posix()))
    private = {name: n for name, n in long.items() if name not in public}
    assert sorted(private) == []  # group the arguments (a named tuple, a small object)
    assert any(name in public for name in long)  # the public ones are seen (and allowed)


def test_the_count_sees_keyword_only_parameters(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f(a, b, c, d, *, e, f, g, h, i, **kwargs):\n    pass\n"
                      "class C:\n    def m(self, a, b, c, d, e, f, g, h):\n        pass\n")
    assert _long_signatures(module, "m.py") == {"m.py:f": 9}
