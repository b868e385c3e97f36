"""The API reference's names: one canonical page per public object.

Every public class and function is documented once, at the public subpackage that
defines it (``sktemporal.reservoir.ESNRegressor``), although ``sktemporal`` re-exports
the estimators (``sktemporal.ESNRegressor``).  This extension

* resolves a cross-reference written with a re-exported name (``sktemporal.ESNRegressor``,
  ``sktemporal.ESNRegressor.generate``) to the canonical entry, so that docstrings may
  use either spelling and still link;
* tells the class template which inherited members a class does not really have:
  methods behind scikit-learn's ``available_if`` whose condition is false for the
  default parameters (``TDNNRegressor.generate``) and scikit-learn's generated
  metadata-routing setters ``set_*_request`` (documented by scikit-learn).
"""

import importlib
import inspect

from sklearn.utils._available_if import _AvailableIfDescriptor


def canonical_name(fullname):
    """``sktemporal.X.attr`` -> ``sktemporal.<public subpackage>.X.attr``, or None."""
    parts = fullname.split(".")
    if parts[0] != "sktemporal" or len(parts) < 2:
        return None
    try:
        obj = importlib.import_module(parts[0])
    except ImportError:  # pragma: no cover - the package is importable in a build
        return None
    for i, part in enumerate(parts[1:], 1):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
        if inspect.isclass(obj) or inspect.isfunction(obj):
            module = ".".join(p for p in obj.__module__.split(".") if not p.startswith("_"))
            canonical = ".".join([module, obj.__qualname__] + parts[i + 1 :])
            return canonical if canonical != fullname else None
    return None


def _resolve_alias(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = canonical_name(node.get("reftarget", ""))
    if target is None:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], target, node, contnode)


def hidden_members(classes):
    """``{fullname: [member, ...]}``: members the class template leaves out."""
    hidden = {}
    for fullname, cls in classes.items():
        try:
            instance = cls()
        except TypeError:  # needs arguments: nothing to test availability with
            instance = None
        fields = getattr(cls, "__dataclass_fields__", {})
        names = []
        for name in dir(cls):
            if name.startswith("_") or name in fields:
                continue
            static = inspect.getattr_static(cls, name)
            if name.startswith("set_") and name.endswith("_request"):
                names.append(name)
            elif isinstance(static, _AvailableIfDescriptor):
                if instance is not None and not hasattr(instance, name):
                    names.append(name)
            elif not hasattr(static, "__get__"):
                names.append(name)  # plain class-level data, not an attribute
        hidden[fullname] = names
    return hidden


def public_classes():
    """Every public class of the package, by canonical name."""
    import sktemporal

    found = {}
    for sub in ("preprocessing", "reservoir", "neural_network", "utils"):
        module = importlib.import_module(f"sktemporal.{sub}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isclass(obj):
                found[f"sktemporal.{sub}.{name}"] = obj
    for name in sktemporal.__all__:
        obj = getattr(sktemporal, name)
        if inspect.isclass(obj):
            found.setdefault(canonical_name(f"sktemporal.{name}"), obj)
    return found


def setup(app):
    app.connect("missing-reference", _resolve_alias)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
