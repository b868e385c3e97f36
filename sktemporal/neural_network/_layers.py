"""Layers and the network: recurrent layers (optionally bidirectional), stacking, heads, dense layers.

A :class:`Network` is ``recurrent layers → head → dense layers``:

* recurrent layers map a time-major batch ``(T, B, F)`` to ``(T, B, H)``; each layer's
  output sequence is the next layer's input ("deep" / stacked RNN);
* the head keeps every step (many-to-many) or picks each sequence's final state
  (many-to-one);
* dense layers (the last one is the output layer) act on every kept row.

The network knows nothing of estimators, and nothing here loops over time except the
cells.
"""

from typing import NamedTuple

import numpy as np

from ..utils._activations import ACTIVATIONS, DERIVATIVES
from ._cells import mlp_init_bound
from ._params import ParameterLayout

__all__ = ["RecurrentLayer", "Dense", "DenseStack", "Network", "reverse_padded", "pool_states", "pool_states_backward",
           "POOLINGS"]

POOLINGS = ("last", "mean", "max", "mean_max")


def reverse_padded(A, lengths):
    """Reverse each sequence of a time-major ``(T, B, ...)`` array within its own length.

    Step ``t`` of sequence ``i`` goes to ``lengths[i] − 1 − t``; padded steps stay padded
    (zeros).  The map is its own inverse.
    """
    T = A.shape[0]
    idx = lengths[None, :] - 1 - np.arange(T)[:, None]
    valid = idx >= 0
    idx = np.where(valid, idx, 0)
    idx = idx.reshape(idx.shape + (1,) * (A.ndim - 2))
    out = np.take_along_axis(A, idx, axis=0)
    out *= valid.reshape(valid.shape + (1,) * (A.ndim - 2))
    return out


def pool_states(A, lengths, pooling, n_backward=0):
    r"""One row per sequence from its states ``A`` (time-major ``(T, B, W)``), padded steps excluded.

    .. math::

        \text{last: } r_b = a_b(L_b - 1), \qquad
        \text{mean: } r_b = \frac{1}{L_b} \sum_{t < L_b} a_b(t), \qquad
        \text{max: } r_{b,w} = \max_{t < L_b} a_{b,w}(t)

    and 'mean_max' is ``[mean; max]`` (width ``2W``).  With ``n_backward > 0`` (a
    bidirectional last layer) 'last' takes the last ``n_backward`` columns at ``t = 0``,
    where the backward direction has read the whole sequence.

    Returns
    -------
    rows : ndarray of shape (B, W) or (B, 2W)
    pooled : ndarray or None
        What the backward pass needs: for 'max' and 'mean_max' the time index of each maximum.
    """
    B = A.shape[1]
    if pooling == "last":
        rows = A[np.maximum(lengths - 1, 0), np.arange(B)]
        if n_backward:
            rows[:, -n_backward:] = A[0, :, -n_backward:]
        return rows, None
    active = (np.arange(A.shape[0])[:, None] < lengths[None, :])[:, :, None]
    parts, argmax = [], None
    if pooling in ("mean", "mean_max"):
        parts.append(np.where(active, A, 0).sum(axis=0) / np.maximum(lengths, 1)[:, None].astype(A.dtype))
    if pooling in ("max", "mean_max"):
        masked = np.where(active, A, -np.inf)
        argmax = masked.argmax(axis=0)
        parts.append(np.take_along_axis(A, argmax[None], axis=0)[0])
    rows = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
    return rows, argmax


def pool_states_backward(d_rows, lengths, shape, pooling, n_backward, argmax):
    """``∂L/∂A`` of :func:`pool_states` from ``∂L/∂rows``: zero at padded steps.

    'last' puts the row's gradient at the last valid step (the backward columns at ``t = 0``);
    'mean' spreads ``d r_b / L_b`` over the valid steps; 'max' routes each column's
    gradient to the step of its maximum.
    """
    d_A = np.zeros(shape, dtype=d_rows.dtype)
    T, B, W = shape
    b = np.arange(B)
    if pooling == "last":
        last_t = np.maximum(lengths - 1, 0)
        if n_backward:
            d_A[last_t, b, : W - n_backward] = d_rows[:, : W - n_backward]
            d_A[0, :, W - n_backward:] = d_rows[:, W - n_backward:]
        else:
            d_A[last_t, b] = d_rows
        return d_A
    d_mean, d_max = d_rows[:, :W], d_rows[:, -W:]
    if pooling in ("mean", "mean_max"):
        active = (np.arange(T)[:, None] < lengths[None, :])[:, :, None]
        d_A += active * (d_mean / np.maximum(lengths, 1)[:, None].astype(d_rows.dtype))[None]
    if pooling in ("max", "mean_max"):
        np.add.at(d_A, (argmax, b[:, None], np.arange(W)[None, :]), d_max)
    return d_A


