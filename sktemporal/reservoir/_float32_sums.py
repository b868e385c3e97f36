r"""The ridge readout's sums over float32 rows: float32 blocks added in float64, where that is safe.

The sums of :class:`~._readout.RidgeReadout` are float64 accumulators and its solves run
in float64.  Float32 states (float32 data) may have their products :math:`H^\top H`,
:math:`H^\top Y`, :math:`H^\top 1` computed in float32 (about half the time of float64
BLAS) over blocks of at most :data:`FLOAT32_BLOCK` rows, each block's result added into
the float64 sums.  Rounding a float32 product perturbs the Gram matrix by about
:math:`\epsilon_{32} \operatorname{tr}(G)` (:math:`\epsilon_{32} \approx 1.2 \cdot
10^{-7}`), an indefinite error that a smaller ridge penalty cannot absorb: measured on
Mackey-Glass and NARMA10 (300 to 5000 units), the test NRMSE grew 2.5-64 fold at
:math:`\alpha \le 10^{-4}` (below :math:`0.03\, \epsilon_{32} \operatorname{tr}(G)`)
and was unchanged (ratio 1.000 +- 0.001) from :math:`0.3\, \epsilon_{32}
\operatorname{tr}(G)` on.  So a chunk of float32 rows :math:`Z_c` is summed in float32
only when

.. math::

    \epsilon_{32} \lVert Z_c \rVert_F^2 \, n / n_c \le \alpha

(:math:`n`: the rows the sums will hold, :math:`n_c` the chunk's; summed over the chunks
the float32 error stays below :math:`\alpha` however the rows are chunked, merged or
folded), and in float64 otherwise.  At the small penalties that fit clean series best
(Mackey-Glass: 1e-8) that is float64.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FLOAT32_BLOCK", "float32_suffices"]

# Rows per float32 product block.  Measured on Mackey-Glass states (5000 units, 7900
# rows; docs/development.rst): the Gram matrix's relative error grew only from 4e-8
# (256 rows) to 1e-7 (8000 rows), while each block costs one N x N float64 addition
# (8 % of a 2048-row block's product at 5000 units).
FLOAT32_BLOCK = 2048
_EPS32 = float(np.finfo(np.float32).eps)


def float32_suffices(readout, parts):
    r"""Whether float32 products of the rows ``parts`` keep ``readout``'s error below its penalty.

    :math:`\epsilon_{32} \lVert Z_c \rVert_F^2\, n / n_c \le \alpha` (see the module), with
    :math:`\alpha` the readout's ``float32_alpha`` (else ``alpha``) and :math:`n` its
    ``float32_rows`` (at least the rows held after this chunk).  Non-finite or
    float32-overflowing rows fail the test and go to float64.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.reservoir._readout import RidgeReadout
    >>> rows = [np.full((100, 10), 0.5, dtype=np.float32)]
    >>> float32_suffices(RidgeReadout(10, 1, alpha=1.0), rows)
    True
    >>> float32_suffices(RidgeReadout(10, 1, alpha=1e-8), rows)
    False
    """
    alpha = readout.alpha if readout.float32_alpha is None else readout.float32_alpha
    n_chunk = parts[0].shape[0]
    n = max(readout.float32_rows or 0, readout.n + n_chunk)
    squares = sum(float(p.reshape(-1) @ p.reshape(-1)) for p in parts)
    return _EPS32 * squares * n <= alpha * n_chunk
