"""RNNRegressor and RNNClassifier: Elman networks trained by backpropagation through time."""

from functools import partial

from ._base import BaseSequenceNetwork, SequenceClassifierMixin, SequenceRegressorMixin
from ._cells import CELLS
from ._layers import Network

__all__ = ["RNNRegressor", "RNNClassifier"]

_ACTIVATIONS = ("tanh", "relu", "logistic", "identity")


class _BaseRNN(BaseSequenceNetwork):
    def __init__(
        self,
        hidden_layer_sizes=(32,),
        *,
        cell="elman",
        activation="tanh",
        bidirectional=False,
        bptt_steps=None,
        clip_norm=None,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
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
        n_iter_no_change=10,
        max_fun=15000,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.cell = cell
        self.activation = activation
        self.bidirectional = bidirectional
        self.bptt_steps = bptt_steps
        self.clip_norm = clip_norm
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

    def _validate_hyperparameters(self):
        super()._validate_hyperparameters()
        if self.cell not in CELLS or self.cell in ("lstm", "gru"):
            raise ValueError(f"cell must be 'elman'; got {self.cell!r}. For LSTM/GRU use LSTMRegressor/GRURegressor.")
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {_ACTIVATIONS}; got {self.activation!r}.")

    def _build_network(self, n_in, n_out, per_step, out_activation):
        factory = partial(CELLS[self.cell], activation=self.activation)
        return Network(
            n_in, [(factory, h) for h in self._hidden_sizes()], [], n_out,
            per_step=per_step, bidirectional=self.bidirectional, out_activation=out_activation,
        )


class RNNRegressor(SequenceRegressorMixin, _BaseRNN):
    """Elman recurrent network regressor trained by (truncated) backpropagation through time.

    .. math::

        h_l(t) = f\\big(h_{l-1}(t)\\,U_l + h_l(t-1)\\,W_l + b_l\\big),\\qquad
        \\hat y = h_L V + c

    with ``h_0(t) = x(t)``, one recurrent layer per entry of ``hidden_layer_sizes``, and
    ``ŷ`` read at every step (a target per step) or at each sequence's last step (a target
    per sequence).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32,)
        Units of each stacked recurrent layer; ``(64, 32)`` is two layers.
    cell : {'elman'}, default='elman'
        Recurrent cell.
    activation : {'tanh', 'relu', 'logistic', 'identity'}, default='tanh'
        Nonlinearity of the recurrent layers.
    bidirectional : bool, default=False
        Read every sequence both ways and concatenate the two states (each layer).
    bptt_steps : int or None, default=None
        Truncation length of BPTT; None backpropagates through whole sequences.  A single
        2-D series is cut into parallel contiguous streams (``batch_size`` of them, or up
        to 32 with 'auto') that carry their state from chunk to chunk.
    clip_norm : float or None, default=None
        Rescale each gradient to at most this Euclidean norm.
    solver : {'adam', 'sgd', 'lbfgs'}, default='adam'
    alpha : float, default=1e-4
        L2 penalty on the weights (not the biases), as in MLPRegressor.
    batch_size : int or 'auto', default='auto'
        Sequences per minibatch (``min(32, n_sequences)`` for 'auto').
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Schedule for 'sgd'.
    learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, momentum, nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, epsilon, n_iter_no_change, max_fun
        As in :class:`sklearn.neural_network.MLPRegressor`.  With ``early_stopping`` the
        validation data is the last ``validation_fraction`` of a single series (time order
        kept) or a random subset of a collection's sequences.

    Attributes
    ----------
    params_ : ndarray
        All weights and biases in one flat vector.
    loss_ : float
    loss_curve_ : list of float
    best_loss_ : float or None
    validation_scores_ : list of float or None
    best_validation_score_ : float or None
    n_iter_ : int
    t_ : int
        Number of target rows (steps or sequences) seen by the solver.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a pandas DataFrame.
    n_outputs_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.neural_network import RNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(size=(64, 10, 1))
    >>> y = X[:, :, 0].sum(axis=1)          # one target per sequence
    >>> model = RNNRegressor((8,), solver="lbfgs", max_iter=200, random_state=0).fit(X, y)
    >>> model.predict(X).shape
    (64,)
    >>> round(model.score(X, y), 2) > 0.9
    True
    """


class RNNClassifier(SequenceClassifierMixin, _BaseRNN):
    """Elman recurrent network classifier trained by (truncated) backpropagation through time.

    Labels per sequence (read at each sequence's last step) or per step; a logistic output
    for two classes, softmax for more, log-loss.  Parameters and attributes as in
    :class:`RNNRegressor`, plus ``classes_``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.neural_network import RNNClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.normal(size=(rng.randint(5, 15), 1)) for _ in range(60)]
    >>> y = np.array([int(x[0, 0] > 0) for x in X])   # remember the first step
    >>> clf = RNNClassifier((8,), solver="lbfgs", max_iter=300, random_state=0).fit(X, y)
    >>> clf.predict_proba(X).shape
    (60, 2)
    """
