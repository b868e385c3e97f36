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
autodoc_default_options = {"members": True, "inherited-members": False}
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
