"""The recurrent cells by name, and the import path of the cells before they had one module each.

The cells live in :mod:`._cell_elman` (Elman, Jordan), :mod:`._cell_lstm` and
:mod:`._cell_gru`, their shared kernels in :mod:`._kernels` and their plain reference
steps in :mod:`._reference`.  This module keeps the names that code and files written
by earlier versions import from here (``sktemporal.neural_network._cells.LSTMCell``
appears in saved models).
"""

from ._cell_elman import ElmanCell, JordanCell
from ._cell_gru import GRUCell
from ._cell_lstm import LSTMCell
from ._kernels import final_state, glorot_uniform, lengths_from_sizes, mlp_init_bound, orthogonal

__all__ = ["ElmanCell", "JordanCell", "LSTMCell", "GRUCell", "glorot_uniform", "orthogonal", "final_state",
           "lengths_from_sizes", "mlp_init_bound", "CELLS"]

#: The cell class of each ``cell`` name.
CELLS = {"elman": ElmanCell, "lstm": LSTMCell, "gru": GRUCell, "jordan": JordanCell}
