"""Saving and loading fitted models safely with ``skops.io``.

``pickle`` and ``joblib`` run code chosen by whoever wrote the file when they load it;
``skops.io`` loads only the types the user trusts.  :func:`trusted_types` lists the
types of sktemporal that a saved model holds, for ``skops.io.load(..., trusted=...)``.
This module never imports skops (it is not a dependency of sktemporal).
"""

import inspect

import numpy as np

__all__ = ["trusted_types"]


def _type_name(cls):
    # the spelling skops.io uses for a type: module path and class name
    return f"{cls.__module__}.{cls.__name__}"


def _internal_types():
    """The package's internal types by group (imported here, not when sktemporal is)."""
    from scipy.sparse import csr_matrix

    from .forecasting._data import SeriesLayout
    from .forecasting._forecaster import _Candidate
    from .forecasting._models import LinearModel, NaiveModel, ReservoirModel
    from .forecasting._representation import Representation
    from .forecasting._selection import IntervalProfile
    from .neural_network._cells import ElmanCell, GRUCell, JordanCell, LSTMCell
    from .neural_network._layers import Dense, Network, RecurrentLayer
    from .neural_network._online import OnlineState
    from .neural_network._optimizers import AdamOptimizer, SGDOptimizer
    from .neural_network._params import ParameterLayout
    from .neural_network._seq2seq import EncoderDecoder
    from .neural_network._training import History
    from .preprocessing import DelayEmbedding
    from .reservoir import ESNRegressorCV
    from .reservoir._readout import RidgeReadout, RLSReadout
    from .utils._scaling import Standardizer

    network = (Network, RecurrentLayer, Dense, ParameterLayout, History, Standardizer,
               AdamOptimizer, SGDOptimizer)
    return {
        "reservoir": (csr_matrix,),
        "readout": (RidgeReadout, RLSReadout),
        "network": network,
        "online": (OnlineState,),
        "elman": (ElmanCell, JordanCell),
        "lstm": (LSTMCell,),
        "gru": (GRUCell,),
        "seq2seq": (EncoderDecoder, LSTMCell, GRUCell, ElmanCell),
        # a forecaster holds its candidates and the package's estimators they fitted
        "forecasting": (_Candidate, Representation, ReservoirModel, LinearModel, NaiveModel,
                        SeriesLayout, IntervalProfile, ESNRegressorCV, DelayEmbedding),
    }


# The groups of internal types each public class may hold, whatever its parameters.
_GROUPS = {
    "DelayEmbedding": (),
    "GammaMemory": (),
    "StepwiseTransformer": (),
    "Reservoir": ("reservoir",),
    "ESNRegressor": ("reservoir", "readout"),
    "ESNClassifier": ("reservoir", "readout"),
    "ESNRegressorCV": ("reservoir", "readout"),
    "ESNClassifierCV": ("reservoir", "readout"),
    "TDNNRegressor": ("network",),
    "TDNNClassifier": ("network",),
    "RNNRegressor": ("network", "online", "elman"),
    "RNNClassifier": ("network", "online", "elman"),
    "LSTMRegressor": ("network", "lstm"),
    "LSTMClassifier": ("network", "lstm"),
    "GRURegressor": ("network", "gru"),
    "GRUClassifier": ("network", "gru"),
    "Seq2SeqRegressor": ("network", "seq2seq"),
    "Forecaster": ("reservoir", "readout", "forecasting"),
}


def _public_classes():
    """The public classes by name, from the subpackages (the package root re-exports exactly these)."""
    from . import forecasting, neural_network, preprocessing, reservoir

    modules = (neural_network, preprocessing, reservoir, forecasting)
    return {name: getattr(module, name) for module in modules
            for name in module.__all__ if inspect.isclass(getattr(module, name))}


# Types that moved module: the name files written before the move hold (they still
# import from there), trusted alongside the current one.
_FORMER_MODULES = {
    "ElmanCell": "sktemporal.neural_network._cells",
    "JordanCell": "sktemporal.neural_network._cells",
    "LSTMCell": "sktemporal.neural_network._cells",
    "GRUCell": "sktemporal.neural_network._cells",
}


