"""LSTMRegressor and LSTMClassifier: long short-term memory networks."""

from ._docstrings import (
    CLASSIFIER_N_OUTPUTS,
    RECURRENT_ATTRIBUTES,
    RECURRENT_CLASSIFIER_ATTRIBUTES,
    network_docstring,
)
from ._gated import BaseGatedRNN, init_with_defaults
from ._task_mixins import SequenceClassifierMixin, SequenceRegressorMixin

__all__ = ["LSTMRegressor", "LSTMClassifier"]


class _BaseLSTM(BaseGatedRNN):
    """The LSTM's defaults: twice the GRU's epoch budget and patience (see the defaults study).

    On NARMA10 an LSTM stopped after 300 epochs (patience 30) is still under-trained on
    some seeds (NRMSE 0.43 at seed 0), where the GRU trained longer starts to overfit.
    """

    __init__ = init_with_defaults(BaseGatedRNN.__init__, max_iter=600, n_iter_no_change=60)


_LSTM_PARAMETERS = {
    "hidden_layer_sizes": (
        "array-like of shape (n_layers,)",
        "Units of each stacked LSTM layer; ``(64, 32)`` is two layers, the first one's output "
        "sequence being the second one's input.",
    ),
}


@network_docstring(_LSTM_PARAMETERS, RECURRENT_ATTRIBUTES)
class LSTMRegressor(SequenceRegressorMixin, _BaseLSTM):
    """Long short-term memory regressor trained by (truncated) backpropagation through time.

    Each recurrent layer is an LSTM (Hochreiter & Schmidhuber, 1997, with forget gate):

    .. math::

        [i, f, g, o] &= [\\sigma, \\sigma, \\tanh, \\sigma]\\big(x(t) W_x + h(t-1) W_h + b\\big) \\\\
        C(t) &= f \\odot C(t-1) + i \\odot g, \\qquad h(t) = o \\odot \\tanh C(t)

    and ``ŷ = h_L V + c`` is read at every step (a target per step) or at each sequence's
    last step (a target per sequence).  The additive cell-state path lets errors flow
    over long lags where an Elman network's vanish.  Weights use the Keras layout (gate
    order i, f, g, o; ``W_x`` is ``(n_in, 4H)``) and convert to and from PyTorch and
    Keras with :func:`to_torch` / :func:`from_torch` / :func:`to_keras` /
    :func:`from_keras`; the forget-gate bias starts at 1.  See :ref:`lstm_gru`.

    %(parameters_and_attributes)s

    See Also
    --------
    GRURegressor : the gated recurrent unit, fewer parameters per unit.
    RNNRegressor : the Elman network.

    Examples
    --------
    >>> from sktemporal.datasets import adding_problem
    >>> from sktemporal.neural_network import LSTMRegressor
    >>> X, y = adding_problem(200, seq_length=10, random_state=0)
    >>> model = LSTMRegressor((8,), learning_rate_init=0.01, max_iter=50, random_state=0)
    >>> model.fit(X, y).predict(X[:3]).shape
    (3,)
    >>> model.score(X, y) > 0.5
    True
    """

    _cell = "lstm"


@network_docstring(_LSTM_PARAMETERS, RECURRENT_CLASSIFIER_ATTRIBUTES, {"n_outputs_": CLASSIFIER_N_OUTPUTS})
class LSTMClassifier(SequenceClassifierMixin, _BaseLSTM):
    """Long short-term memory classifier trained by (truncated) backpropagation through time.

    Labels per sequence (read at each sequence's last step) or per step; a logistic output
    for two classes, softmax for more, log-loss.  The cell as in
    :class:`LSTMRegressor`.

    %(parameters_and_attributes)s

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.neural_network import LSTMClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.normal(size=(rng.randint(5, 15), 1)) for _ in range(60)]
    >>> y = np.array([int(x[0, 0] > 0) for x in X])   # remember the first step
    >>> clf = LSTMClassifier((8,), solver="lbfgs", max_iter=100, random_state=0).fit(X, y)
    >>> clf.predict_proba(X).shape
    (60, 2)
    """

    _cell = "lstm"
