"""Real data sets shipped inside the package: GunPoint (classification) and the airline series.

The files live in ``sktemporal/datasets/data/`` beside a note on each data set's source,
citation and terms (``GunPoint.rst``, ``airline.rst``); that note is also the ``DESCR``
of the returned :class:`~sklearn.utils.Bunch`.  They are read through
:mod:`importlib.resources`, so loading works from any installation (a wheel, a zip), with
nothing to download and no extra dependency.
"""

import gzip
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

from ..utils._param_validation import InvalidParameterError, check_params

__all__ = ["load_airline", "load_gunpoint"]

_SPLITS = ("train", "test", "all")


def _data_file(name):
    """The packaged data file ``name`` (a :mod:`importlib.resources` traversable)."""
    return resources.files(__package__).joinpath("data", name)


def _read_text(name):
    """The text of a packaged file, decompressed when its name ends in ``.gz``."""
    raw = _data_file(name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return raw.decode("utf-8")


def _read_ts(text, source):
    """Parse an equal-length, labelled ``.ts`` file (the UEA/UCR archive's text format).

    The header holds ``#`` comment lines and ``@key value`` lines up to ``@data``; after it
    each line is one case, its channels separated by ``:`` and its class label last, the
    values of a channel separated by ``,``.  Values are parsed from their decimal text, so
    they are the float64 numbers any other reader of the same file gets.

    Returns
    -------
    X : ndarray of shape (n_cases, series_length, n_channels)
        Batch-first, as the package's collections are.
    y : ndarray of shape (n_cases,), dtype str
        The labels as written in the file.
    classes : list of str
        The labels the header declares, in its order.
    """
    lines = iter(text.splitlines())
    header = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower() == "@data":
            break
        key, _, value = line[1:].partition(" ")
        header[key.lower()] = value.strip()
    expected = {"timestamps": "false", "missing": "false", "equallength": "true"}
    for key, value in expected.items():
        if header.get(key, "").lower() != value:
            raise ValueError(f"{source}: only equal-length .ts files without time stamps or missing values "
                             f"are read here; the header has @{key} {header.get(key)!r}.")
    declared = header.get("classlabel", "").split()
    if not declared or declared[0].lower() != "true":
        raise ValueError(f"{source}: the header declares no class labels (@classLabel true ...).")
    cases, labels = [], []
    for line in lines:
        if line.strip():
            *channels, label = line.strip().split(":")
            cases.append([[float(v) for v in channel.split(",")] for channel in channels])
            labels.append(label)
    X = np.array(cases, dtype=np.float64)
    length = int(header["serieslength"])
    if X.ndim != 3 or X.shape[2] != length:
        raise ValueError(f"{source}: the cases are not all {length} steps long (@seriesLength).")
    unknown = sorted(set(labels) - set(declared[1:]))
    if unknown:
        raise ValueError(f"{source}: labels {unknown} are not among the declared classes {declared[1:]}.")
    return np.ascontiguousarray(X.transpose(0, 2, 1)), np.array(labels), declared[1:]


def load_gunpoint(split=None, *, return_X_y=True):
    """The GunPoint data set of the UCR archive: classify a hand motion from its trajectory.

    Two actors either draw a replica gun from a hip holster, point it at a target and put
    it back (*Gun-Draw*), or point at the target with the index finger (*Point*); each
    series is the horizontal coordinate of the right hand's centroid over 150 video frames,
    z-normalised.  Shipped inside the package (no download, no extra).  The split is the
    archive's default one, as sktime's ``load_gunpoint`` returns it, with the same values
    and labels; the layout is the package's batch-first ``(n_series, 150, 1)`` (sktime's
    ``numpy3D`` is ``(n_series, 1, 150)``).

    =========  ========  ================================
    split      series    per class (``'1'`` / ``'2'``)
    =========  ========  ================================
    ``train``  50        24 / 26
    ``test``   150       76 / 74
    ``all``    200       100 / 100 (train first, then test)
    =========  ========  ================================

    Parameters
    ----------
    split : {'train', 'test', 'all'} or None, default=None
        Which part to load, in any letter case (sktime writes ``'TRAIN'``).  ``None``, the
        default as in sktime, and ``'all'`` (the word of scikit-learn's ``fetch_*``
        loaders) load both parts in one collection: the 50 training series, then the 150
        test series.
    return_X_y : bool, default=True
        Return ``(X, y)``; otherwise a :class:`~sklearn.utils.Bunch` with ``data`` (``X``),
        ``target`` (``y``), ``target_names`` (``['1', '2']``), ``feature_names``
        (``['hand_x']``, the one channel) and ``DESCR`` (the data set's description,
        citation and terms).

    Returns
    -------
    X : ndarray of shape (n_series, 150, 1), dtype float64
        The series, rows of each are time steps.
    y : ndarray of shape (n_series,), dtype str
        The class labels ``'1'`` and ``'2'``, strings as in the archive's files (which do
        not say which label is which motion).

    References
    ----------
    .. [1] H. A. Dau, A. Bagnall, K. Kamgar, C.-C. M. Yeh, Y. Zhu, S. Gharghabi,
       C. A. Ratanamahatana and E. Keogh, "The UCR time series archive", IEEE/CAA
       Journal of Automatica Sinica 6(6), 1293–1305, 2019.
    .. [2] C. A. Ratanamahatana and E. Keogh, "Everything you know about dynamic time
       warping is wrong", Third Workshop on Mining Temporal and Sequential Data (KDD),
       2004.

    Examples
    --------
    >>> from sktemporal.datasets import load_gunpoint
    >>> X_train, y_train = load_gunpoint(split="train")
    >>> X_test, y_test = load_gunpoint(split="test")
    >>> X_train.shape, X_test.shape
    ((50, 150, 1), (150, 150, 1))
    >>> sorted(set(y_train.tolist()))
    ['1', '2']
    >>> print(load_gunpoint(return_X_y=False).DESCR.splitlines()[0])
    GunPoint (UCR Time Series Classification Archive)
    """
    key = split.lower() if isinstance(split, str) else split
    if key is not None and key not in _SPLITS:
        raise InvalidParameterError(
            "The 'split' parameter of load_gunpoint must be 'train', 'test' or 'all' (in any letter "
            f"case) or None. Got {split!r} instead."
        )
    check_params({"return_X_y": ["boolean"]}, "load_gunpoint", {"return_X_y": return_X_y})
    parts = ["train", "test"] if key in (None, "all") else [key]
    loaded = [_read_ts(_read_text(f"GunPoint_{part.upper()}.ts.gz"), f"GunPoint_{part.upper()}.ts")
              for part in parts]
    X = np.concatenate([part[0] for part in loaded])
    y = np.concatenate([part[1] for part in loaded])
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        target_names=np.array(loaded[0][2]),
        feature_names=np.array(["hand_x"]),
        DESCR=_read_text("GunPoint.rst"),
    )


