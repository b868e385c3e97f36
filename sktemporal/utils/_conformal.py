r"""The split-conformal quantile shared by every interval of the package.

With :math:`m` conformity scores sorted ascending, the interval of coverage :math:`c` uses
the :math:`k`-th smallest, :math:`k = \lceil (m + 1)\, c \rceil`; for exchangeable scores
it covers a new value with probability at least :math:`c`.  When :math:`k > m` there are
too few scores for that guarantee.
"""

import math

import numpy as np

__all__ = ["conformal_rank", "conformal_quantile"]


def conformal_rank(n_scores, coverage):
    r"""The rank :math:`k = \lceil (m + 1) c \rceil` (1-based; may exceed ``n_scores``)."""
    return math.ceil((n_scores + 1) * coverage - 1e-9)


def conformal_quantile(sorted_scores, coverage):
    """The conformal quantile (along axis 0) of ascending scores, or inf when there are too few.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.utils._conformal import conformal_quantile
    >>> float(conformal_quantile(np.arange(1.0, 10.0), 0.8))   # k = ceil(10 * 0.8) = 8
    8.0
    >>> float(conformal_quantile(np.arange(1.0, 4.0), 0.8))    # k = 4 > 3 scores
    inf
    """
    scores = np.asarray(sorted_scores, dtype=float)
    k = conformal_rank(scores.shape[0], coverage)
    if k > scores.shape[0]:
        return np.full(scores.shape[1:], np.inf) if scores.ndim > 1 else np.inf
    return scores[k - 1]
