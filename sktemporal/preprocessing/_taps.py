"""The taps of a short-term memory, run along the sequences of a batch.

Two memories share one layout: a tapped delay line (tap ``j`` at step ``t`` is the step
``t - lags[j]``) and the gamma memory of de Vries & Principe (tap ``k`` a leaky, delayed
copy of tap ``k - 1``).  The functions compute the taps of padded ``(n, T, F)``
sequences; :class:`TapMemory` bundles a memory's settings with them and is the one
interface other subpackages use (the TDNN estimators build their inputs with it).  The
transformers :class:`~sktemporal.preprocessing.DelayEmbedding` and
:class:`~sktemporal.preprocessing.GammaMemory` are built on the same functions.
"""

import numpy as np
from scipy.signal import lfilter

from ..utils._validation import is_int

__all__ = ["MEMORY_HINTS", "TapMemory", "check_lags", "delay_taps", "fill_value", "gamma_taps",
           "history", "interleave"]

#: What the ranges mean, appended to the errors (shared with the TDNN estimators).
MEMORY_HINTS = {
    "delays": "delays=k gives the lags 0, stride, ..., k*stride; a list gives the lags themselves.",
    "stride": "stride is the spacing between the lags of delays=k.",
    "order": "order is the number of gamma taps after the input.",
    "mu": "The gamma taps are stable only for 0 < mu < 2; mu=1 is the plain delay line.",
}


def check_lags(delays, stride):
    """The lags of a delay line, in output column order, as an int array.

    ``delays`` and ``stride`` have passed the constraint table (an int ``k``, or an array-like).
    """
    if is_int(delays):
        return np.arange(int(delays) + 1, dtype=np.intp) * int(stride)
    if len(delays) == 0 or not all(is_int(lag) for lag in delays):
        raise ValueError(
            "delays given as a list must be a non-empty list of ints (the lags); got "
            f"delays={delays!r}."
        )
    lags = np.asarray([int(lag) for lag in delays], dtype=np.intp)
    if (lags < 0).any():
        raise ValueError(
            f"delays must hold non-negative lags (a lag looks back in time); got delays={delays!r}."
        )
    if len(np.unique(lags)) != len(lags):
        raise ValueError(f"delays must not repeat a lag; got delays={delays!r}.")
    if stride != 1:
        raise ValueError(
            "stride spaces the lags of an int delays=k; with a list of lags give the lags "
            f"themselves. Got delays={delays!r} and stride={stride!r}; use e.g. "
            f"delays={[int(lag) * stride for lag in lags]!r}, stride=1."
        )
    return lags


def fill_value(fill):
    """``'edge'`` or the fill as a float (``fill`` has passed a constraint table)."""
    return fill if isinstance(fill, str) else float(fill)


def history(batch, fill):
    """The value each sequence is taken to have had before its first step: ``(n, 1, F)``."""
    if fill == "edge":
        return batch.values[:, :1]
    return np.full((batch.n_sequences, 1, batch.n_features), fill, dtype=batch.dtype)


def delay_taps(values, lags, past):
    """Taps of a tapped delay line run along padded sequences.

    ``values`` is ``(n, T, F)`` (zero padding at the end does not matter: every tap only
    looks back), ``past`` ``(n, 1, F)`` the value before each sequence's first step.
    Returns one ``(n, T, F)`` view per lag: tap ``j`` at step ``t`` is the step
    ``t - lags[j]``.
    """
    reach = int(np.max(lags))
    T = values.shape[1]
    padded = np.concatenate([np.repeat(past, reach, axis=1), values], axis=1)
    return [padded[:, reach - lag : reach - lag + T] for lag in lags]


def gamma_taps(values, order, mu, past):
    r"""The ``order + 1`` taps of a gamma memory run along padded sequences.

    Same arguments as :func:`delay_taps`; tap 0 is ``values`` itself and tap ``k`` is
    :math:`x_k(n) = (1 - \mu)\, x_k(n-1) + \mu\, x_{k-1}(n-1)`.
    """
    dtype = values.dtype
    # coefficients in the data's dtype so float32 stays float32 inside lfilter
    b = np.array([0.0, mu], dtype=dtype)
    a = np.array([1.0, mu - 1.0], dtype=dtype)
    # the steady state of a constant history c is c in every tap; for the
    # transposed direct form of this first-order section that state is c itself
    taps = [values]
    for _ in range(order):
        tap, _ = lfilter(b, a, taps[-1], axis=1, zi=past)
        taps.append(tap.astype(dtype, copy=False))
    return taps


