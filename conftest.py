"""pytest configuration shared by the tests, the package's doctests and the user guide."""

import importlib.util

# the sktime adapter's module imports sktime at its top: without the extra, its doctest
# is not collected (tests/test_sktime.py skips on its own)
collect_ignore = [] if importlib.util.find_spec("sktime") else ["sktemporal/sktime.py"]
