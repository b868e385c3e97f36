"""No private name of numpy, scipy, scikit-learn, threadpoolctl or joblib in the package.

Parsed, not imported: imports (``import scipy.sparse._x``, ``from sklearn.utils import _y``),
attributes of a name bound to one of these libraries (``np._z``), ``getattr`` /
``importlib.import_module`` with a private name, and the private attributes scikit-learn
puts on estimators.  The one exception is the isolated kernel module below (its reason
is in docs/development.rst, "Layers").
"""

import ast
import pathlib
import re

import sktemporal

PACKAGE = pathlib.Path(sktemporal.__file__).resolve().parent
LIBRARIES = ("numpy", "scipy", "sklearn", "threadpoolctl", "joblib")
KERNEL_MODULE = "reservoir/_csr_kernel.py"
#: scikit-learn's callback API (experimental in 1.9) has no public way for a third-party
#: estimator to start its task tree or see whether callbacks are registered; these two
#: names are its documented extension point, used in utils/_callbacks.py only.
CALLBACK_PROTOCOL = {"utils/_callbacks.py": {"_init_callback_context", "_skl_callbacks"}}
#: private attributes and methods scikit-learn gives estimators
SKLEARN_PRIVATE_ATTRIBUTES = {
    "_get_param_names", "_validate_params", "_validate_data", "_check_n_features", "_check_feature_names",
    "_more_tags", "_get_tags", "_sklearn_output_config", "_sklearn_auto_wrap_output_keys",
    "_metadata_request", "_get_metadata_request", "_repr_html_inner", "_init_callback_context",
    "_skl_callbacks", "_callback_fit_ctx",
}
PRIVATE_PATH = re.compile(rf"^({'|'.join(LIBRARIES)})(\.\w+)*\._[A-Za-z]")


def _private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _library(dotted):
    return dotted.split(".")[0] in LIBRARIES


def _findings(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bound = {}  # local name -> library module it stands for
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _library(alias.name):
                    if any(_private(part) for part in alias.name.split(".")):
                        found.append((node.lineno, f"import {alias.name}"))
                    bound[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level and _library(node.module):
            if any(_private(part) for part in node.module.split(".")):
                found.append((node.lineno, f"from {node.module}"))
            for alias in node.names:
                if _private(alias.name):
                    found.append((node.lineno, f"from {node.module} import {alias.name}"))
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            root = node
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in bound and _private(node.attr):
                found.append((node.lineno, f"{root.id}....{node.attr}"))
            if node.attr in SKLEARN_PRIVATE_ATTRIBUTES:
                found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # getattr(x, "_name"), importlib.import_module("scipy.sparse._x"); docstrings excluded below
            if node.value in SKLEARN_PRIVATE_ATTRIBUTES or PRIVATE_PATH.match(node.value):
                found.append((node.lineno, repr(node.value)))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    lines_of_docstrings = {n.lineno for n in ast.walk(tree) if id(n) in docstrings}
    return [(line, what) for line, what in found if not (what.startswith("'") and line in lines_of_docstrings)]


def test_no_private_api_of_the_dependencies():
    seen = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == KERNEL_MODULE:
            continue
        allowed = CALLBACK_PROTOCOL.get(rel, set())
        bad = [(line, what) for line, what in _findings(path) if what.strip("'.") not in allowed]
        if bad:
            seen[rel] = bad
    assert seen == {}


def test_the_kernel_module_is_found_and_is_the_only_exception():
    kernel = _findings(PACKAGE / KERNEL_MODULE)
    assert kernel and all("_sparsetools" in what for _, what in kernel)


def test_the_walk_sees_each_kind_of_use(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "import numpy as np\nimport scipy.sparse._csr\nfrom sklearn.utils import _safe_indexing\n"
        "from sklearn.utils._param_validation import Interval\nimport importlib\n"
        "def f(est):\n    np._core\n    importlib.import_module('scipy.sparse._sparsetools')\n"
        "    return est._get_param_names()\n")
    kinds = [what for _, what in _findings(module)]
    assert len(kinds) == 6, kinds
