"""Reservoir weights: recurrent topologies, exact spectral radius, input and feedback weights.

Every matrix is drawn from one ``numpy.random.RandomState`` in a fixed order (see
:func:`init_weights`), so a ``random_state`` gives the same reservoir every time.  The
recurrent matrix ``W`` is built sparse (CSR) from the start, so reservoirs of 10,000
units and more never go through a dense ``N x N`` array.
"""

from __future__ import annotations

import numbers
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, eigs
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

__all__ = [
    "DISTRIBUTIONS",
    "TOPOLOGIES",
    "ReservoirWeights",
    "clear_weights_cache",
    "feedback_matrix",
    "init_weights",
    "input_matrix",
    "recurrent_matrix",
    "spectral_radius",
    "weights_cache_info",
]

TOPOLOGIES = ("random", "small_world", "cycle")
DISTRIBUTIONS = ("uniform", "normal")

# Below this size the dense eigenvalue solver is cheap (tens of ms) and always exact.
_DENSE_EIG_MAX = 400


def _draw(rs, size, distribution):
    """Non-zero weights: U[-1, 1] or N(0, 1)."""
    if distribution == "uniform":
        return rs.uniform(-1.0, 1.0, size)
    return rs.standard_normal(size)


def _sample_cells(rs, n_cells, k):
    """``k`` distinct integers of ``range(n_cells)`` in random order, without an O(n_cells) array.

    ``RandomState.choice(replace=False)`` permutes the whole population (10^8 cells for
    10,000 units); instead draw with replacement, drop repeats keeping the first
    occurrence, and top up until ``k`` are found.
    """
    if k >= n_cells // 4:
        return rs.permutation(n_cells)[:k]
    found = np.empty(0, dtype=np.int64)
    while found.size < k:
        need = k - found.size
        draw = rs.randint(0, n_cells, size=int(need * 1.1) + 16, dtype=np.int64)
        both = np.concatenate([found, draw])
        _, first = np.unique(both, return_index=True)
        found = both[np.sort(first)]
    return found[:k]


def _random_topology(n, density, distribution, rs):
    k = max(1, round(density * n * n))
    cells = _sample_cells(rs, n * n, k)
    rows, cols = np.divmod(cells, n)
    return sp.csr_matrix((_draw(rs, k, distribution), (rows, cols)), shape=(n, n))


