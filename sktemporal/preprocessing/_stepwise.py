"""Apply any scikit-learn transformer to every time step of a collection."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ..utils import check_sequences, validate_sequences
from ..utils._output import ContainerOutputMixin, check_container_output
from ..utils._param_validation import HasMethods, validate_params
from ..utils._persistence import VersionedStateMixin
from ..utils._validation import check_feature_names_in

__all__ = ["StepwiseTransformer"]


def _inner_has(method):
    """Expose ``method`` only when the (fitted or unfitted) inner transformer has it."""

    def check(self):
        getattr(getattr(self, "transformer_", self.transformer), method)
        return True

    return check


class StepwiseTransformer(VersionedStateMixin, ContainerOutputMixin, TransformerMixin, BaseEstimator):
    """Apply a scikit-learn transformer to every time step of a series or collection.

    The inner transformer is fitted on the valid time steps of all sequences stacked
    into one ``(n_valid_steps, n_features)`` table, and transforms every step the same
    way.  The output keeps the input's layout: one series stays 2-D, a 3-D collection
    stays 3-D (NaN on padded steps), a list stays a list.  This lets
    ``StandardScaler``, ``MinMaxScaler``, ``PCA``, ... scale collections inside a
    :class:`~sklearn.pipeline.Pipeline` ahead of a sequence model.

    Read more in the :ref:`User Guide <delay_memories>`.

    Parameters
    ----------
    transformer : transformer object
        An unfitted scikit-learn transformer (``fit`` and ``transform``); it is cloned at
        ``fit``.  It sees 2-D tables of time steps, so it must not need ``y``.

    Attributes
    ----------
    transformer_ : transformer object
        The fitted clone of ``transformer``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``; only when ``X`` has string column
        names.

    Notes
    -----
    When fitted on a pandas DataFrame, the inner transformer is handed DataFrames with
    the same column names, so column-name based transformers (``ColumnTransformer``)
    work.  A sparse output of the inner transformer is made dense; the output has the
    input's float dtype (float32 stays float32).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sktemporal.preprocessing import StepwiseTransformer
    >>> X = [np.array([[0.0], [2.0]]), np.array([[4.0], [6.0], [8.0]])]
    >>> Xt = StepwiseTransformer(StandardScaler()).fit_transform(X)
    >>> [x.ravel().round(3).tolist() for x in Xt]
    [[-1.414, -0.707], [0.0, 0.707, 1.414]]
    """

    def __init__(self, transformer):
        self.transformer = transformer

    _parameter_constraints = {"transformer": [HasMethods(["fit", "transform"])]}

    def _check_transformer(self):
        validate_params(self)
        return clone(self.transformer)

    def _table(self, flat):
        """The stacked steps as the inner transformer saw them at fit."""
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            return flat
        import pandas as pd  # only reached when fit was given a DataFrame

        return pd.DataFrame(flat, columns=names, copy=False)

    @staticmethod
    def _steps(out, batch, method):
        """Inner output as a dense ``(n_valid_steps, k)`` array of the batch's dtype."""
        if hasattr(out, "toarray"):
            out = out.toarray()
        out = np.asarray(out)
        n_valid = int(batch.lengths.sum())
        if out.ndim == 1:
            out = out[:, None]
        if out.ndim != 2 or out.shape[0] != n_valid:
            raise ValueError(
                f"The inner transformer's {method} returned shape {out.shape} for "
                f"{n_valid} time steps; StepwiseTransformer needs one output row per step."
            )
        return batch.restore(batch.unflat(out.astype(batch.dtype, copy=False)))

    def fit(self, X, y=None):
        """Fit the inner transformer on all valid time steps.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), (n_sequences, n_timesteps, n_features) or list
            One series, or a collection (3-D, NaN padded, or a list of 2-D arrays).
        y : None
            Ignored.

        Returns
        -------
        self : StepwiseTransformer
        """
        transformer = self._check_transformer()
        batch, _ = validate_sequences(self, X, reset=True)
        self.transformer_ = transformer.fit(self._table(batch.flat()))
        return self

    def fit_transform(self, X, y=None):
        """Fit the inner transformer and transform ``X`` (uses its ``fit_transform``).

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), (n_sequences, n_timesteps, n_features) or list
            One series, or a collection.
        y : None
            Ignored.

        Returns
        -------
        X_out : ndarray or list
            The transformed steps in the layout of ``X``.
        """
        transformer = self._check_transformer()
        batch, _ = validate_sequences(self, X, reset=True)
        check_container_output(
            self, tabular=batch.kind == "series", what="a collection of sequences"
        )
        out = transformer.fit_transform(self._table(batch.flat()))
        self.transformer_ = transformer
        return self._steps(out, batch, "fit_transform")

    def transform(self, X):
        """Transform every valid time step with the fitted inner transformer.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features), (n_sequences, n_timesteps, n_features) or list
            Same layout rules as in :meth:`fit`.

        Returns
        -------
        X_out : ndarray or list
            ``(n_timesteps, k)`` for one series, ``(n_sequences, n_timesteps, k)`` (NaN
            on padded steps) for a 3-D collection, a list of ``(T_i, k)`` arrays for a
            list, where ``k`` is the inner transformer's output width.
        """
        check_is_fitted(self)
        batch, _ = validate_sequences(self, X, reset=False)
        check_container_output(
            self, tabular=batch.kind == "series", what="a collection of sequences"
        )
        out = self.transformer_.transform(self._table(batch.flat()))
        return self._steps(out, batch, "transform")

    @available_if(_inner_has("inverse_transform"))
    def inverse_transform(self, X):
        """Undo :meth:`transform` step by step with the inner ``inverse_transform``.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, k), (n_sequences, n_timesteps, k) or list
            Transformed steps, in any layout.

        Returns
        -------
        X_original : ndarray or list
            In the layout of ``X``, with ``n_features_in_`` features.
        """
        check_is_fitted(self)
        batch = check_sequences(X)
        out = self.transformer_.inverse_transform(batch.flat())
        return self._steps(out, batch, "inverse_transform")

    @available_if(_inner_has("get_feature_names_out"))
    def get_feature_names_out(self, input_features=None):
        """Output feature names, from the inner transformer.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; default ``feature_names_in_`` or ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        input_features = check_feature_names_in(self, input_features)
        return self.transformer_.get_feature_names_out(input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
