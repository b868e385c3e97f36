"""Validation of the series a forecaster is given, and pandas in → pandas out.

A series is 1-D (one output) or 2-D (one column per output), numpy or pandas, numeric
and finite.  Its index (pandas only) is continued past its end for the forecasts: a
``RangeIndex`` (or evenly spaced integers) by its step, a ``PeriodIndex`` by one period, a
``DatetimeIndex`` by its ``freq`` (or the frequency pandas infers from it, or else its
last step).
"""

import numpy as np

from ..utils._sequences import _as_float as as_float

__all__ = ["check_series", "check_exogenous", "SeriesLayout"]


def _as_float(values, name):
    return as_float(np.asarray(values), name, allow_float32=False)


def _check_finite(arr, name):
    bad = ~np.isfinite(arr)
    if bad.any():
        rows = np.flatnonzero(bad.reshape(len(arr), -1).any(axis=1))
        what = "NaN" if np.isnan(arr).any() else "infinite values"
        raise ValueError(
            f"{name} contains {what} at {rows.size} time step(s) (first at position "
            f"{rows[0]}); a forecaster needs every observed value. Fill or drop them first "
            "(e.g. pandas' interpolate)."
        )


class SeriesLayout:
    """What ``predict`` needs to type its output like the fitted ``y``: columns, name, index.

    The index is kept as plain values (its kind, last label, step or frequency), so a
    fitted forecaster pickles and saves with ``skops.io`` without pandas objects.
    """

    def __init__(self, y):
        self.is_pandas = hasattr(y, "index") and hasattr(y, "iloc")
        self.frame = hasattr(y, "columns")
        self.ndim = 2 if self.frame else np.ndim(y)
        self.name = getattr(y, "name", None) if not self.frame else None
        self.columns = list(y.columns) if self.frame else None
        self.index = _describe_index(y.index) if self.is_pandas else None

    def extend(self, y_new):
        """This layout after ``update`` appended ``y_new`` (a new layout)."""
        new = SeriesLayout.__new__(SeriesLayout)
        new.__dict__.update(self.__dict__)
        if self.is_pandas:
            if hasattr(y_new, "index") and len(y_new.index):
                new.index = _describe_index(y_new.index, self.index)
            else:
                new.index = _advance(self.index, len(y_new))
        return new

    def wrap(self, values):
        """``values`` (n_steps, n_outputs) typed like the fitted ``y``, indexed past its end."""
        out = values[:, 0] if self.ndim == 1 else values
        if not self.is_pandas:
            return out
        import pandas as pd

        index = future_index(self.index, len(values))
        if self.frame:
            return pd.DataFrame(out, index=index, columns=self.columns)
        return pd.Series(out, index=index, name=self.name)


def _describe_index(index, previous=None):
    """``{kind, last, step, freq, name}`` of a pandas index (``previous``: for one label)."""
    import pandas as pd

    name = index.name
    if isinstance(index, pd.PeriodIndex):
        return {"kind": "period", "last": str(index[-1]), "freq": index.freqstr, "name": name}
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freqstr or (pd.infer_freq(index) if len(index) >= 3 else None)
        if freq is None and previous is not None and previous["kind"] == "datetime":
            freq = previous["freq"]
        step = (int((index[-1] - index[-2]).value) if len(index) >= 2
                else (previous or {}).get("step", 86_400 * 10**9))
        return {"kind": "datetime", "last": index[-1].isoformat(), "freq": freq, "step": step,
                "tz": None if index.tz is None else str(index.tz), "name": name}
    if pd.api.types.is_integer_dtype(index):
        step = (int(index[-1] - index[-2]) if len(index) >= 2
                else (previous or {}).get("step", 1))
        kind = "range" if isinstance(index, pd.RangeIndex) else "integer"
        return {"kind": kind, "last": int(index[-1]), "step": step or 1, "name": name}
    raise TypeError(
        "A forecaster continues the index of y past its end, which needs a RangeIndex, an "
        f"integer index, a DatetimeIndex or a PeriodIndex; got {type(index).__name__}. Pass a "
        "numpy array, or reset the index."
    )


def _advance(desc, n_steps):
    """The description of the index once ``n_steps`` unlabelled steps are appended."""

    return _describe_index(future_index(desc, n_steps), desc) if n_steps else desc


def future_index(desc, n_steps):
    """The ``n_steps`` pandas index labels that follow the described index."""
    import pandas as pd

    name = desc["name"]
    if desc["kind"] == "period":
        return pd.period_range(pd.Period(desc["last"], freq=desc["freq"]) + 1, periods=n_steps,
                               freq=desc["freq"], name=name)
    if desc["kind"] == "datetime":
        last = pd.Timestamp(desc["last"])
        if desc["freq"] is not None:
            return pd.date_range(last, periods=n_steps + 1, freq=desc["freq"], name=name)[1:]
        step = pd.Timedelta(desc["step"], "ns")
        return pd.DatetimeIndex([last + step * (k + 1) for k in range(n_steps)], name=name)
    start, step = desc["last"] + desc["step"], desc["step"]
    if desc["kind"] == "range":
        return pd.RangeIndex(start, start + step * n_steps, step, name=name)
    return pd.Index([start + step * k for k in range(n_steps)], name=name)


def check_series(y, name="y", min_length=1):
    """``y`` as a float array of shape (n_timesteps, n_outputs), validated."""
    if y is None:
        raise ValueError(f"{name} is required: the series to forecast (1-D, or 2-D with one column per output).")
    arr = _as_float(y, name)
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be one series: 1-D of shape (n_timesteps,) or 2-D of shape "
            f"(n_timesteps, n_outputs); got an array of shape {arr.shape}."
        )
    arr = arr.reshape(len(arr), -1)
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has no columns (shape {arr.shape}).")
    if len(arr) < min_length:
        raise ValueError(
            f"{name} has {len(arr)} time step(s); a forecaster needs at least {min_length} "
            "observed values to fit."
        )
    _check_finite(arr, name)
    return arr


def check_exogenous(X, n_rows, name="X", n_features=None, *, future=False):
    """``X`` as a float array of shape (n_rows or more, n_features), validated."""
    arr = _as_float(X, name)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_timesteps, n_features); got shape {arr.shape}.")
    if future and len(arr) < n_rows:
        raise ValueError(
            f"{name} has {len(arr)} row(s) but the forecast of {n_rows} step(s) needs the "
            f"exogenous values of every forecast step: pass {n_rows} future rows."
        )
    if not future and len(arr) != n_rows:
        raise ValueError(f"{name} must have one row per time step of y ({n_rows}); got {len(arr)}.")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(f"{name} has {arr.shape[1]} feature(s); the forecaster was fitted with {n_features}.")
    _check_finite(arr, name)
    return arr[:n_rows] if future else arr