def interleave(taps):
    """Stack ``(n, T, F)`` taps into ``(n, T, F * n_taps)``, columns feature-major.

    Column ``f * n_taps + j`` is tap ``j`` of input feature ``f``, matching the names
    ``x0_lag0, x0_lag1, ..., x1_lag0, ...``.
    """
    out = np.stack(taps, axis=-1)
    return out.reshape(out.shape[0], out.shape[1], -1)


class TapMemory:
    r"""A tapped delay line or a gamma memory, run along the sequences of a batch.

    .. math::

        \tilde x(t) = \big(u(t - d_0), \dots, u(t - d_{m-1})\big)\ \text{(tapped)},\qquad
        \tilde x_k(t) = (1 - \mu)\,\tilde x_k(t-1) + \mu\,\tilde x_{k-1}(t-1),\
        \tilde x_0(t) = u(t)\ \text{(gamma)}.

    Parameters
    ----------
    kind : {'tapped', 'gamma'}
    lags : ndarray of int or None, default=None
        The lags of a tapped delay line, in output column order.
    order : int or None, default=None
        The taps of a gamma memory after the input.
    mu : float or None, default=None
        The gamma memory's parameter, in ``(0, 2)``.
    fill : 'edge' or float, default='edge'
        The value before each sequence's first step (``'edge'``: its first step).

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.preprocessing._taps import TapMemory
    >>> from sktemporal.utils import check_sequences
    >>> memory = TapMemory.from_params("tapped", delays=2, stride=1, order=5, mu=0.5, fill=0.0)
    >>> memory.n_taps
    3
    >>> batch = check_sequences(np.arange(1.0, 5.0).reshape(-1, 1))  # one series
    >>> memory.taps(batch)[0]
    array([[1., 0., 0.],
           [2., 1., 0.],
           [3., 2., 1.],
           [4., 3., 2.]])
    >>> TapMemory.from_state(memory.state).n_taps
    3
    """

    def __init__(self, kind, *, lags=None, order=None, mu=None, fill="edge"):
        if kind not in ("tapped", "gamma"):
            raise ValueError(f"kind must be 'tapped' or 'gamma'; got kind={kind!r}.")
        self.kind, self.lags, self.order, self.mu, self.fill = kind, lags, order, mu, fill

    @classmethod
    def from_params(cls, memory, *, delays, stride, order, mu, fill):
        """The memory given by an estimator's hyperparameters (checked: the lags of a list).

        The parameters have passed the constraint tables; a ``ValueError`` says what the
        tables cannot (see :func:`check_lags`).
        """
        if memory == "tapped":
            return cls("tapped", lags=check_lags(delays, stride), fill=fill_value(fill))
        return cls("gamma", order=int(order), mu=float(mu), fill=fill_value(fill))

    @property
    def state(self):
        """The memory as plain data for a fitted model's state: ``(kind, lags or (order, mu), fill)``.

        Plain built-in types and arrays only, so a model holding it pickles and loads with
        ``skops.io`` without a new trusted type; :meth:`from_state` reads it back.
        """
        spec = self.lags if self.kind == "tapped" else (self.order, self.mu)
        return (self.kind, spec, self.fill)

    @classmethod
    def from_state(cls, state):
        """The memory stored as :attr:`state`."""
        kind, spec, fill = state
        if kind == "tapped":
            return cls("tapped", lags=spec, fill=fill)
        order, mu = spec
        return cls("gamma", order=order, mu=mu, fill=fill)

    @property
    def n_taps(self):
        """Taps per input feature."""
        return len(self.lags) if self.kind == "tapped" else self.order + 1

    def taps(self, batch, scale=None):
        """The taps at every step of ``batch``: ``(n_sequences, max_length, n_features * n_taps)``.

        Parameters
        ----------
        batch : SequenceBatch
            The sequences (padded steps at the end are never read by a valid step).
        scale : callable or None, default=None
            Applied to a number ``fill`` (given in the units of the raw input) when the
            batch's values have been scaled, e.g. the input scaler's ``transform``;
            ``'edge'`` is taken from the batch itself and is never scaled again.

        Returns
        -------
        taps : ndarray
            Column ``f * n_taps + j`` is tap ``j`` of feature ``f``.
        """
        past = history(batch, self.fill)
        if self.fill != "edge" and scale is not None:
            past = scale(past)
        if self.kind == "tapped":
            return interleave(delay_taps(batch.values, self.lags, past))
        return interleave(gamma_taps(batch.values, self.order, self.mu, past))
