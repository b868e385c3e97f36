"""GRURegressor and GRUClassifier: gated recurrent unit networks."""

from ._docstrings import CLASSIFIER_N_OUTPUTS, RECURRENT_ATTRIBUTES, RECURRENT_CLASSIFIER_ATTRIBUTES, network_docstring
from ._gated import BaseGatedRNN
from ._task_mixins import SequenceClassifierMixin, SequenceRegressorMixin

__all__ = ["GRURegressor", "GRUClassifier"]

_GRU_PARAMETERS = {
    "hidden_layer_sizes": (
        "array-like of shape (n_layers,)",
        "Units of each stacked GRU layer; ``(64, 32)`` is two layers, the first one's output "
        "sequence being the second one's input.",
    ),
}


@network_docstring(_GRU_PARAMETERS, RECURRENT_ATTRIBUTES)
class GRURegressor(SequenceRegressorMixin, BaseGatedRNN):
    """Gated recurrent unit regressor trained by (truncated) backpropagation through time.

    Each recurrent layer is a GRU (Cho et al., 2014) in PyTorch's formulation:

    .. math::

        r &= \\sigma\\big(x W_x^r + b_x^r + h(t-1) W_h^r + b_h^r\\big), \\qquad
        z = \\sigma\\big(x W_x^z + b_x^z + h(t-1) W_h^z + b_h^z\\big) \\\\
        n &= \\tanh\\big(x W_x^n + b_x^n + r \\odot (h(t-1) W_h^n + b_h^n)\\big), \\qquad
        h(t) = (1 - z) \\odot n + z \\odot h(t-1)

    and ``ŷ = h_L V + c`` is read at every step or at each sequence's last step.  Weights
    are stored as ``W_x (n_in, 3H)``, ``W_h (H, 3H)``, ``b_x``, ``b_h`` with the gates in
    PyTorch's order r, z, n; they convert to and from PyTorch and Keras (``GRU`` with
    ``reset_after=True``) with :func:`to_torch` / :func:`from_torch` / :func:`to_keras` /
    :func:`from_keras`.  See :ref:`lstm_gru`.

    %(parameters_and_attributes)s

    See Also
    --------
    LSTMRegressor : the long short-term memory network.

    Examples
    --------
    >>> from sktemporal.datasets import adding_problem
    >>> from sktemporal.neural_network import GRURegressor
    >>> X, y = adding_problem(200, seq_length=10, random_state=0)
    >>> model = GRURegressor((8,), learning_rate_init=0.01, max_iter=50, random_state=0)
    >>> model.fit(X, y).predict(X[:3]).shape
    (3,)
    >>> model.score(X, y) > 0.5
    True
    """

    _cell = "gru"


@network_docstring(_GRU_PARAMETERS, RECURRENT_CLASSIFIER_ATTRIBUTES, {"n_outputs_": CLASSIFIER_N_OUTPUTS})
class GRUClassifier(SequenceClassifierMixin, BaseGatedRNN):
    """Gated recurrent unit classifier trained by (truncated) backpropagation through time.

    Labels per sequence (read at each sequence's last step) or per step; a logistic output
    for two classes, softmax for more, log-loss.  The cell as in
    :class:`GRURegressor`.

    %(parameters_and_attributes)s

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.neural_network import GRUClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.normal(size=(rng.randint(5, 15), 1)) for _ in range(60)]
    >>> y = np.array([int(x[0, 0] > 0) for x in X])   # remember the first step
    >>> clf = GRUClassifier((8,), solver="lbfgs", max_iter=100, random_state=0).fit(X, y)
    >>> clf.predict_proba(X).shape
    (60, 2)
    """

    _cell = "gru"
