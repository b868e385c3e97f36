"""Sphinx configuration for sktemporal."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

import sktemporal  # noqa: E402

project = "sktemporal"
author = "the sktemporal developers"
copyright = "2026, the sktemporal developers"
release = sktemporal.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
]
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# scikit-learn's metadata-routing setters are generated on every estimator; their
# docstrings point into sklearn's own docs, so they are left to sklearn's reference
_ROUTING = ["fit", "partial_fit", "predict", "predict_proba", "score", "transform", "inverse_transform"]
autodoc_default_options = {
    "members": True,
    "inherited-members": False,
    "exclude-members": ",".join(f"set_{m}_request" for m in _ROUTING),
}
templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
intersphinx_mapping = {}
nitpicky = False

try:
    import pydata_sphinx_theme  # noqa: F401

    html_theme = "pydata_sphinx_theme"
except ImportError:  # pragma: no cover - the docs extra brings it
    html_theme = "alabaster"
html_title = "sktemporal"