def _names(t):
    former = _FORMER_MODULES.get(t.__name__)
    return {_type_name(t)} | ({f"{former}.{t.__name__}"} if former else set())


def _class_types(cls, public, internal):
    groups = _GROUPS[cls.__name__]
    return {_type_name(cls)} | {name for g in groups for t in internal[g] for name in _names(t)}


def _types_inside(obj, known):
    """The names in ``known`` of the types found in ``obj``'s pickled state, recursively."""
    # ``seen`` keeps every visited object alive: a state dict built by ``__getstate__``
    # would otherwise be freed and its id reused by the next one, which would be skipped
    found, seen, stack = set(), {}, [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, (np.ndarray, np.generic, str, bytes, int, float)):
            continue
        seen[id(item)] = item
        name = _type_name(type(item))
        if name in known:
            found.add(name)
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif not inspect.isclass(item) and hasattr(item, "__dict__"):
            state = item.__getstate__() if hasattr(item, "__getstate__") else item.__dict__
            stack.append(state)
    return found


def trusted_types(estimator=None):
    """The type names of sktemporal to trust when loading a model with ``skops.io``.

    ``skops.io.load`` refuses to build any type that the file holds and that the caller
    did not trust (numpy, scipy's dense types and scikit-learn's estimators are trusted
    by default).  A model of this package also holds its own classes and a few internal
    ones (the layers of a network, the ESN's sparse recurrent matrix); this function
    lists them, so that only those are trusted, not everything in the file.

    Parameters
    ----------
    estimator : estimator instance, class or None, default=None
        * an instance (fitted or not; a :class:`~sklearn.pipeline.Pipeline` or a search
          holding sktemporal estimators too): exactly the sktemporal types it holds now —
          the smallest list that loads a file written from it;
        * a public class of sktemporal: every type one of its instances can hold, for
          any parameters;
        * None: every type of the package.

    Returns
    -------
    names : list of str
        Sorted type names, as ``skops.io.get_untrusted_types`` spells them.  Types
        from outside sktemporal (a user's own transformer inside a
        :class:`~sktemporal.StepwiseTransformer` or a pipeline) are not included: add
        them after checking them yourself.

    See Also
    --------
    skops.io.get_untrusted_types : The untrusted types a file holds, to compare with.

    Notes
    -----
    ``pickle`` and ``joblib`` files run arbitrary code when loaded: load them only
    from sources you trust.  A file written by a version of sktemporal whose state
    format differs raises :class:`~sktemporal.exceptions.IncompatibleVersionError`
    when loaded (see the user guide's "Saving models" page).

    Examples
    --------
    >>> from sktemporal import ESNRegressor
    >>> from sktemporal.datasets import mackey_glass
    >>> from sktemporal.persistence import trusted_types
    >>> X, y = mackey_glass(300, random_state=0)
    >>> esn = ESNRegressor(n_reservoir=50, random_state=0).fit(X, y)
    >>> for name in trusted_types(esn):
    ...     print(name)
    scipy.sparse._csr.csr_matrix
    sktemporal.reservoir._esn.ESNRegressor

    With skops installed, the model is saved and loaded with::

        import skops.io as sio
        sio.dump(esn, "esn.skops")
        esn = sio.load("esn.skops", trusted=trusted_types(ESNRegressor))
    """
    public = _public_classes()
    internal = _internal_types()
    if estimator is None:
        names = set()
        for cls in public.values():
            names |= _class_types(cls, public, internal)
        return sorted(names)
    if inspect.isclass(estimator):
        if public.get(estimator.__name__) is not estimator:
            raise ValueError(
                f"estimator must be a public class of sktemporal, an estimator instance or "
                f"None; got the class {_type_name(estimator)}."
            )
        return sorted(_class_types(estimator, public, internal))
    known = set()
    for cls in public.values():
        known |= _class_types(cls, public, internal)
    return sorted(_types_inside(estimator, known))
