"""The shared estimator of the gated recurrent networks (LSTM and GRU)."""

import functools
import inspect

from ._base import BaseSequenceNetwork
from ._cells import CELLS
from ._layers import DenseStack, Network

__all__ = ["BaseGatedRNN", "init_with_defaults"]


class BaseGatedRNN(BaseSequenceNetwork):
    """Parameters and network of :mod:`._lstm` and :mod:`._gru`; subclasses set ``_cell``.

    The signature is :class:`RNNRegressor`'s without ``cell`` and ``activation`` (the
    gates fix the nonlinearities).
    """

    _cell = None

    def __init__(
        self,
        hidden_layer_sizes=(32,),
        *,
        bidirectional="auto",
        pooling="mean_max",
        patch_size="auto",
        bptt_steps="auto",
        clip_norm=None,
        scaler="standard",
        initial_state="continue",
        solver="adam",
        alpha=0.01,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.01,
        power_t=0.5,
        max_iter=300,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=30,
        max_fun=15000,
        n_jobs=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.bidirectional = bidirectional
        self.pooling = pooling
        self.patch_size = patch_size
        self.bptt_steps = bptt_steps
        self.clip_norm = clip_norm
        self.scaler = scaler
        self.initial_state = initial_state
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.n_jobs = n_jobs

    def _build_network(self, n_in, n_out, per_step, out_activation):
        factory = CELLS[self._cell]
        return Network(
            n_in, [(factory, h) for h in self._hidden_sizes()], DenseStack([], n_out, out_activation=out_activation),
            per_step=per_step, bidirectional=self._bidirectional, pooling=self.pooling,
        )


def init_with_defaults(init, **defaults):
    """``init`` with other default values for some parameters, the rest of the signature unchanged.

    scikit-learn reads an estimator's parameters and their defaults from the signature
    of ``__init__`` (``get_params``, ``clone``, the repr, the generated docstrings), so a
    family whose measured defaults differ from its siblings' (the LSTM trains longer
    than the GRU, see the defaults study) gets a signature with those values rather
    than a second copy of the whole constructor.

    Parameters
    ----------
    init : function
        An ``__init__`` with keyword parameters only (after ``self`` and the positional ones).
    **defaults
        New default values, by parameter name.

    Returns
    -------
    __init__ : function
        Calls ``init`` with the new defaults filled in; its ``__signature__`` shows them.
    """
    signature = inspect.signature(init)
    unknown = sorted(set(defaults) - set(signature.parameters))
    if unknown:
        raise TypeError(f"{init.__qualname__} has no parameter(s) {unknown}")
    new = signature.replace(parameters=[p.replace(default=defaults.get(p.name, p.default))
                                        for p in signature.parameters.values()])

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        bound = new.bind(self, *args, **kwargs)
        bound.apply_defaults()
        init(*bound.args, **bound.kwargs)

    __init__.__signature__ = new
    return __init__
