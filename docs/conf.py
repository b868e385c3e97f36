"""Sphinx configuration for sktemporal."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))
# local Sphinx helpers: the gallery's reading order, offline intersphinx inventories,
# canonical API names
sys.path.insert(0, os.path.abspath("_ext"))

from api_names import hidden_members, public_classes  # noqa: E402
from offline_inventories import intersphinx_mapping as _offline_mapping  # noqa: E402

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
    # MathJax served from the built site's own _static/ (no CDN: math renders offline)
    "sphinx-mathjax-offline",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "api_names",
    "code_width",
]
autosummary_generate = True
# the class template (docs/_templates/autosummary/class.rst) leaves these out
autosummary_context = {"hidden_members": hidden_members(public_classes())}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# scikit-learn's metadata-routing setters are generated on every estimator; their
# docstrings point into sklearn's own docs, so they are left to sklearn's reference
_ROUTING = ["fit", "partial_fit", "predict", "predict_proba", "score", "transform", "inverse_transform"]
autodoc_default_options = {
    "members": True,
    "inherited-members": True,
    "exclude-members": ",".join(f"set_{m}_request" for m in _ROUTING),
}
templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "user_guide/_snippets",
                    # left by builds with the execution-times pages on (no longer written)
                    "sg_execution_times.rst", "auto_examples/sg_execution_times.rst"]

# Every cross-reference must resolve (CI builds with -W -n).  The inventories of the
# linked projects are written from the tables in docs/_inventories/ (no download):
# a name missing there fails the build; add it to its table.
nitpicky = True
intersphinx_mapping = _offline_mapping(os.path.join(os.path.dirname(__file__), "_build", "inventories"))
intersphinx_timeout = 5

try:
    import pydata_sphinx_theme  # noqa: F401

    html_theme = "pydata_sphinx_theme"
except ImportError:  # pragma: no cover - the docs extra brings it
    html_theme = "alabaster"
html_title = "sktemporal"
html_static_path = ["_static"]
html_css_files = ["sktemporal.css"]
html_theme_options = {
    "navbar_start": ["navbar-logo", "version"],
    "navigation_with_keys": False,
    "header_links_before_dropdown": 5,
    "show_toc_level": 2,
}
html_context = {"default_mode": "light"}
html_show_sourcelink = False

# -- example gallery ----------------------------------------------------------------
# The examples run at every build (CI included), headless and offline: Agg backend, no
# Binder/JupyterLite links, and a failing example fails the build.
import matplotlib  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402  (a scikit-learn dependency)

matplotlib.use("Agg")
# The examples' networks do many small matrix products per time step; BLAS threads cost
# more than they give there (up to 40x slower on a busy 2-core machine), and a fixed
# thread count keeps the printed numbers reproducible.
threadpool_limits(limits=1, user_api="blas")

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "plot_gallery": "True",
    "within_subsection_order": "gallery_order.ReadingOrder",
    # matplotlib's defaults plus the gallery's legible text sizes, before every example
    "reset_modules": ("gallery_style.reset_matplotlib", "seaborn"),
    "show_memory": False,
    # the execution-times pages load jQuery and DataTables from CDNs: the built docs
    # must load nothing from the network
    "write_computation_times": False,
    "min_reported_time": 0,
    # "Examples using X" on the API pages (the class template's minigallery)
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("sktemporal",),
    # link names in the examples' code to the API pages and, through the
    # (offline) intersphinx inventories, to scikit-learn, numpy, ...
    "reference_url": {"sktemporal": None},
}
