"""Sequence-collection tasks: adding problem, copy task, sequence classification.

Each returns a collection in the package's layout (:ref:`data_contract`): ``X`` 3-D
``(n_sequences, n_timesteps, n_features)`` or a list of 2-D ``(T_i, n_features)``
arrays, with one target per sequence (many-to-one) or one per step (many-to-many).
"""

import numpy as np
from sklearn.utils import check_random_state

from ._generators import _check_float, _check_int

__all__ = ["adding_problem", "copy_task", "make_sequence_classification"]


def adding_problem(n_sequences=1000, *, seq_length=50, random_state=None):
    r"""The adding problem: sum the two marked numbers of a long sequence.

    Each sequence has two channels: values :math:`v_t \sim \mathcal{U}[0, 1]` and a
    marker :math:`m_t \in \{0, 1\}` with exactly two ones, one at a uniformly drawn step
    of the first half and one in the second half (the version of Le, Jaitly & Hinton,
    2015, of the task of Hochreiter & Schmidhuber, 1997).  The target is

    .. math::

        y = \sum_t m_t v_t .

    Predicting the mean (1) gives a mean squared error of
    :math:`\operatorname{Var}(v_a + v_b) = 2/12 = 1/6 \approx 0.167`; a model that has
    learned the task goes well below it.

    Parameters
    ----------
    n_sequences : int, default=1000
        Number of sequences.
    seq_length : int, default=50
        Steps per sequence (at least 2); longer is harder.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_sequences, seq_length, 2)
        Channel 0: values, channel 1: markers.
    y : ndarray of shape (n_sequences,)
        Sum of the two marked values (many-to-one regression).

    References
    ----------
    .. [1] S. Hochreiter and J. Schmidhuber, "Long short-term memory", Neural
       Computation 9(8), 1735–1780, 1997.
    .. [2] Q. V. Le, N. Jaitly and G. E. Hinton, "A simple way to initialize recurrent
       networks of rectified linear units", arXiv:1504.00941, 2015.

    Examples
    --------
    >>> from sktemporal.datasets import adding_problem
    >>> X, y = adding_problem(4, seq_length=10, random_state=0)
    >>> X.shape, y.shape
    ((4, 10, 2), (4,))
    >>> X[:, :, 1].sum(axis=1).tolist()
    [2.0, 2.0, 2.0, 2.0]
    """
    n_sequences = _check_int(n_sequences, "n_sequences", min_val=1, caller="adding_problem")
    seq_length = _check_int(seq_length, "seq_length", min_val=2, caller="adding_problem")
    rng = check_random_state(random_state)
    values = rng.uniform(0.0, 1.0, size=(n_sequences, seq_length))
    half = seq_length // 2
    first = rng.randint(0, half, size=n_sequences)
    second = rng.randint(half, seq_length, size=n_sequences)
    markers = np.zeros((n_sequences, seq_length))
    rows = np.arange(n_sequences)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    X = np.stack([values, markers], axis=2)
    y = values[rows, first] + values[rows, second]
    return X, y


def copy_task(n_sequences=1000, *, seq_length=10, n_symbols=8, delay=20, random_state=None):
    r"""The copy-memory task: reproduce a symbol sequence after a long blank period.

    The task of Hochreiter & Schmidhuber (1997) in the form of Arjovsky, Shah & Bengio
    (2016).  Symbols are coded as integers: ``0`` is the blank, ``1 .. n_symbols`` are
    the data symbols and ``n_symbols + 1`` is the delimiter ("now recall").  Each
    sequence has :math:`L = 2S + D` steps, with :math:`S` = ``seq_length`` and
    :math:`D` = ``delay``:

    =================  ====================================  ====================================
    steps              input symbol                          target label
    =================  ====================================  ====================================
    ``0 .. S-1``       the data :math:`s_0, \dots, s_{S-1}`  blank ``0``
    ``S .. S+D-2``     blank ``0``                           blank ``0``
    ``S+D-1``          delimiter ``n_symbols + 1``           blank ``0``
    ``S+D .. 2S+D-1``  blank ``0``                           the data :math:`s_0, \dots, s_{S-1}`
    =================  ====================================  ====================================

    with :math:`s_i` uniform on ``1 .. n_symbols``, so the target at step ``t`` is the
    input ``S + D`` steps earlier.  The input is one-hot encoded over the
    ``n_symbols + 2`` codes; the targets are labels for a many-to-many classifier.  The
    memoryless baseline (blank, then a uniform guess) has a cross-entropy of
    :math:`S \log(\text{n\_symbols}) / L` per step.

    Parameters
    ----------
    n_sequences : int, default=1000
        Number of sequences.
    seq_length : int, default=10
        Number :math:`S` of symbols to copy.
    n_symbols : int, default=8
        Size of the data alphabet.
    delay : int, default=20
        Number :math:`D` of steps from the end of the data to the end of the delimiter
        (:math:`D - 1` blanks then the delimiter); larger is harder.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_sequences, 2 * seq_length + delay, n_symbols + 2)
        One-hot inputs; ``X.argmax(axis=2)`` gives the input codes.
    y : ndarray of shape (n_sequences, 2 * seq_length + delay), dtype int
        Per-step target labels in ``0 .. n_symbols``.

    References
    ----------
    .. [1] S. Hochreiter and J. Schmidhuber, "Long short-term memory", Neural
       Computation 9(8), 1735–1780, 1997.
    .. [2] M. Arjovsky, A. Shah and Y. Bengio, "Unitary evolution recurrent neural
       networks", ICML 2016.

    Examples
    --------
    >>> from sktemporal.datasets import copy_task
    >>> X, y = copy_task(2, seq_length=3, n_symbols=4, delay=2, random_state=0)
    >>> X.shape, y.shape
    ((2, 8, 6), (2, 8))
    >>> codes = X.argmax(axis=2)
    >>> bool((y[:, 5:] == codes[:, :3]).all()), codes[0, 4]
    (True, np.int64(5))
    """
    n_sequences = _check_int(n_sequences, "n_sequences", min_val=1, caller="copy_task")
    seq_length = _check_int(seq_length, "seq_length", min_val=1, caller="copy_task")
    n_symbols = _check_int(n_symbols, "n_symbols", min_val=1, caller="copy_task")
    delay = _check_int(delay, "delay", min_val=1, caller="copy_task")
    rng = check_random_state(random_state)
    length = 2 * seq_length + delay
    data = rng.randint(1, n_symbols + 1, size=(n_sequences, seq_length))
    codes = np.zeros((n_sequences, length), dtype=np.intp)
    codes[:, :seq_length] = data
    codes[:, seq_length + delay - 1] = n_symbols + 1
    X = np.eye(n_symbols + 2)[codes]
    y = np.zeros((n_sequences, length), dtype=np.int64)
    y[:, seq_length + delay :] = data
    return X, y


