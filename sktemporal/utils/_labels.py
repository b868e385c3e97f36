"""Class labels: one check and one encoding shared by every classifier of the package.

numpy sorts and compares labels with ``<``, so labels that Python cannot order (strings
mixed with numbers, ``None``) otherwise end in a bare ``TypeError: '<' not supported``
deep inside ``np.unique``.  Everything here raises a ``ValueError``/``TypeError`` that
names the argument, what was seen and what is expected, before numpy is asked to sort.
"""

import numbers

import numpy as np

__all__ = ["check_classes", "check_labels", "check_partial_fit_classes", "encode_labels"]


def _kind_of_type(tp):
    if tp is type(None):
        return "None"
    if issubclass(tp, str):
        return "string"
    if issubclass(tp, bytes):
        return "bytes"
    if issubclass(tp, (numbers.Real, np.bool_)):  # bool and numpy integers included
        return "number"
    if issubclass(tp, numbers.Complex):
        return "complex"
    return tp.__name__


def _show(value):
    """``repr`` of a label without numpy's scalar wrapper (``'a'``, not ``np.str_('a')``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def check_labels(labels, name="y", locate=None):
    """Check that ``labels`` are usable class labels and say which kind they are.

    Labels must be all strings or all real numbers (bool and integers count as numbers),
    with no ``None`` and no NaN.

    Parameters
    ----------
    labels : array-like of shape (n,)
        Flat labels (the valid steps or sequences of a target).
    name : str, default='y'
        Argument name used in error messages.
    locate : callable or None, default=None
        Maps an index of ``labels`` to where it is in the user's data (e.g. ``"sequence 1,
        time step 2"``) for error messages; default ``"position <index>"``.

    Returns
    -------
    kind : {'string', 'number', 'bytes'}

    Raises
    ------
    TypeError
        Labels of mixed kinds, ``None`` or complex labels.
    ValueError
        NaN labels.

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.utils import check_labels
    >>> check_labels(["a", "b"]), check_labels([0, 1.0, True])
    ('string', 'number')
    >>> check_labels(np.array(["a", 1], dtype=object))
    Traceback (most recent call last):
    ...
    TypeError: y mixes labels of different types (number: 1, string: 'a'); class labels must be all strings or all numbers.
    """
    labels = np.asarray(labels)
    if locate is None:
        def locate(index):
            return f"position {index}"
    kind = labels.dtype.kind
    if kind in "US":
        return "string" if kind == "U" else "bytes"
    if kind in "biu":
        return "number"
    if kind == "f":
        if np.isnan(labels).any():
            position = int(np.flatnonzero(np.isnan(labels.ravel()))[0])
            raise ValueError(
                f"{name} contains NaN at {locate(position)}; class labels must be "
                "strings or numbers, not missing values."
            )
        return "number"
    if kind == "c":
        raise TypeError(
            f"{name} holds complex numbers (dtype {labels.dtype}); class labels must be "
            "strings or real numbers."
        )
    if kind != "O":
        raise TypeError(
            f"{name} has dtype {labels.dtype}; class labels must be strings or real numbers."
        )
    flat = labels.ravel()
    examples = {}
    for value in flat:  # one example per type: cheap, and enough to say what is wrong
        examples.setdefault(type(value), value)
    kinds = {}
    for tp, value in examples.items():
        kinds.setdefault(_kind_of_type(tp), value)
    if "None" in kinds:
        position = next(i for i, v in enumerate(flat) if v is None)
        raise TypeError(
            f"{name} contains None at {locate(position)}; class labels must be strings "
            "or numbers (drop or fill missing labels first)."
        )
    if len(kinds) > 1:
        seen = ", ".join(f"{k}: {_show(v)}" for k, v in sorted(kinds.items()))
        raise TypeError(
            f"{name} mixes labels of different types ({seen}); class labels must be all "
            "strings or all numbers."
        )
    if not kinds:
        return "number"
    (only,) = kinds
    if only not in ("string", "number", "bytes"):
        raise TypeError(
            f"{name} holds labels of type {only} (e.g. {_show(kinds[only])}); class labels must "
            "be strings or real numbers."
        )
    if only == "number" and np.isnan(flat.astype(np.float64)).any():
        position = int(np.flatnonzero(np.isnan(flat.astype(np.float64)))[0])
        raise ValueError(
            f"{name} contains NaN at {locate(position)}; class labels must be strings or "
            "numbers, not missing values."
        )
    return only


def check_classes(classes, labels=None, *, name="classes"):
    """The sorted classes of a classifier: from ``classes`` if given, else from ``labels``.

    Parameters
    ----------
    classes : array-like of shape (n_classes,) or None
        All the labels the classifier may see (``partial_fit``'s ``classes``).
    labels : array-like of shape (n,), default=None
        The training labels, used when ``classes`` is None.
    name : str, default='classes'
        Argument name of ``classes`` in error messages.

    Returns
    -------
    classes_ : ndarray of shape (n_classes,)
        Sorted unique labels, at least two.

    Examples
    --------
    >>> from sktemporal.utils import check_classes
    >>> check_classes(None, ["b", "a", "b"]).tolist()
    ['a', 'b']
    >>> check_classes([0])
    Traceback (most recent call last):
    ...
    ValueError: classes=[0] holds 1 class; a classifier needs at least 2 classes.
    """
    if classes is None:
        values, name = np.asarray(labels).ravel(), "y"
    else:
        values = np.asarray(classes)
        if values.ndim != 1:
            raise ValueError(
                f"{name} must be a 1-D list of labels; got {classes!r} (shape {values.shape})."
            )
    check_labels(values, name)
    classes_ = np.unique(values)
    if len(classes_) < 2:
        seen = f"y holds {len(classes_)} class ({classes_.tolist()})" if classes is None else (
            f"{name}={values.tolist()!r} holds {len(classes_)} class"
        )
        raise ValueError(f"{seen}; a classifier needs at least 2 classes.")
    return classes_


def check_partial_fit_classes(classes, classes_=None, name="classes"):
    """Check the ``classes`` argument of ``partial_fit`` against the fitted ``classes_``.

    Same rule and messages as scikit-learn's ``MLPClassifier.partial_fit``: ``classes`` is
    required on the first call (``classes_`` is None), and may be repeated on later calls,
    in any order, but never changed.

    Parameters
    ----------
    classes : array-like or None
        The ``classes`` argument of this call.
    classes_ : ndarray or None, default=None
        The classes the estimator was fitted with; None before the first fit.
    name : str, default='classes'

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.utils import check_partial_fit_classes
    >>> check_partial_fit_classes([1, 0], np.array([0, 1]))
    >>> check_partial_fit_classes([0, 1, 2], np.array([0, 1]))
    Traceback (most recent call last):
    ...
    ValueError: `classes=[0, 1, 2]` is not the same as on last call to partial_fit, was: [0, 1].
    """
    if classes_ is None:
        if classes is None:
            raise ValueError(f"{name} must be passed on the first call to partial_fit.")
        check_classes(classes, name=name)
        return
    if classes is None:
        return
    new = check_classes(classes, name=name)
    if new.shape != classes_.shape or check_labels(new, name) != check_labels(classes_) or not np.all(
        new == classes_
    ):
        raise ValueError(
            f"`{name}={np.asarray(classes).tolist()!r}` is not the same as on last call to "
            f"partial_fit, was: {classes_.tolist()!r}."
        )


def encode_labels(labels, classes_, *, dtype=np.float64, binary_single_column=False, name="y"):
    """One-hot encode ``labels`` against the sorted ``classes_``.

    Parameters
    ----------
    labels : array-like of shape (n,)
    classes_ : ndarray of shape (n_classes,)
        Sorted classes (from :func:`check_classes`).
    dtype : numpy dtype, default=float64
    binary_single_column : bool, default=False
        With two classes, return one column (1 for ``classes_[1]``) instead of two.
    name : str, default='y'

    Returns
    -------
    onehot : ndarray of shape (n, n_classes) or (n, 1)

    Raises
    ------
    ValueError
        Labels that are not in ``classes_``, or of another kind (strings for numeric
        classes, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from sktemporal.utils import encode_labels
    >>> encode_labels(["b", "a"], np.array(["a", "b"])).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    labels = np.asarray(labels).ravel()
    kind, known = check_labels(labels, name), check_labels(classes_, "classes_")
    if kind != known:
        raise ValueError(
            f"{name} holds {kind} labels (e.g. {_show(labels[0])}) but the classifier's classes "
            f"are {known}s: {classes_.tolist()!r}."
        )
    codes = np.minimum(np.searchsorted(classes_, labels), len(classes_) - 1)
    unknown = classes_[codes] != labels
    if unknown.any():
        raise ValueError(
            f"{name} contains labels not seen in the first fit: "
            f"{np.unique(labels[unknown])[:5].tolist()}; known classes (classes_) are "
            f"{classes_.tolist()}."
        )
    K = len(classes_)
    if K == 2 and binary_single_column:
        return codes[:, None].astype(dtype)
    onehot = np.zeros((codes.size, K), dtype=dtype)
    onehot[np.arange(codes.size), codes] = 1
    return onehot
