"""Guard for ``set_output`` on transformers whose output is not always a 2-D table.

The package's transformers (the delay lines, :class:`~sktemporal.StepwiseTransformer`,
:class:`~sktemporal.Reservoir`) return a 2-D table for one series but a 3-D array or a
list for a collection; scikit-learn's ``set_output`` can only wrap the table.  The
container chosen is read through public interfaces only: the estimator's own
``set_output`` call (recorded by :class:`ContainerOutputMixin`, kept by ``clone``) and
``sklearn.get_config()``.
"""

from sklearn import get_config

__all__ = ["ContainerOutputMixin", "check_container_output"]


class ContainerOutputMixin:
    """Records the container given to ``set_output(transform=...)``; put it before ``TransformerMixin``.

    scikit-learn keeps the choice in a private attribute; this mixin keeps its own copy,
    carried over by :func:`sklearn.base.clone` (through ``__sklearn_clone__``) and by
    pickling, so that :func:`check_container_output` never reads scikit-learn's.
    """

    def set_output(self, *, transform=None):
        """Set the output container of ``transform`` and ``fit_transform``.

        scikit-learn's ``set_output``; a DataFrame container holds the output of one
        series only (a collection's output raises a clear ``ValueError``).

        Parameters
        ----------
        transform : {'default', 'pandas', 'polars'} or None, default=None
            As scikit-learn's ``set_output``; None leaves it unchanged.

        Returns
        -------
        self : estimator instance
        """
        super().set_output(transform=transform)
        if transform is not None:
            self._transform_container = transform
        return self

    def __sklearn_clone__(self):
        new = super().__sklearn_clone__()
        if "_transform_container" in vars(self):
            new._transform_container = self._transform_container
        return new


def _configured_container(estimator):
    # same precedence as scikit-learn's set_output machinery: the estimator's
    # set_output(transform=...) wins over sklearn.set_config(transform_output=...)
    container = vars(estimator).get("_transform_container")
    return get_config()["transform_output"] if container is None else container


def check_container_output(estimator, tabular, what):
    """Raise a clear error when a DataFrame output is configured but cannot hold the output.

    sklearn's ``set_output`` wraps whatever ``transform`` returns in a DataFrame; a 3-D
    array or a list of sequences would fail there with pandas' own, unhelpful message.

    Parameters
    ----------
    estimator : transformer
        The transformer whose output configuration is read (a
        :class:`ContainerOutputMixin`).
    tabular : bool
        Whether this call returns a 2-D ``(n_timesteps, n_features_out)`` table.
    what : str
        Description of the output that is not a table, used in the message.

    Examples
    --------
    >>> from sktemporal.preprocessing import DelayEmbedding
    >>> from sktemporal.utils._output import check_container_output
    >>> emb = DelayEmbedding()
    >>> check_container_output(emb, tabular=False, what="a list")  # default container: nothing to check
    >>> emb = emb.set_output(transform="pandas")
    >>> check_container_output(emb, tabular=False, what="a list")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: DelayEmbedding returns a list here, which cannot be held in a pandas DataFrame: ...
    """
    container = _configured_container(estimator)
    if tabular or container == "default":
        return
    raise ValueError(
        f"{type(estimator).__name__} returns {what} here, which cannot be held in a "
        f"{container} DataFrame: set_output(transform={container!r}) (or "
        f"sklearn.set_config(transform_output={container!r})) only applies when the output "
        "is one 2-D series. Call set_output(transform='default') on this step."
    )