class RecurrentLayer:
    """One recurrent layer: a cell, or two cells reading the sequences both ways.

    With ``bidirectional=True`` the output at step ``t`` is ``[h_fwd(t); h_bwd(t)]`` where
    the backward cell reads each sequence from its own last step to its first.  The final
    state used by a many-to-one head is then ``[h_fwd(T_i − 1); h_bwd(0)]``, each direction
    after it has read the whole sequence.
    """

    def __init__(self, cell_factory, n_in, n_hidden, bidirectional=False, prefix=""):
        self.bidirectional = bidirectional
        self.cells = [cell_factory(n_in, n_hidden)]
        if bidirectional:
            self.cells.append(cell_factory(n_in, n_hidden))
        self.names = [prefix + "fwd.", prefix + "bwd."][: len(self.cells)]
        self.n_hidden = n_hidden
        self.n_out = n_hidden * len(self.cells)
        self.state_size = sum(c.state_size for c in self.cells)

    def param_shapes(self):
        return [
            (name + k, shape)
            for name, cell in zip(self.names, self.cells)
            for k, shape in cell.param_shapes()
        ]

    def _sub(self, views, i):
        name = self.names[i]
        return {k[len(name):]: v for k, v in views.items() if k.startswith(name)}

    def initialize(self, views, rng):
        for i, cell in enumerate(self.cells):
            cell.initialize(self._sub(views, i), rng)

    def forward(self, views, X, sizes, lengths, state0):
        cell = self.cells[0]
        s = cell.state_size
        out, state, cache = cell.forward(self._sub(views, 0), X, sizes, state0[:, :s])
        if not self.bidirectional:
            return out, state, [cache]
        bwd = self.cells[1]
        out_b, state_b, cache_b = bwd.forward(
            self._sub(views, 1), reverse_padded(X, lengths), sizes, state0[:, s:]
        )
        out = np.concatenate([out, reverse_padded(out_b, lengths)], axis=2)
        return out, np.concatenate([state, state_b], axis=1), [cache, cache_b]

    def backward(self, views, grads, d_out, cache, lengths, need_dx):
        H = self.n_hidden
        d_fwd = np.ascontiguousarray(d_out[:, :, :H])
        dX = self.cells[0].backward(self._sub(views, 0), self._sub(grads, 0), d_fwd, cache[0], need_dx)
        if not self.bidirectional:
            return dX
        d_bwd = reverse_padded(d_out[:, :, H:], lengths)
        dX_b = self.cells[1].backward(self._sub(views, 1), self._sub(grads, 1), d_bwd, cache[1], need_dx)
        if need_dx:
            dX += reverse_padded(dX_b, lengths)
        return dX


class Dense:
    """Fully connected layer on rows: ``a = f(x V + c)``."""

    def __init__(self, n_in, n_out, activation, prefix=""):
        self.n_in, self.n_out, self.activation = n_in, n_out, activation
        self.prefix = prefix

    def param_shapes(self):
        return [(self.prefix + "V", (self.n_in, self.n_out)), (self.prefix + "c", (self.n_out,))]

    def initialize(self, views, rng):
        V = views[self.prefix + "V"]
        bound = mlp_init_bound(self.n_in, self.n_out, self.activation)
        V[...] = rng.uniform(-bound, bound, V.shape)
        views[self.prefix + "c"][...] = rng.uniform(-bound, bound, self.n_out)

    def forward(self, views, A):
        Z = np.dot(A, views[self.prefix + "V"])
        Z += views[self.prefix + "c"]
        return ACTIVATIONS[self.activation](Z)

    def backward(self, views, grads, A_in, A_out, delta, need_dx, output_layer=False):
        """``delta`` is ∂L/∂a (or ∂L/∂z for the output layer, whose link is folded into the loss)."""
        if not output_layer:
            delta = DERIVATIVES[self.activation](A_out, delta)
        np.dot(A_in.T, delta, out=grads[self.prefix + "V"])
        np.sum(delta, axis=0, out=grads[self.prefix + "c"])
        return np.dot(delta, views[self.prefix + "V"].T) if need_dx else None


class DenseStack(NamedTuple):
    """The dense layers after the head: hidden widths, output width, activations.

    >>> DenseStack([16], 3, out_activation="softmax").widths
    [16, 3]
    """

    hidden: list
    n_out: int
    activation: str = "relu"
    out_activation: str = "identity"

    @property
    def widths(self):
        return list(self.hidden) + [self.n_out]