def load_airline(*, as_frame=False, return_bunch=False):
    """The monthly international airline passengers, 1949–1960 (Box & Jenkins' Series G).

    144 monthly totals, in thousands of passengers, from January 1949 to December 1960:
    a rising trend and a yearly season (period 12) that grows with the level.  Shipped
    inside the package (no download, no extra), with the values of sktime's
    ``load_airline``.  The series is returned as the one-dimensional ``y`` that a
    forecaster fits; for the package's one-step-ahead regression pairs use
    ``X, y = series[:-1, None], series[1:]``.

    Parameters
    ----------
    as_frame : bool, default=False
        Return the series as a :class:`pandas.Series` with a monthly
        :class:`pandas.PeriodIndex` (``1949-01`` to ``1960-12``), the names sktime uses
        (index ``'Period'``, series ``'Number of airline passengers'``); needs pandas,
        which is imported only here.  Otherwise a numpy array.
    return_bunch : bool, default=False
        Return a :class:`~sklearn.utils.Bunch` with ``data`` (the series as above),
        ``time`` (the months, ``datetime64[M]``, with or without pandas) and ``DESCR`` (the
        data set's description, citation and terms) instead of the series alone.

    Returns
    -------
    y : ndarray of shape (144,), dtype float64, or pandas.Series
        The monthly totals, in thousands of passengers, in time order.

    References
    ----------
    .. [1] G. E. P. Box and G. M. Jenkins, *Time Series Analysis: Forecasting and
       Control*, revised edition, Holden-Day, 1976, Series G.

    Examples
    --------
    >>> from sktemporal.datasets import load_airline
    >>> y = load_airline()
    >>> y.shape, y[:3].tolist(), float(y.max())
    ((144,), [112.0, 118.0, 132.0], 622.0)
    >>> series = load_airline(return_bunch=True)
    >>> str(series.time[0]), str(series.time[-1])
    ('1949-01', '1960-12')
    """
    check_params({"as_frame": ["boolean"], "return_bunch": ["boolean"]}, "load_airline",
                 {"as_frame": as_frame, "return_bunch": return_bunch})
    rows = [line.split(",") for line in _read_text("airline.csv").splitlines()[1:] if line.strip()]
    time = np.array([month for month, _ in rows], dtype="datetime64[M]")
    y = np.array([float(count) for _, count in rows])
    if as_frame:
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError(
                "load_airline(as_frame=True) returns a pandas Series, but pandas is not installed: "
                "install pandas, or call load_airline() for a numpy array (return_bunch=True adds "
                "the months)."
            ) from exc
        index = pd.PeriodIndex(time, freq="M", name="Period")
        y = pd.Series(y, index=index, name="Number of airline passengers")
    if not return_bunch:
        return y
    return Bunch(data=y, time=time, DESCR=_read_text("airline.rst"))
