"""One flat parameter buffer with named views.

Every trainable array of a network is a view into one contiguous float vector, so that
L-BFGS, Adam and gradient-norm clipping each act on a single vector and the gradient
buffer has exactly the same layout.
"""

import numpy as np

__all__ = ["ParameterLayout"]


class ParameterLayout:
    """Where each named array lives inside the flat parameter vector.

    Parameters
    ----------
    shapes : list of (str, tuple)
        Names and shapes, in storage order.

    Examples
    --------
    >>> from sktemporal.neural_network._params import ParameterLayout
    >>> layout = ParameterLayout([("W", (2, 3)), ("b", (3,))])
    >>> theta = layout.zeros()
    >>> views = layout.views(theta)
    >>> views["b"][:] = 1.0
    >>> theta
    array([0., 0., 0., 0., 0., 0., 1., 1., 1.])
    """

    def __init__(self, shapes):
        self.shapes = dict(shapes)
        if len(self.shapes) != len(shapes):
            raise ValueError("parameter names must be unique")
        self.slices = {}
        start = 0
        for name, shape in shapes:
            size = int(np.prod(shape))
            self.slices[name] = slice(start, start + size)
            start += size
        self.size = start

    def zeros(self, dtype=np.float64):
        return np.zeros(self.size, dtype=dtype)

    def views(self, flat):
        """Dict name -> array view of ``flat`` (no copies)."""
        return {
            name: flat[sl].reshape(self.shapes[name]) for name, sl in self.slices.items()
        }

    def weight_mask(self):
        """Boolean vector, True on entries penalised by L2 (weights, not biases)."""
        mask = np.zeros(self.size, dtype=bool)
        for name, sl in self.slices.items():
            if len(self.shapes[name]) > 1:
                mask[sl] = True
        return mask
