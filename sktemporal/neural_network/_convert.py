"""Weights of the LSTM and GRU estimators to and from PyTorch and Keras.

The cells store their weights in the Keras layout, ``x W`` with the gates side by side
along the columns:

=========  =======================================  =====================================
cell       sktemporal / Keras                       PyTorch (``nn.LSTM`` / ``nn.GRU``)
=========  =======================================  =====================================
LSTM       ``W_x (n_in, 4H)``, ``W_h (H, 4H)``,     ``weight_ih = W_xᵀ``, ``weight_hh =
           ``b (4H,)``; gates i, f, g, o            W_hᵀ``, ``bias_ih + bias_hh = b``;
                                                    gates i, f, g, o
GRU        ``W_x (n_in, 3H)``, ``W_h (H, 3H)``,     ``weight_ih = W_xᵀ``, ``weight_hh =
           ``b_x``, ``b_h (3H,)``; gates r, z, n    W_hᵀ``, ``bias_ih = b_x``, ``bias_hh =
           (Keras ``GRU(reset_after=True)``:        b_h``; gates r, z, n
           gates z, r, n, ``bias = [b_x; b_h]``)
=========  =======================================  =====================================

Nothing here imports torch or keras: the functions read anything with a
``state_dict()`` method or any mapping of arrays / tensors, and return numpy arrays
(``torch.from_numpy`` turns them into tensors).
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["to_torch", "from_torch", "to_keras", "from_keras"]

_GRU_KERAS = [1, 0, 2]  # sktemporal/PyTorch order r, z, n <-> Keras order z, r, n (self-inverse)


def _network(estimator, copy=False, folded=False):
    """``(cell kind, network, views)``; the views are of a copy of ``params_`` if ``copy``.

    ``folded``: the views hold a copy of the weights with the estimator's internal
    standardization (``scaler``) folded in, so that they act on raw inputs and emit
    raw targets — what another library's module computes.
    """
    cell = getattr(estimator, "_cell", None)
    if cell not in ("lstm", "gru"):
        raise TypeError(
            f"{type(estimator).__name__} is not an LSTM or GRU estimator; weight conversion "
            "is available for LSTMRegressor, LSTMClassifier, GRURegressor and GRUClassifier."
        )
    check_is_fitted(estimator, "params_")
    net = estimator._net
    if len(net.dense) != 1:
        raise ValueError("Only networks with a single output layer after the recurrent layers can be converted.")
    views = net.layout.views(estimator.params_.copy() if copy or folded else estimator.params_)
    if folded:
        _fold_scalers(estimator, cell, net, views)
    return cell, net, views


def _fold_scalers(estimator, cell, net, views):
    """Fold ``x̃ = (x − c)/s`` into the first layer and ``y = ỹ s_y + c_y`` into the output layer.

    ``x̃ W_x + b = x (W_x / s) + (b − (c / s) W_x)``, and the output layer's ``V, b_out``
    become ``V s_y, b_out s_y + c_y`` (regressors only: a classifier's logits are unscaled).
    """
    x_scaler = getattr(estimator, "_input_scaler", None)
    if x_scaler is not None:
        k = getattr(estimator, "_patch", 1)  # a patch of k steps holds k copies of the features
        center, scale = np.tile(x_scaler.center / x_scaler.scale, k), np.tile(x_scaler.scale, k)
        for k, _, prefix in _cells(net):
            if k:
                break
            W_x = views[prefix + "W_x"]
            bias = views[prefix + ("b" if cell == "lstm" else "b_x")]
            bias -= center.astype(W_x.dtype) @ W_x
            W_x /= scale.astype(W_x.dtype)[:, None]
    y_scaler = getattr(estimator, "_target_scaler", None)
    if y_scaler is not None:
        dense = net.dense[0].prefix
        views[dense + "V"] *= y_scaler.scale.astype(views[dense + "V"].dtype)
        views[dense + "c"] *= y_scaler.scale.astype(views[dense + "c"].dtype)
        views[dense + "c"] += y_scaler.center.astype(views[dense + "c"].dtype)


def _commit(estimator, net, views, output=True):
    """Copy the views (of a copy of ``params_``) back into ``params_``.

    The loaded weights act on raw inputs (and, with ``output``, emit raw targets): the
    estimator's internal standardization is switched off for them, and a state kept from
    the fitted series no longer belongs to these weights (predictions start from zeros).
    """
    target = net.layout.views(estimator.params_)
    for name, value in views.items():
        target[name][...] = value
    estimator._input_scaler = None
    if output:
        estimator._target_scaler = None
    if getattr(estimator, "last_state_", None) is not None:
        estimator.last_state_ = None


def _cells(net):
    """``(layer index, direction, parameter-name prefix)`` of every recurrent cell."""
    for layer_index, layer in enumerate(net.recurrent):
        for direction, prefix in enumerate(layer.names):
            yield layer_index, direction, prefix


def _as_numpy(value):
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _regroup(W, order):
    """Reorder the gate blocks along the last axis."""
    k = len(order)
    blocks = W.reshape(W.shape[:-1] + (k, W.shape[-1] // k))
    return blocks[..., order, :].reshape(W.shape)


def _assign(views, name, value):
    target = views[name]
    value = np.asarray(value)
    if value.shape != target.shape:
        raise ValueError(
            f"Shape mismatch for {name}: the estimator has {target.shape}, the given weights "
            f"{value.shape}. Fit the estimator with the same hidden_layer_sizes, bidirectional "
            "setting and number of features as the source model."
        )
    target[...] = value


# ------------------------------------------------------------------------- PyTorch
def to_torch(estimator):
    """The weights of a fitted LSTM/GRU estimator as PyTorch state dicts.

    Parameters
    ----------
    estimator : LSTMRegressor, LSTMClassifier, GRURegressor or GRUClassifier
        A fitted estimator.

    Returns
    -------
    rnn_state : dict of str -> ndarray
        The state dict of ``torch.nn.LSTM`` / ``torch.nn.GRU(n_features_in_, H,
        num_layers=len(hidden_layer_sizes), bidirectional=bidirectional,
        batch_first=True)``: ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
        ``bias_hh_l{k}`` (and ``..._reverse``).  The LSTM's single bias goes to
        ``bias_ih``; ``bias_hh`` is zero.  A single torch module needs equal hidden
        sizes in all layers; otherwise load each layer ``k`` into its own module.
    linear_state : dict of str -> ndarray
        ``weight`` ``(n_out, n_hidden)`` and ``bias`` of the ``torch.nn.Linear`` output
        layer, applied to the last layer's output at every step (a target per step) or
        at each sequence's last step (a target per sequence; for a bidirectional network
        ``[h_fwd(T − 1); h_bwd(0)]``).  For classifiers this gives the logits; the
        estimator applies the logistic (two classes) or softmax function.  With
        ``pooling`` other than 'last' the layer reads the pooled states instead, and with
        ``patch_size`` ``k > 1`` the module's input at step ``s`` is the patch
        ``[x(sk); …; x(sk + k − 1)]`` (``n_features_in_ * k`` values; see
        :ref:`long_sequences`).

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.neural_network import LSTMRegressor, to_torch
    >>> X = np.random.RandomState(0).normal(size=(20, 6, 3))
    >>> plain = dict(bidirectional=False, pooling="last", patch_size=None)  # as nn.LSTM
    >>> model = LSTMRegressor((5,), max_iter=2, random_state=0, **plain).fit(X, X[:, -1, 0])
    >>> rnn_state, linear_state = to_torch(model)
    >>> rnn_state["weight_ih_l0"].shape, rnn_state["weight_hh_l0"].shape
    ((20, 3), (20, 5))
    >>> linear_state["weight"].shape
    (1, 5)

    With torch installed, ``torch.nn.LSTM(3, 5, batch_first=True, dtype=torch.float64)``
    then loads ``{k: torch.from_numpy(v) for k, v in rnn_state.items()}``.
    """
    cell, net, views = _network(estimator, folded=True)
    rnn = {}
    for k, d, prefix in _cells(net):
        sfx = f"_l{k}" + ("_reverse" if d else "")
        rnn["weight_ih" + sfx] = views[prefix + "W_x"].T.copy()
        rnn["weight_hh" + sfx] = views[prefix + "W_h"].T.copy()
        if cell == "lstm":
            rnn["bias_ih" + sfx] = views[prefix + "b"].copy()
            rnn["bias_hh" + sfx] = np.zeros_like(views[prefix + "b"])
        else:
            rnn["bias_ih" + sfx] = views[prefix + "b_x"].copy()
            rnn["bias_hh" + sfx] = views[prefix + "b_h"].copy()
    dense = net.dense[0].prefix
    linear = {"weight": views[dense + "V"].T.copy(), "bias": views[dense + "c"].copy()}
    return rnn, linear


def from_torch(estimator, rnn, linear=None):
    """Load PyTorch weights into a fitted LSTM/GRU estimator, in place.

    The estimator must have been fitted (a single iteration is enough) with the
    architecture of the torch model: the same number of features, ``hidden_layer_sizes``
    and ``bidirectional``; continue training from the loaded weights with
    ``warm_start=True`` or ``partial_fit``.

    Parameters
    ----------
    estimator : LSTMRegressor, LSTMClassifier, GRURegressor or GRUClassifier
        A fitted estimator.
    rnn : torch.nn.LSTM, torch.nn.GRU or mapping
        The recurrent module, or its state dict (tensors or arrays).  Without biases
        (``bias=False``) the biases are set to zero.
    linear : torch.nn.Linear or mapping, default=None
        The output layer (``weight`` of shape ``(n_out, n_hidden)``, ``bias``); None keeps
        the estimator's own output layer.

    Returns
    -------
    estimator : the estimator, with its ``params_`` replaced.

    Examples
    --------
    With torch, ``from_torch(model, lstm, head)`` loads a
    ``torch.nn.LSTM(3, 4, batch_first=True)`` and a ``torch.nn.Linear(4, 1)``.
    The state dicts work as well, as tensors or numpy arrays; here those of a
    second estimator, so that both predict the same:

    >>> import numpy as np
    >>> from sktemporal.neural_network import LSTMRegressor, from_torch, to_torch
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.randn(20, 8, 3), rng.randn(20)       # 20 sequences, 3 features
    >>> plain = dict(bidirectional=False, pooling="last", patch_size=None)  # as nn.LSTM
    >>> a = LSTMRegressor((4,), max_iter=5, random_state=0, **plain).fit(X, y)
    >>> b = LSTMRegressor((4,), max_iter=1, random_state=1, **plain).fit(X, y)
    >>> rnn_state, linear_state = to_torch(a)
    >>> sorted(rnn_state)
    ['bias_hh_l0', 'bias_ih_l0', 'weight_hh_l0', 'weight_ih_l0']
    >>> b = from_torch(b, rnn_state, linear_state)
    >>> bool(np.allclose(a.predict(X), b.predict(X)))
    True
    """
    cell, net, views = _network(estimator, copy=True)  # nothing changes unless all weights fit
    state = rnn.state_dict() if hasattr(rnn, "state_dict") else rnn
    state = {k: _as_numpy(v) for k, v in state.items()}
    expected = set()
    for k, d, prefix in _cells(net):
        sfx = f"_l{k}" + ("_reverse" if d else "")
        for name in ("weight_ih", "weight_hh"):
            if name + sfx not in state:
                raise ValueError(
                    f"The torch weights have no {name + sfx!r}: the estimator has "
                    f"{len(net.recurrent)} layer(s), bidirectional={net.recurrent[0].bidirectional}."
                )
        expected.update(n + sfx for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
        _assign(views, prefix + "W_x", state["weight_ih" + sfx].T)
        _assign(views, prefix + "W_h", state["weight_hh" + sfx].T)
        G = views[prefix + "W_h"].shape[1]
        b_ih = state.get("bias_ih" + sfx, np.zeros(G))
        b_hh = state.get("bias_hh" + sfx, np.zeros(G))
        if cell == "lstm":
            _assign(views, prefix + "b", b_ih + b_hh)
        else:
            _assign(views, prefix + "b_x", b_ih)
            _assign(views, prefix + "b_h", b_hh)
    extra = sorted(set(state) - expected)
    if extra:
        raise ValueError(
            f"The torch weights have entries the estimator lacks: {extra[:4]} (more layers or directions?)."
        )
    if linear is not None:
        lin = linear.state_dict() if hasattr(linear, "state_dict") else linear
        dense = net.dense[0].prefix
        _assign(views, dense + "V", _as_numpy(lin["weight"]).T)
        _assign(views, dense + "c", _as_numpy(lin["bias"]))
    _commit(estimator, net, views, output=linear is not None)
    return estimator


# --------------------------------------------------------------------------- Keras
def to_keras(estimator):
    """The weights of a fitted LSTM/GRU estimator in Keras' ``get_weights()`` order.

    The order is that of ``keras.Sequential`` with one ``LSTM(H)`` / ``GRU(H,
    reset_after=True)`` layer per entry of ``hidden_layer_sizes`` (wrapped in
    ``Bidirectional`` when the estimator is bidirectional: forward weights, then
    backward weights) and a final ``Dense(n_out)``:
    ``[kernel, recurrent_kernel, bias, ..., dense_kernel, dense_bias]``.  Keras' GRU
    orders its gates z, r, n and stores ``bias = [b_x; b_h]`` of shape ``(2, 3H)``.

    Parameters
    ----------
    estimator : LSTMRegressor, LSTMClassifier, GRURegressor or GRUClassifier
        A fitted estimator.

    Returns
    -------
    weights : list of ndarray
        Ready for ``model.set_weights(weights)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.neural_network import GRURegressor, to_keras
    >>> X = np.random.RandomState(0).normal(size=(20, 6, 3))
    >>> plain = dict(bidirectional=False, pooling="last", patch_size=None)  # as Keras' GRU
    >>> model = GRURegressor((5,), max_iter=2, random_state=0, **plain).fit(X, X[:, -1, 0])
    >>> [w.shape for w in to_keras(model)]
    [(3, 15), (5, 15), (2, 15), (5, 1), (1,)]
    """
    cell, net, views = _network(estimator, folded=True)
    weights = []
    for _, _, prefix in _cells(net):
        if cell == "lstm":
            weights += [views[prefix + n].copy() for n in ("W_x", "W_h", "b")]
        else:
            weights += [
                _regroup(views[prefix + "W_x"], _GRU_KERAS),
                _regroup(views[prefix + "W_h"], _GRU_KERAS),
                _regroup(np.stack([views[prefix + "b_x"], views[prefix + "b_h"]]), _GRU_KERAS),
            ]
    dense = net.dense[0].prefix
    return weights + [views[dense + "V"].copy(), views[dense + "c"].copy()]


def from_keras(estimator, weights):
    """Load Keras weights (``model.get_weights()``) into a fitted LSTM/GRU estimator, in place.

    The inverse of :func:`to_keras`; the estimator must have the Keras model's
    architecture (see :func:`from_torch`).  Keras GRUs must use ``reset_after=True`` (the
    default since Keras 2.3), the formulation of :class:`GRURegressor`.

    Parameters
    ----------
    estimator : LSTMRegressor, LSTMClassifier, GRURegressor or GRUClassifier
        A fitted estimator.
    weights : list of array-like
        ``[kernel, recurrent_kernel, bias]`` per recurrent cell, then the ``Dense``
        layer's ``[kernel, bias]``.

    Returns
    -------
    estimator : the estimator, with its ``params_`` replaced.

    Examples
    --------
    ``from_keras(model, keras_model.get_weights())`` for a Keras
    ``Sequential([GRU(4), Dense(1)])``; the list of arrays of :func:`to_keras` has
    the same order:

    >>> import numpy as np
    >>> from sktemporal.neural_network import GRURegressor, from_keras, to_keras
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.randn(20, 8, 3), rng.randn(20)
    >>> plain = dict(bidirectional=False, pooling="last", patch_size=None)  # as Keras' GRU
    >>> a = GRURegressor((4,), max_iter=5, random_state=0, **plain).fit(X, y)
    >>> b = GRURegressor((4,), max_iter=1, random_state=1, **plain).fit(X, y)
    >>> [w.shape for w in to_keras(a)]   # kernel, recurrent kernel, bias, Dense
    [(3, 12), (4, 12), (2, 12), (4, 1), (1,)]
    >>> b = from_keras(b, to_keras(a))
    >>> bool(np.allclose(a.predict(X), b.predict(X)))
    True
    """
    cell, net, views = _network(estimator, copy=True)
    weights = [_as_numpy(w) for w in weights]
    prefixes = [prefix for _, _, prefix in _cells(net)]
    if len(weights) != 3 * len(prefixes) + 2:
        raise ValueError(
            f"Expected {3 * len(prefixes) + 2} arrays (3 per recurrent cell, 2 for Dense), got {len(weights)}."
        )
    for j, prefix in enumerate(prefixes):
        kernel, recurrent, bias = weights[3 * j: 3 * j + 3]
        if cell == "lstm":
            _assign(views, prefix + "W_x", kernel)
            _assign(views, prefix + "W_h", recurrent)
            _assign(views, prefix + "b", bias)
        else:
            if bias.ndim != 2:
                raise ValueError(
                    f"GRU bias of shape {bias.shape}: Keras GRUs must use reset_after=True "
                    "(bias of shape (2, 3H)), the formulation of GRURegressor."
                )
            _assign(views, prefix + "W_x", _regroup(kernel, _GRU_KERAS))
            _assign(views, prefix + "W_h", _regroup(recurrent, _GRU_KERAS))
            _assign(views, prefix + "b_x", _regroup(bias[0], _GRU_KERAS))
            _assign(views, prefix + "b_h", _regroup(bias[1], _GRU_KERAS))
    dense = net.dense[0].prefix
    _assign(views, dense + "V", weights[-2])
    _assign(views, dense + "c", weights[-1])
    _commit(estimator, net, views)
    return estimator
