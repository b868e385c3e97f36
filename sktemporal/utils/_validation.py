"""Small checks shared by the package: type predicates and the input feature names.

(Hyperparameters are checked by :mod:`._param_validation`.)
"""

import numbers

import numpy as np

__all__ = ["check_feature_names_in", "is_int", "take_rows"]


def is_int(value):
    """Whether ``value`` is an integer (Python or numpy), excluding ``bool``.

    Parameters
    ----------
    value : object

    Returns
    -------
    result : bool
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_feature_names_in(estimator, input_features=None):
    """The input feature names of a fitted estimator, for ``get_feature_names_out``.

    scikit-learn's rule (its helper is private): ``input_features`` must equal
    ``feature_names_in_`` when the estimator has them and have ``n_features_in_`` items;
    without ``input_features`` the names are ``feature_names_in_``, else ``x0, x1, ...``.

    Parameters
    ----------
    estimator : estimator
        Fitted: it has ``n_features_in_`` (and ``feature_names_in_`` if fitted on named
        columns).
    input_features : array-like of str or None, default=None
        The names the caller gives.

    Returns
    -------
    names : ndarray of object
        One name per input feature.

    Raises
    ------
    ValueError
        When ``input_features`` differs from ``feature_names_in_`` or has the wrong length,
        or the estimator has no ``n_features_in_`` to name the features from.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from sktemporal.utils._validation import check_feature_names_in
    >>> check_feature_names_in(SimpleNamespace(n_features_in_=2))
    array(['x0', 'x1'], dtype=object)
    """
    names_in = getattr(estimator, "feature_names_in_", None)
    n_features = getattr(estimator, "n_features_in_", None)
    if input_features is not None:
        input_features = np.asarray(input_features, dtype=object)
        if names_in is not None and not np.array_equal(names_in, input_features):
            raise ValueError("input_features is not equal to feature_names_in_")
        if n_features is not None and len(input_features) != n_features:
            raise ValueError(f"input_features should have length equal to number of features ({n_features}), "
                             f"got {len(input_features)}")
        return input_features
    if names_in is not None:
        return names_in
    if n_features is None:
        raise ValueError("Unable to generate feature names without n_features_in_")
    return np.asarray([f"x{i}" for i in range(n_features)], dtype=object)


def take_rows(X, indices):
    """The rows (sequences, or steps of a series) ``indices`` of ``X``, in ``X``'s own type.

    A pandas object by position (``iloc``), an array along its first axis, a list item by
    item: what a cross-validation fold needs (scikit-learn's helper for it is private).

    Parameters
    ----------
    X : array-like, pandas DataFrame or Series, or list
        The data.
    indices : array-like of int
        Row positions, as a splitter's ``split`` yields them.

    Returns
    -------
    rows : same kind as ``X``

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.utils._validation import take_rows
    >>> take_rows([np.zeros((2, 1)), np.ones((3, 1))], np.array([1]))[0].shape
    (3, 1)
    >>> take_rows(np.arange(5), [4, 0])
    array([4, 0])
    """
    indices = np.asarray(indices)
    if hasattr(X, "iloc"):
        return X.iloc[indices]
    if hasattr(X, "shape"):
        return X[indices]
    return [X[int(i)] for i in indices]