class Network:
    """Recurrent layers, a head, dense layers; one flat parameter vector.

    Parameters
    ----------
    n_in : int
        Input features per step.
    recurrent : list of (cell_factory, n_hidden)
        One entry per stacked recurrent layer (may be empty: a plain MLP over steps).
    dense : DenseStack or None
        The dense layers after the head (hidden widths, output width, the hidden and
        output activations).  None when the last recurrent cell emits the prediction
        itself (the Jordan cell, whose output is fed back).
    per_step : bool
        Many-to-many (a prediction per step) or many-to-one (per sequence).
    bidirectional : bool, default=False
    pooling : {'last', 'mean', 'max', 'mean_max'}, default='last'
        The many-to-one head (see :func:`pool_states`); ignored per step.
    prefix : str, default=''
        Prepended to every parameter name (networks that are parts of a larger one).
    """

    def __init__(self, n_in, recurrent, dense, *, per_step, bidirectional=False, pooling="last", prefix=""):
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {sorted(POOLINGS)}; got {pooling!r}.")
        self.per_step = per_step
        self.pooling = "last" if per_step or not recurrent else pooling
        self.recurrent = []
        width = n_in
        for i, (factory, n_hidden) in enumerate(recurrent):
            layer = RecurrentLayer(factory, width, n_hidden, bidirectional, prefix=f"{prefix}rnn{i}.")
            self.recurrent.append(layer)
            width = layer.n_out
        if self.pooling == "mean_max":
            width *= 2
        self.dense = []
        widths = dense.widths if dense is not None else []
        for i, w in enumerate(widths):
            act = dense.out_activation if i == len(widths) - 1 else dense.activation
            self.dense.append(Dense(width, w, act, prefix=f"{prefix}dense{i}."))
            width = w
        shapes = [s for layer in self.recurrent + self.dense for s in layer.param_shapes()]
        self.layout = ParameterLayout(shapes)
        self.state_sizes = [layer.state_size for layer in self.recurrent]
        self.n_out = width

    def initialize(self, theta, rng):
        views = self.layout.views(theta)
        for layer in self.recurrent + self.dense:
            layer.initialize(views, rng)

    def release(self):
        """Drop the scratch arrays cells keep from batch to batch (after training or predicting)."""
        for layer in self.recurrent:
            for cell in layer.cells:
                if hasattr(cell, "release"):
                    cell.release()

    def initial_state(self, batch_size, dtype):
        return [np.zeros((batch_size, s), dtype=dtype) for s in self.state_sizes]

    # ------------------------------------------------------------------ forward
    def forward(self, theta, X, sizes, lengths, state=None):
        """Run the network on a length-sorted time-major batch.

        Returns the outputs (``(T, B, n_out)`` per step, ``(B, n_out)`` per sequence), the
        final states (one per recurrent layer) and a cache for :meth:`backward`.
        """
        views = self.layout.views(theta)
        if state is None:
            state = self.initial_state(X.shape[1], X.dtype)
        A, new_state, caches = X, [], []
        for layer, s0 in zip(self.recurrent, state):
            A, s, cache = layer.forward(views, A, sizes, lengths, s0)
            new_state.append(s)
            caches.append(cache)
        T, B = X.shape[:2]
        rows, pooled = self._head(A, lengths)
        acts = [rows]
        for layer in self.dense:
            acts.append(layer.forward(views, acts[-1]))
        out = acts[-1]
        if self.per_step:
            out = out.reshape(T, B, -1)
        return out, new_state, (X, sizes, lengths, caches, acts, A.shape, pooled)

    def _head(self, A, lengths):
        """Rows fed to the dense layers: every step, or each sequence's pooled states."""
        if self.per_step:
            return A.reshape(-1, A.shape[2]), None
        return pool_states(A, lengths, self.pooling, self._bidirectional_width())

    def _bidirectional_width(self):
        """Units of the backward direction of the last layer (0 if unidirectional)."""
        if self.recurrent and self.recurrent[-1].bidirectional:
            return self.recurrent[-1].n_hidden
        return 0

    def _head_backward(self, d_rows, lengths, shape, pooled):
        if self.per_step:
            return d_rows.reshape(shape)
        return pool_states_backward(d_rows, lengths, shape, self.pooling, self._bidirectional_width(), pooled)

    # ----------------------------------------------------------------- backward
    def backward(self, theta, grad, delta, cache, need_dx=False):
        """Backpropagate ``delta = ∂L/∂z_out`` (output pre-activation) and fill ``grad``.

        Returns ``∂L/∂X`` (the shape of the inputs) when ``need_dx``, else None.
        """
        X, sizes, lengths, caches, acts, A_shape, pooled = cache
        views, grads = self.layout.views(theta), self.layout.views(grad)
        d = delta.reshape(-1, delta.shape[-1]) if self.dense or self.per_step else delta
        n_dense = len(self.dense)
        for i in range(n_dense - 1, -1, -1):
            need = i > 0 or bool(self.recurrent) or need_dx
            d = self.dense[i].backward(views, grads, acts[i], acts[i + 1], d, need, output_layer=i == n_dense - 1)
        if not self.recurrent:
            return self._head_backward(d, lengths, X.shape, pooled) if need_dx else None
        d_A = self._head_backward(d, lengths, A_shape, pooled)
        for i in range(len(self.recurrent) - 1, -1, -1):
            d_A = self.recurrent[i].backward(views, grads, d_A, caches[i], lengths, need_dx=i > 0 or need_dx)
        return d_A if need_dx else None