def make_sequence_classification(
    n_sequences=300,
    *,
    n_classes=3,
    n_features=1,
    min_length=20,
    max_length=60,
    noise=0.2,
    random_state=None,
    return_list=True,
):
    r"""Variable-length sequences whose class is their oscillation frequency.

    Class :math:`c \in \{0, \dots, C - 1\}` oscillates at the frequency (cycles per step)

    .. math::

        f_c = 0.05 + 0.25 \frac{c}{C - 1},

    jittered per sequence by up to :math:`\pm 0.2` of the spacing between classes.
    Feature :math:`j` of a sequence of class :math:`c` is

    .. math::

        x_j(t) = A_j \sin(2 \pi f t + \varphi_j) + \varepsilon_j(t),
        \quad A_j \sim \mathcal{U}[0.5, 1.5],\;
        \varphi_j \sim \mathcal{U}[0, 2\pi],\;
        \varepsilon_j(t) \sim \mathcal{N}(0, \text{noise}^2),

    with lengths drawn uniformly in ``[min_length, max_length]``.  Every class has the
    same amplitude distribution and zero mean, so the classes differ only in their
    temporal structure: the mean (or variance) of a sequence carries next to no
    information, while a recurrent model, or any feature of the dynamics such as the
    lag-1 autocorrelation :math:`\approx \cos 2\pi f_c`, separates them.  Classes are
    balanced (``n_sequences // n_classes`` each, the remainder spread over the first
    classes) and in random order.

    Parameters
    ----------
    n_sequences : int, default=300
        Number of sequences.
    n_classes : int, default=3
        Number of classes (at least 2).
    n_features : int, default=1
        Features per time step.
    min_length, max_length : int, default=20, 60
        Range of the sequence lengths (inclusive).
    noise : float, default=0.2
        Standard deviation of the additive Gaussian noise.
    random_state : int, RandomState instance or None, default=None
        Seed.
    return_list : bool, default=True
        Return ``X`` as a list of ``(T_i, n_features)`` arrays; otherwise as a 3-D array
        ``(n_sequences, max(T_i), n_features)`` padded with NaN at the end of shorter
        sequences.

    Returns
    -------
    X : list of ndarray of shape (T_i, n_features), or ndarray of shape (n_sequences, max(T_i), n_features)
        The sequences.
    y : ndarray of shape (n_sequences,), dtype int
        Class labels ``0 .. n_classes - 1``.

    Examples
    --------
    >>> from sktemporal.datasets import make_sequence_classification
    >>> X, y = make_sequence_classification(6, min_length=5, max_length=9, random_state=0)
    >>> len(X), X[0].ndim, X[0].shape[1], sorted(y.tolist())
    (6, 2, 1, [0, 0, 1, 1, 2, 2])
    >>> all(5 <= len(x) <= 9 for x in X)
    True
    """
    n_sequences = _check_int(n_sequences, "n_sequences", min_val=1, caller="make_sequence_classification")
    n_classes = _check_int(n_classes, "n_classes", min_val=2, caller="make_sequence_classification")
    n_features = _check_int(n_features, "n_features", min_val=1, caller="make_sequence_classification")
    min_length = _check_int(min_length, "min_length", min_val=1, caller="make_sequence_classification")
    max_length = _check_int(max_length, "max_length", min_val=1, caller="make_sequence_classification")
    if min_length > max_length:
        raise ValueError(
            f"min_length ({min_length}) must not exceed max_length ({max_length})."
        )
    noise = _check_float(noise, "noise", min_val=0, caller="make_sequence_classification")
    rng = check_random_state(random_state)

    y = rng.permutation(np.arange(n_sequences) % n_classes)
    lengths = rng.randint(min_length, max_length + 1, size=n_sequences)
    spacing = 0.25 / (n_classes - 1)
    freq = 0.05 + spacing * y + rng.uniform(-0.2, 0.2, size=n_sequences) * spacing
    amplitude = rng.uniform(0.5, 1.5, size=(n_sequences, 1, n_features))
    phase = rng.uniform(0.0, 2.0 * np.pi, size=(n_sequences, 1, n_features))
    width = int(lengths.max())
    t = np.arange(width)[None, :, None]
    X = amplitude * np.sin(2.0 * np.pi * freq[:, None, None] * t + phase)
    X += noise * rng.standard_normal(X.shape)
    if return_list:
        return [X[i, :length].copy() for i, length in enumerate(lengths)], y
    X[np.arange(width)[None, :] >= lengths[:, None]] = np.nan
    return X, y