def _small_world_topology(n, density, rewiring, distribution, rs):
    """Watts–Strogatz: a directed ring lattice, each edge rewired with probability ``rewiring``.

    Unit ``i`` receives from its ``k`` nearest neighbours on the ring (``k // 2`` on each
    side, one more ahead when ``k`` is odd), ``k = round(density * n)``; a rewired edge
    keeps its receiving unit and gets a new source drawn uniformly, never a self loop
    nor a duplicate.
    """
    k = int(np.clip(round(density * n), 1, n - 1))
    offsets = np.array([o for o in range(-(k // 2), k - k // 2 + 1) if o != 0][:k])
    cols = (np.arange(n)[:, None] + offsets[None, :]) % n
    rewire = rs.uniform(size=cols.shape) < rewiring
    cols[rewire] = rs.randint(0, n, size=int(rewire.sum()))
    # redraw self loops and duplicates within a row until none are left
    for _ in range(100):
        idx = np.argsort(cols, axis=1, kind="stable")
        ordered = np.take_along_axis(cols, idx, axis=1)
        repeat = np.zeros(cols.shape, dtype=bool)
        repeat[:, 1:] = ordered[:, 1:] == ordered[:, :-1]
        bad = np.zeros(cols.shape, dtype=bool)
        np.put_along_axis(bad, idx, repeat, axis=1)
        bad |= cols == np.arange(n)[:, None]
        if not bad.any():
            break
        cols[bad] = rs.randint(0, n, size=int(bad.sum()))
    rows = np.repeat(np.arange(n), k)
    return sp.csr_matrix((_draw(rs, n * k, distribution), (rows, cols.ravel())), shape=(n, n))


def _cycle_topology(n, spectral_radius):
    """Simple cycle reservoir (Rodan & Tiňo, 2011): ``h_i`` feeds ``h_{i+1}``, all weights equal.

    The eigenvalues of a cycle with equal weights ``r`` are ``r`` times the n-th roots
    of unity, so its spectral radius is exactly ``|r|``.
    """
    rows = (np.arange(n) + 1) % n
    return sp.csr_matrix((np.full(n, float(spectral_radius)), (rows, np.arange(n))), shape=(n, n))


def _dense_spectral_radius(W):
    """Spectral radius from all the eigenvalues (dense solver).

    Parameters
    ----------
    W : sparse matrix or ndarray of shape (n, n), n >= 1

    Returns
    -------
    rho : float
    """
    dense = W.toarray() if sp.issparse(W) else np.asarray(W)
    return float(np.abs(np.linalg.eigvals(dense)).max())


#: ARPACK's relative tolerance for the spectral radius (see :func:`spectral_radius`)
ARPACK_TOL = 1e-3


def spectral_radius(W):
    r"""Spectral radius :math:`\rho(W) = \max_i |\lambda_i(W)|` of a square matrix.

    Small matrices (at most 400 rows) use the dense eigenvalue solver.  Larger ones use
    ARPACK (``scipy.sparse.linalg.eigs``) for the 6 eigenvalues of largest magnitude
    with a 64-vector Krylov space: asking for a single eigenvalue with ARPACK's default
    subspace often converges to a *wrong* one for random reservoirs, whose eigenvalues
    crowd the rim of a disk (circular law).  ARPACK's relative tolerance on the Ritz
    values is :data:`ARPACK_TOL` (1e-3): the radius then comes out within a relative
    3e-6 of the exact one on the reservoirs measured (1000 units at density 0.1 and
    5000 at 0.01, three seeds each; tests hold it to 1e-4), in 0.3–0.5 of the time of a
    1e-8 tolerance — a scaling error far below anything an echo state network's
    behaviour depends on.
    The start vector is fixed (all ones), so the result is deterministic and no random
    number is consumed.

    Non-convergence is handled without redrawing the matrix (which would silently
    change the random stream): ARPACK is retried with a wider subspace and more
    iterations, then matrices up to 3000 rows fall back to the dense solver; beyond
    that the largest converged eigenvalue is used with a ``ConvergenceWarning``.

    Parameters
    ----------
    W : sparse matrix or ndarray of shape (n, n)

    Returns
    -------
    rho : float

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.reservoir._weights import spectral_radius
    >>> spectral_radius(np.array([[0.0, 2.0], [0.5, 0.0]]))
    1.0
    """
    n = W.shape[0]
    if n <= _DENSE_EIG_MAX or (sp.issparse(W) and W.nnz == 0):
        return _dense_spectral_radius(W) if n else 0.0
    W = W.astype(np.float64)
    v0 = np.ones(n)
    best = 0.0
    for ncv, maxiter in ((64, 20 * n), (128, 100 * n)):
        try:
            vals = eigs(W, k=6, which="LM", ncv=min(ncv, n - 1), v0=v0, tol=ARPACK_TOL,
                        maxiter=maxiter, return_eigenvectors=False)
            return float(np.abs(vals).max())
        except ArpackNoConvergence as exc:
            if len(exc.eigenvalues):
                best = max(best, float(np.abs(exc.eigenvalues).max()))
        except ArpackError:  # pragma: no cover - ARPACK internal failure
            pass
    if n <= 3000:
        return _dense_spectral_radius(W)
    warnings.warn(  # pragma: no cover - not seen on random reservoirs
        f"ARPACK did not converge on the spectral radius of the {n}-unit reservoir; "
        f"using the largest converged eigenvalue magnitude {best:.6g}.",
        ConvergenceWarning,
        stacklevel=2,
    )
    return best  # pragma: no cover


_spectral_radius = spectral_radius


def _unscaled_recurrent(n_reservoir, density, topology, rewiring, distribution, rs):
    """The drawn recurrent matrix before scaling, and its spectral radius."""
    if topology == "small_world":
        W = _small_world_topology(n_reservoir, density, rewiring, distribution, rs)
    else:
        W = _random_topology(n_reservoir, density, distribution, rs)
    W.sum_duplicates()
    W.sort_indices()
    return W, _spectral_radius(W)


# ----------------------------------------------------------------------------------
# per-process cache of the unscaled recurrent matrix
# ----------------------------------------------------------------------------------
#: Most matrices kept, and most bytes (data + indices) kept, by the cache.
CACHE_MAX_ENTRIES = 16
CACHE_MAX_BYTES = 256 * 2**20


class _RecurrentCache:
    """A small LRU of unscaled recurrent matrices, keyed by everything they depend on.

    Value: the drawn matrix (read-only arrays), its spectral radius, and the state of
    the generator right after the draw, so that a hit leaves the caller's generator
    exactly where a fresh draw would have (the input weights drawn next are the
    same).  Bounded by :data:`CACHE_MAX_ENTRIES` and :data:`CACHE_MAX_BYTES`; guarded
    by a lock (searches may fit in threads).
    """

    def __init__(self):
        self._entries = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def _nbytes(W):
        return W.data.nbytes + W.indices.nbytes + W.indptr.nbytes

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key, W, rho, rng_state):
        if self._nbytes(W) > CACHE_MAX_BYTES:
            return
        for a in (W.data, W.indices, W.indptr):
            a.flags.writeable = False
        with self._lock:
            self._entries[key] = (W, rho, rng_state)
            self._entries.move_to_end(key)
            while (len(self._entries) > CACHE_MAX_ENTRIES
                   or sum(self._nbytes(e[0]) for e in self._entries.values()) > CACHE_MAX_BYTES):
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def info(self):
        with self._lock:
            return {"entries": len(self._entries), "hits": self.hits, "misses": self.misses,
                    "bytes": sum(self._nbytes(e[0]) for e in self._entries.values())}


_CACHE = _RecurrentCache()


def clear_weights_cache():
    """Empty the per-process cache of recurrent matrices (see :func:`init_weights`)."""
    _CACHE.clear()


def weights_cache_info():
    """Entries, hits, misses and bytes of the per-process cache of recurrent matrices.

    Examples
    --------
    >>> from sktemporal.reservoir._weights import weights_cache_info
    >>> sorted(weights_cache_info())
    ['bytes', 'entries', 'hits', 'misses']
    """
    return _CACHE.info()


def _seed_key(random_state):
    """The integer seed of ``random_state``, or None when the draw must not be cached."""
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state)
    return None


def recurrent_matrix(n_reservoir, *, spectral_radius=0.97, density=0.3, topology="random",
                     rewiring=0.1, distribution="uniform", random_state=None, cache_seed=None):
    r"""Sparse recurrent weights ``W`` (CSR) scaled to an exact spectral radius.

    The non-zero pattern comes from ``topology``; the non-zero values are drawn from
    ``distribution`` and the matrix is rescaled by ``spectral_radius / rho(W)``, with
    :math:`\rho` from :func:`spectral_radius`.

    Parameters
    ----------
    n_reservoir : int
    spectral_radius : float, default=0.97
    density : float, default=0.3
        Fraction of non-zero weights (``'random'``), or ``density * n_reservoir``
        incoming edges per unit (``'small_world'``).  Ignored by ``'cycle'``.
    topology : {'random', 'small_world', 'cycle'}, default='random'
        Erdős–Rényi random graph with exactly ``round(density * N**2)`` edges;
        Watts–Strogatz ring lattice with a fraction ``rewiring`` of rewired edges;
        simple cycle reservoir (all weights equal to ``spectral_radius``).
    rewiring : float, default=0.1
        Rewiring probability of ``'small_world'``.
    distribution : {'uniform', 'normal'}, default='uniform'
        Non-zero values: :math:`\mathcal{U}[-1, 1]` or :math:`\mathcal{N}(0, 1)`.
    random_state : RandomState
        The generator (already checked).
    cache_seed : int or None, default=None
        The integer seed ``random_state`` was created from, when it is fresh (nothing
        drawn from it yet).  Then the unscaled matrix and its spectral radius are taken
        from (or put into) a small per-process LRU cache: a grid search over
        ``spectral_radius``, ``leak_rate`` or the scalings draws and diagonalises each
        reservoir once.  On a hit the generator is moved to the state a fresh draw
        leaves it in, so results never depend on the cache.  None: no caching.

    Returns
    -------
    W : scipy.sparse.csr_matrix of shape (n_reservoir, n_reservoir), float64
        A new matrix the caller owns (never the cached arrays).
    rho : float
        Spectral radius of the drawn matrix before rescaling.
    """
    rs = random_state
    if topology == "cycle":
        return _cycle_topology(n_reservoir, spectral_radius), float(spectral_radius)
    key = None
    if cache_seed is not None:
        key = (int(n_reservoir), float(density), topology,
               float(rewiring) if topology == "small_world" else None, distribution, int(cache_seed))
    entry = _CACHE.get(key) if key is not None else None
    if entry is not None:
        W0, rho, rng_state = entry
        rs.set_state(rng_state)
    else:
        W0, rho = _unscaled_recurrent(n_reservoir, density, topology, rewiring, distribution, rs)
    if rho <= 1e-12 * max(1.0, abs(W0.data).max(initial=0.0)):
        raise ValueError(
            f"The drawn {n_reservoir}-unit reservoir (density={density}, topology="
            f"{topology!r}) has spectral radius 0 (it has no cycle), so it cannot be "
            f"scaled to spectral_radius={spectral_radius}. Increase density or "
            "n_reservoir, or use another random_state."
        )
    if key is not None and entry is None:
        _CACHE.put(key, W0.copy(), rho, rs.get_state())
    W = sp.csr_matrix((W0.data * (spectral_radius / rho), W0.indices.copy(), W0.indptr.copy()),
                      shape=W0.shape)
    W.has_sorted_indices = True
    return W, rho


def input_matrix(n_reservoir, n_inputs, *, input_scaling=1.0, bias_scaling=1.0,
                 distribution="uniform", random_state=None):
    r"""Dense input weights ``W_in`` of shape ``(n_reservoir, 1 + n_inputs)``, bias column first.

    Column 0 multiplies the constant 1 and is scaled by ``bias_scaling``; column
    ``j + 1`` multiplies feature ``j`` and is scaled by ``input_scaling`` (a number, or
    one number per feature).
    """
    W_in = _draw(random_state, (n_reservoir, 1 + n_inputs), distribution)
    W_in[:, 0] *= bias_scaling
    W_in[:, 1:] *= np.asarray(input_scaling, dtype=np.float64)
    return W_in


def feedback_matrix(n_reservoir, n_outputs, *, feedback_scaling=1.0, distribution="uniform",
                    random_state=None):
    """Dense output-feedback weights ``W_fb`` of shape ``(n_reservoir, n_outputs)``."""
    return feedback_scaling * _draw(random_state, (n_reservoir, n_outputs), distribution)


@dataclass
class ReservoirWeights:
    """The fixed (untrained) weights of a reservoir.

    Attributes
    ----------
    W : csr_matrix of shape (N, N)
        Recurrent weights, scaled to the requested spectral radius.
    W_in : ndarray of shape (N, 1 + n_features)
        Input weights, bias column first.
    W_fb : ndarray of shape (N, n_outputs) or None
        Output-feedback weights.
    """

    W: sp.csr_matrix
    W_in: np.ndarray
    W_fb: np.ndarray | None


def init_weights(params, n_features, n_outputs, random_state):
    """Draw all weights of an estimator from ``random_state`` in a fixed order.

    Order: ``W`` first (so the reservoir does not depend on the number of features),
    then ``W_in``, then ``W_fb`` (only when ``params['feedback']``).

    With an integer ``random_state`` the unscaled ``W`` and its spectral radius come
    from the per-process cache of :func:`recurrent_matrix` (keyed by ``n_reservoir``,
    ``density``, ``topology``, ``rewiring``, ``distribution`` and the seed); with None
    or a ``RandomState`` instance they are always drawn.

    Parameters
    ----------
    params : dict
        The estimator's ``get_params()``.
    n_features, n_outputs : int
    random_state : int, RandomState or None
        The estimator's ``random_state`` parameter.

    Returns
    -------
    weights : ReservoirWeights
    rs : RandomState
        The generator, after the draws (the estimator seeds its noise from it).
    """
    seed = _seed_key(random_state)
    rs = check_random_state(random_state)
    N = params["n_reservoir"]
    dist = params["distribution"]
    W, _ = recurrent_matrix(
        N, spectral_radius=params["spectral_radius"], density=params["density"],
        topology=params["topology"], rewiring=params["rewiring"], distribution=dist,
        random_state=rs, cache_seed=seed,
    )
    W_in = input_matrix(
        N, n_features, input_scaling=params["input_scaling"],
        bias_scaling=params["bias_scaling"], distribution=dist, random_state=rs,
    )
    W_fb = None
    if params.get("feedback", False):
        W_fb = feedback_matrix(N, n_outputs, feedback_scaling=params["feedback_scaling"],
                               distribution=dist, random_state=rs)
    return ReservoirWeights(W, W_in, W_fb), rs
