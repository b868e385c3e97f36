"""Versioned pickled state: the compatibility check every public class runs when loaded.

Every public estimator and transformer stores two extra entries in the state it
pickles (``pickle``, ``joblib`` and ``skops.io`` all go through ``__getstate__`` and
``__setstate__``): the package version that wrote it and the class's *state format*,
an integer that changes only when the class's stored attributes change meaning.  A
file loads when its format is one this version reads; otherwise loading raises
:class:`~sktemporal.exceptions.IncompatibleVersionError` naming both versions, instead
of returning an object that fails later with an ``AttributeError``.
"""

import warnings

from .._version import __version__
from ..exceptions import IncompatibleVersionError, InconsistentVersionWarning

VERSION_KEY = "_sktemporal_version"
FORMAT_KEY = "_sktemporal_format"


class VersionedStateMixin:
    """Adds the version and the state format to the pickled state and checks them on load.

    Put it before :class:`~sklearn.base.BaseEstimator` in the bases.  A class whose
    stored attributes change meaning raises ``_state_format`` by one and, to keep
    reading older files, converts their state in ``_upgrade_state``; without an
    upgrade, older files raise the clear error.
    """

    _state_format = 1

    def __getstate__(self):
        state = dict(super().__getstate__())
        state[VERSION_KEY] = __version__
        state[FORMAT_KEY] = type(self)._state_format
        return state

    def __setstate__(self, state):
        state = dict(state)
        version = state.pop(VERSION_KEY, None)
        file_format = state.pop(FORMAT_KEY, None)
        name = type(self).__name__
        current = type(self)._state_format
        if file_format is None:
            warnings.warn(
                f"This {name} was saved without an sktemporal version (before versioned "
                f"files); it is loaded as state format 1. Save it again with sktemporal "
                f"{__version__}, or refit it, to remove this warning.",
                InconsistentVersionWarning,
                stacklevel=2,
            )
            file_format = 1
        if file_format != current:
            state = self._upgrade_state(state, file_format, version)
        super().__setstate__(state)
        self._fill_new_parameters()

    def _fill_new_parameters(self):
        """Constructor parameters added since the file was written take their defaults.

        A new parameter always has a default that keeps the old behaviour, so a file
        saved before it existed loads as a model with that default (same format).
        """
        import inspect

        for name, parameter in inspect.signature(type(self).__init__).parameters.items():
            if name == "self" or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            if name not in self.__dict__ and parameter.default is not inspect.Parameter.empty:
                setattr(self, name, parameter.default)

    def _upgrade_state(self, state, file_format, version):
        """Convert the state of an older format to the current one (none known: raise)."""
        name = type(self).__name__
        current = type(self)._state_format
        if file_format > current:
            advice = f"upgrade sktemporal to {version} or later to load it"
        else:
            advice = (
                f"load it with sktemporal {version} and refit the model, or fit it again "
                f"with sktemporal {__version__}"
            )
        raise IncompatibleVersionError(
            f"Cannot load this {name}: it was saved by sktemporal {version} with state "
            f"format {file_format}, and sktemporal {__version__} reads {name} "
            f"state format {current} only; {advice}."
        )
