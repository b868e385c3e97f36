"""Every public class documents every constructor parameter once, with its type and its default."""

import ast
import inspect

import pytest

from sktemporal._testing import all_estimators

docscrape = pytest.importorskip("numpydoc.docscrape")

ESTIMATORS = all_estimators()


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=[n for n, _ in ESTIMATORS])
def test_every_parameter_has_its_own_entry(name, cls):
    doc = docscrape.ClassDoc(cls, config={"show_class_members": False})
    documented = [p.name for p in doc["Parameters"]]
    signature = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    assert sorted(documented) == sorted(signature)  # each once (networks: in signature order)
    if "neural_network" in cls.__module__:
        assert documented == signature
    for p in doc["Parameters"]:
        assert p.type and p.desc, p.name


@pytest.mark.parametrize("name, cls", [(n, c) for n, c in ESTIMATORS if "neural_network" in c.__module__])
def test_network_defaults_are_the_signature_defaults(name, cls):
    doc = docscrape.ClassDoc(cls, config={"show_class_members": False})
    defaults = {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items() if k != "self"}
    for p in doc["Parameters"]:
        assert p.type.endswith(f"default={defaults[p.name]!r}"), (p.name, p.type)


ESN_CLASSES = [(n, c) for n, c in ESTIMATORS if n.startswith("ESN")]


@pytest.mark.parametrize("name, cls", ESN_CLASSES, ids=[n for n, _ in ESN_CLASSES])
def test_esn_defaults_are_the_signature_defaults(name, cls):
    # the entries the shared ESN table writes (every parameter of ESNRegressor/ESNClassifier;
    # the CV classes write alphas, cv and scoring themselves)
    from sktemporal.reservoir._esn_docs import ESN_PARAMETER_DOCS

    doc = docscrape.ClassDoc(cls, config={"show_class_members": False})
    defaults = {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items() if k != "self"}
    shared = [p for p in doc["Parameters"] if p.name in ESN_PARAMETER_DOCS]
    if "CV" not in name:
        assert len(shared) == len(defaults)
    assert shared
    for p in shared:
        assert p.type.endswith(f"default={defaults[p.name]!r}"), (p.name, p.type)


def _stated_default(type_text):
    """The default a numpydoc type line states (``..., default=X``), as a value; ``...`` keeps its ends."""
    text = type_text.rsplit("default=", 1)[1].strip()
    if ", ..., " in text:  # an abbreviated tuple: (first, second, ..., last-but-one, last)
        head, tail = text.strip("()").split(", ..., ")
        return ("abbreviated", ast.literal_eval(f"({head},)"), ast.literal_eval(f"({tail},)"))
    return ast.literal_eval(text)


@pytest.mark.parametrize("name, cls", ESTIMATORS, ids=[n for n, _ in ESTIMATORS])
def test_every_stated_default_is_the_signature_default(name, cls):
    # every public class: a default written in a docstring is the one the signature has
    doc = docscrape.ClassDoc(cls, config={"show_class_members": False})
    defaults = {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items() if k != "self"}
    for p in doc["Parameters"]:
        if "default=" not in p.type:
            assert defaults[p.name] is inspect.Parameter.empty, (p.name, "a default not stated")
            continue
        stated, actual = _stated_default(p.type), defaults[p.name]
        if isinstance(stated, tuple) and stated and stated[0] == "abbreviated":
            _, head, tail = stated
            assert tuple(actual[:len(head)]) == head and tuple(actual[-len(tail):]) == tail, p.name
        else:
            assert stated == actual and type(stated) in (type(actual), int), (p.name, stated, actual)
