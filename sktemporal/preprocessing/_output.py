"""Guard for ``set_output`` on transformers whose output is not always a 2-D table."""

from sklearn import get_config

__all__ = ["check_container_output"]


def _configured_container(estimator):
    # same precedence as sklearn's own set_output machinery: the estimator's
    # set_output(transform=...) wins over sklearn.set_config(transform_output=...)
    config = getattr(estimator, "_sklearn_output_config", {})
    return config.get("transform", get_config()["transform_output"])


def check_container_output(estimator, tabular, what):
    """Raise a clear error when a DataFrame output is configured but cannot hold the output.

    sklearn's ``set_output`` wraps whatever ``transform`` returns in a DataFrame; a 3-D
    array or a list of sequences would fail there with pandas' own, unhelpful message.

    Parameters
    ----------
    estimator : transformer
        The transformer whose output configuration is read.
    tabular : bool
        Whether this call returns a 2-D ``(n_timesteps, n_features_out)`` table.
    what : str
        Description of the output that is not a table, used in the message.
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
